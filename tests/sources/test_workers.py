"""Real Celery worker processes (and beat, tests/sources/workers.py): killed with SIGKILL in the
middle of a large import, restarted, and the next run finishes with nothing twice and nothing
missing; a file dropped into the watched folder is imported by the schedule with nobody
acting."""

import shutil
import time
from pathlib import Path

import pytest
from django.test import override_settings

from claims.models import Claim, Verdict
from sources.models import ImportRun, Source
from sources.schedules import schedules_install
from tests.conftest import SEED
from tests.sources.workers import IMPORT, REDIS, START, Processes, broker_env, sender

ROWS = 20_000

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(4 * (START + IMPORT))]


def big_table(tmp_path: Path, rows: int = ROWS) -> Path:
    table = tmp_path / "big.tsv"
    lines = ["id\tclaim\trating"] + [
        f"r{n}\tStatement number {n} says the figure was {n * 7} last year.\tfalse"
        for n in range(rows)
    ]
    table.write_text("\n".join(lines) + "\n")
    return table


def a_run_finished() -> bool:
    return ImportRun.objects.filter(finished_at__isnull=False).exists()


@pytest.mark.parametrize("kind", ["redis", "filesystem"])
def test_worker_killed_mid_import_leaves_a_state_the_next_run_completes(
    kind: str, tmp_path: Path, processes: Processes, monkeypatch: pytest.MonkeyPatch
) -> None:
    if kind == "redis" and not REDIS.startswith("redis://"):
        pytest.skip("CELERY_BROKER_URL is not a Redis URL")
    table = big_table(tmp_path)
    env = broker_env(kind, tmp_path)
    app = sender(kind, tmp_path, monkeypatch)
    processes.start_worker("first", env)
    processes.wait_ready("first")

    app.send_task("sources.tasks.table_import_task", args=[str(table)])
    processes.wait_for(Claim.objects.exists, IMPORT, "the first rows to be committed")
    processes.kill("first")

    partial = Claim.objects.count()
    assert 0 < partial < ROWS, "the kill must land in the middle of the import"
    assert Source.objects.count() == Verdict.objects.count() == partial  # whole batches only
    killed = ImportRun.objects.get()
    assert killed.finished_at is None

    processes.start_worker("second", env)
    processes.wait_ready("second")
    app.send_task("sources.tasks.table_import_task", args=[str(table)])  # the next run
    processes.wait_for(a_run_finished, IMPORT, "the next run to finish")

    run = ImportRun.objects.get(finished_at__isnull=False)
    killed.refresh_from_db()
    assert killed.status == ImportRun.Status.FAILED
    assert "interrupted" in killed.items[0]["error"]
    counts = (run.claims_created, run.items_unchanged, run.items_failed)
    assert counts == (ROWS - partial, partial, 0)
    assert Claim.objects.count() == ROWS
    assert Claim.objects.values("text").distinct().count() == ROWS
    assert Source.objects.count() == Verdict.objects.count() == ROWS


