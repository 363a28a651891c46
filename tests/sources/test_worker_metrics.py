"""A real Celery worker's metrics and logs: task outcomes by task and queue in
PROMETHEUS_MULTIPROC_DIR, served at WORKER_METRICS_PORT, and JSON log lines with the task's id
(LOG_FORMAT=json)."""

import json
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.replica import free_port
from tests.sources.workers import REDIS, Processes, broker_env, sender

EMBED = "claims.tasks.claims_embed_task"


def worker_metrics(port: int) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        text = response.read().decode()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_a_worker_counts_task_outcomes_and_logs_json_with_the_task_id(
    processes: Processes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kind = "redis" if REDIS.startswith("redis://") else "filesystem"
    port = free_port()
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    env = broker_env(kind, tmp_path)
    env.update(
        PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
        WORKER_METRICS_PORT=str(port),
        LOG_FORMAT="json",
    )
    processes.start_worker("metrics", env)
    processes.wait_ready("metrics")

    app = sender(kind, tmp_path, monkeypatch)
    sent = [app.send_task(EMBED, args=[[]]) for _ in range(2)]
    log = lambda: processes.log("metrics")  # noqa: E731
    processes.wait_for(
        lambda: all(f"{task.id}] succeeded" in log() for task in sent), 120, "both tasks"
    )
    samples = worker_metrics(port)
    outcome = {"task": EMBED, "queue": "matching", "outcome": "succeeded"}
    assert samples[("factcheck_celery_tasks_total", frozenset(outcome.items()))] == 2
    duration = (
        "factcheck_celery_task_duration_seconds_count",
        {"task": EMBED, "queue": "matching"},
    )
    assert samples[(duration[0], frozenset(duration[1].items()))] == 2

    lines = [json.loads(line) for line in processes.log("metrics").splitlines() if line[:1] == "{"]
    assert lines, processes.log("metrics")
    assert all({"time", "level", "logger", "message", "task_id"} <= line.keys() for line in lines)
    for task in sent:
        assert any(line["task_id"] == task.id for line in lines), task.id
