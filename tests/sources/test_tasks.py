"""Tasks through a real broker, and how a worker process prepares for imports."""

import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import worker_init

from claims.checkworthiness import _model
from claims.models import Claim
from factcheck.celery import (
    WORKER_SWITCH_INTERVAL,
    app,
    load_import_models,
    shorter_gil_switch_interval,
)
from sources.models import ImportRun
from sources.tasks import source_import_paths_task


@pytest.fixture
def celery_worker(transactional_db: None) -> Iterator[object]:
    """A real Celery worker consuming from the configured broker (Redis in CI, else the
    filesystem transport), in a thread of this process so it sees the test database."""
    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=30) as worker:
        yield worker


def test_worker_imports_a_folder_through_the_broker(
    celery_worker: object, seed_folder: Path
) -> None:
    result = source_import_paths_task.delay([str(seed_folder)])

    run_id = _wait_for_run(result.id)
    run = ImportRun.objects.get(pk=run_id)
    assert run.claims_created == 17
    assert run.task_id == result.id
    assert Claim.objects.count() == 17


def _wait_for_run(task_id: str, timeout: float = 300) -> int:
    """The id of the run task `task_id` finished, once it has (generous: a loaded machine is
    slow, and the wait ends as soon as the run does)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = ImportRun.objects.filter(task_id=task_id, finished_at__isnull=False).first()
        if run is not None:
            return run.pk
        time.sleep(0.2)
    raise AssertionError(f"no finished import run for task {task_id} within {timeout}s")


def test_a_starting_worker_loads_the_import_models() -> None:
    """The models the importers use are loaded when a worker starts, not by its first task."""
    assert load_import_models in [ref() for _key, ref in worker_init.receivers]
    _model.cache_clear()
    load_import_models(sender=None)
    assert _model.cache_info().currsize == 1


def test_workers_hand_the_gil_over_sooner() -> None:
    assert shorter_gil_switch_interval in [ref() for _key, ref in worker_init.receivers]
    before = sys.getswitchinterval()
    try:
        shorter_gil_switch_interval(sender=None)
        assert sys.getswitchinterval() == WORKER_SWITCH_INTERVAL
    finally:
        sys.setswitchinterval(before)