def test_redis_delivers_a_killed_workers_task_again_after_the_visibility_timeout(
    tmp_path: Path, processes: Processes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nobody sends the import again: Redis gives the killed worker's unacknowledged task to
    the next worker once CELERY_BROKER_VISIBILITY_TIMEOUT has passed, and it finishes the job."""
    if not REDIS.startswith("redis://"):
        pytest.skip("CELERY_BROKER_URL is not a Redis URL")
    table = big_table(tmp_path)
    env = broker_env("redis", tmp_path)
    # The solo pool does not enforce time limits; they are set low only so that the visibility
    # timeout, which must exceed the hard limit, can be a few seconds here.
    env.update(
        CELERY_TASK_SOFT_TIME_LIMIT="3",
        CELERY_TASK_TIME_LIMIT="4",
        CELERY_BROKER_VISIBILITY_TIMEOUT="5",
    )
    app = sender("redis", tmp_path, monkeypatch)
    processes.start_worker("first", env)
    processes.wait_ready("first")

    result = app.send_task("sources.tasks.table_import_task", args=[str(table)])
    processes.wait_for(Claim.objects.exists, IMPORT, "the first rows to be committed")
    processes.kill("first")
    killed_at = time.monotonic()
    partial = Claim.objects.count()
    assert 0 < partial < ROWS, "the kill must land in the middle of the import"
    killed = ImportRun.objects.get()
    assert killed.task_id == result.id

    time.sleep(max(0.0, killed_at + 5.5 - time.monotonic()))  # the visibility timeout passes
    processes.start_worker("second", env)
    processes.wait_for(a_run_finished, START + IMPORT, "the redelivered task to finish")

    run = ImportRun.objects.get(finished_at__isnull=False)
    assert run.task_id == result.id  # the same task, delivered again
    killed.refresh_from_db()
    assert killed.status == ImportRun.Status.FAILED
    counts = (run.claims_created, run.items_unchanged, run.items_failed)
    assert counts == (ROWS - partial, partial, 0)
    assert Claim.objects.count() == Claim.objects.values("text").distinct().count() == ROWS
    assert Source.objects.count() == Verdict.objects.count() == ROWS


def test_beat_and_worker_import_a_file_dropped_into_the_watched_folder(
    tmp_path: Path, processes: Processes, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not REDIS.startswith("redis://"):
        pytest.skip("CELERY_BROKER_URL is not a Redis URL")
    watched = tmp_path / "watched"
    watched.mkdir()
    with override_settings(SEEDS_IMPORT_INTERVAL=1):
        schedules_install()
    env = broker_env("redis", tmp_path)
    env["SEEDS_DIR"] = str(watched)
    sender("redis", tmp_path, monkeypatch)  # purge
    processes.start_worker("beatworker", env)
    processes.start("beat", ["beat", "--loglevel", "INFO"], env)
    processes.wait_ready("beatworker")
    processes.wait_for(lambda: "beat: Starting" in processes.log("beat"), START, "beat")

    shutil.copy(SEED, watched / "dropped.txt")

    processes.wait_for(lambda: Claim.objects.count() == 17, IMPORT, "the dropped file's claims")
    assert Source.objects.get().origin == str(watched / "dropped.txt")
    processes.wait_for(
        ImportRun.objects.filter(finished_at__isnull=False, items_unchanged=1).exists,
        START,
        "a later scheduled run to find the file unchanged",
    )
    assert Claim.objects.count() == 17


def test_two_workers_share_a_table_split_into_ranges_and_import_every_row_once(
    tmp_path: Path, processes: Processes, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not REDIS.startswith("redis://"):
        pytest.skip("CELERY_BROKER_URL is not a Redis URL")
    table = big_table(tmp_path)
    env = broker_env("redis", tmp_path)
    env["IMPORT_TABLE_TASK_ROWS"] = "2000"  # 20,001 lines: 11 ranges
    app = sender("redis", tmp_path, monkeypatch)
    for name in ("one", "two"):
        processes.start_worker(name, env)
    for name in ("one", "two"):
        processes.wait_ready(name)

    result = app.send_task("sources.tasks.table_import_task", args=[str(table)])
    processes.wait_for(a_run_finished, IMPORT, "the run")

    run = ImportRun.objects.get()
    assert run.task_id == result.id
    assert run.status == ImportRun.Status.SUCCEEDED
    assert (run.claims_created, run.items_unchanged, run.items_failed) == (ROWS, 0, 0)
    assert len([i for i in run.items if " rows " in i["path"]]) == 11
    assert Claim.objects.count() == Claim.objects.values("text").distinct().count() == ROWS
    assert Source.objects.count() == Verdict.objects.count() == ROWS
    for name in ("one", "two"):  # both workers imported ranges
        log = processes.log(name)
        assert "table_import_chunk_task" in log and "succeeded" in log, name
