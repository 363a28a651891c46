"""The Celery app. Configuration comes from Django settings (the CELERY_ prefix)."""

import os
import sys
import time
from pathlib import Path
from typing import Any

from celery import Celery
from celery.signals import (
    setup_logging,
    task_failure,
    task_postrun,
    task_prerun,
    task_retry,
    task_success,
    worker_init,
)

from factcheck.env import envstr

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")

app = Celery("factcheck")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def filesystem_broker_folders(sender: Celery, **_kwargs: object) -> None:
    """The filesystem broker (CELERY_BROKER_URL unset) needs its folders before the first
    publish or consume, in whichever process comes first: web, worker or beat."""
    if str(sender.conf.broker_url).startswith("filesystem:"):
        options = sender.conf.broker_transport_options
        for key in ("data_folder_in", "processed_folder", "control_folder"):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


# GIL switch interval in workers, seconds (Python's default: 0.005). An import prepares the next
# batch in a second thread while the main thread writes the current one; each time the main
# thread returns from a database round trip it waits for the preparing thread to hand over the
# GIL, up to this long. In-process, 100 documents at load 1.1-1.3: 1.21-1.22 MB/s with 5 ms,
# 1.27-1.30 MB/s with 0.5 ms.
WORKER_SWITCH_INTERVAL = 0.0005


@worker_init.connect
def shorter_gil_switch_interval(**_kwargs: object) -> None:
    sys.setswitchinterval(WORKER_SWITCH_INTERVAL)


@worker_init.connect
def load_import_models(**_kwargs: object) -> None:
    """Load the importers' models when a worker starts (the language identifier and the
    check-worthiness model: about 0.7 s), not in the first import task it runs. In a prefork
    pool the children inherit them."""
    from claims.checkworthiness import claim_scores
    from sources.parsers.text import detect_language

    detect_language("Loading the language model.")
    claim_scores(["Loading the check-worthiness model."])


# --- Metrics and logs (factcheck/metrics.py, factcheck/observability.py) ----------------------


def _queue(task: Any) -> str:
    info = getattr(task.request, "delivery_info", None) or {}
    return str(info.get("routing_key") or info.get("exchange") or "unknown")


_started: dict[str, float] = {}


@task_prerun.connect
def task_context(task_id: str, task: Any, **_kwargs: object) -> None:
    """The task's id on every log line it writes, and its start for its duration."""
    from factcheck.observability import task_started

    task_started(task_id_=task_id)
    _started[task_id] = time.perf_counter()


@task_postrun.connect
def task_context_end(task_id: str, task: Any, **_kwargs: object) -> None:
    from factcheck.metrics import TASK_SECONDS
    from factcheck.observability import task_ended

    started = _started.pop(task_id, None)
    if started is not None:
        TASK_SECONDS.labels(task.name, _queue(task)).observe(time.perf_counter() - started)
    task_ended()


def _outcome(sender: Any, outcome: str) -> None:
    from factcheck.metrics import TASKS

    TASKS.labels(sender.name, _queue(sender), outcome).inc()


@task_success.connect
def task_succeeded(sender: Any, **_kwargs: object) -> None:
    _outcome(sender, "succeeded")


@task_failure.connect
def task_failed(sender: Any, **_kwargs: object) -> None:
    _outcome(sender, "failed")


@task_retry.connect
def task_retried(sender: Any, **_kwargs: object) -> None:
    _outcome(sender, "retried")


def django_logging(**_kwargs: object) -> None:
    """Workers and beat log as the web does: Django's LOGGING, one JSON object a line."""
    import logging.config

    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


# Connected only for JSON logs: a receiver of this signal stops Celery from setting up logging
# itself, and in text mode its own format stays (ops/scenario.py reads workers' task lines).
# Read from the environment as the settings read it: the settings are not loaded yet.
if envstr("LOG_FORMAT", "text") == "json":
    setup_logging.connect(django_logging)


@worker_init.connect
def worker_metrics_server(**_kwargs: object) -> None:
    """Serve the worker's processes' metrics at WORKER_METRICS_ADDRESS:WORKER_METRICS_PORT when
    the port is set (a worker host without a web process of its own)."""
    from django.conf import settings

    if not settings.WORKER_METRICS_PORT:
        return
    from prometheus_client import start_http_server

    from factcheck.metrics import registry

    start_http_server(
        settings.WORKER_METRICS_PORT, settings.WORKER_METRICS_ADDRESS, registry=registry()
    )
