"""Real Celery worker and beat processes for the tests that need them, on the test database and
a broker of the test's own (Redis when CELERY_BROKER_URL names one, else a filesystem folder
under the test's tmp_path).

Every wait is for a condition (a worker ready, rows committed, a run finished) with a generous
deadline, since a loaded machine is slow rather than wrong; a wait fails at once if a process it
needs has exited. A failing test's report shows the processes' logs (tests/sources/conftest.py).
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection
from kombu import Connection

from tests.conftest import database_url

REDIS = os.environ.get("CELERY_BROKER_URL", "")
CELERY = str(Path(sys.executable).parent / "celery")
REPO = Path(__file__).resolve().parents[2]

# Deadlines, in seconds: a process starting (Django, the importers' models), an import.
START = 180
IMPORT = 600


def broker_env(kind: str, tmp_path: Path) -> dict[str, str]:
    """Environment for a worker or beat process on the test database and the given broker."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url(connection.settings_dict),
        SECRET_KEY="test-only-secret",
        IMPORT_TABLE_CHUNK_ROWS="500",
        VAR_DIR=str(tmp_path / "var"),
        CELERY_BROKER_FOLDER=str(tmp_path / "var" / "broker"),
        CELERY_BROKER_URL=REDIS if kind == "redis" else "",
    )
    return env


def sender(kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Celery:
    """A Celery client on the same broker as the worker processes, routing tasks to the work
    queues as the project does."""
    # Celery prefers the CELERY_BROKER_URL variable over its configuration.
    monkeypatch.setenv("CELERY_BROKER_URL", REDIS if kind == "redis" else "filesystem://")
    if kind == "redis":
        app = Celery(broker=REDIS)
    else:
        box = tmp_path / "var" / "broker"
        for sub in ("queue", "processed", "control"):
            (box / sub).mkdir(parents=True, exist_ok=True)
        app = Celery(broker="filesystem://")
        app.conf.broker_transport_options = {
            "control_folder": str(box / "control"),
            "data_folder_in": str(box / "queue"),
            "data_folder_out": str(box / "queue"),
            "processed_folder": str(box / "processed"),
            "store_processed": False,
        }
    app.conf.task_serializer = "json"
    app.conf.task_default_queue = settings.CELERY_TASK_DEFAULT_QUEUE
    app.conf.task_queues = settings.CELERY_TASK_QUEUES
    app.conf.task_routes = settings.CELERY_TASK_ROUTES
    if kind == "redis":
        redis_purge()
    return app


def redis_purge() -> None:
    """Empty the work queues, and forget a killed worker's task, which Redis would restore.
    (kombu directly: Celery would follow a CELERY_BROKER_URL a test patched.)"""
    with Connection(REDIS) as conn:
        channel = conn.default_channel
        for queue in settings.CELERY_WORK_QUEUES:
            channel.queue_purge(queue)
        channel.client.delete("unacked", "unacked_index")


class Processes:
    """The worker and beat processes a test runs, each logging to its own file."""

    def __init__(self, tmp_path: Path) -> None:
        self.folder = tmp_path
        self.running: dict[str, subprocess.Popen[bytes]] = {}
        self.logs: dict[str, Path] = {}

    def start(self, name: str, args: list[str], env: dict[str, str]) -> None:
        """Start `celery -A factcheck <args>` (or `args` itself when it names a program)."""
        command = args if args[0].startswith("/") else [CELERY, "-A", "factcheck", *args]
        log = self.folder / f"{name}.log"
        self.logs[name] = log
        self.running[name] = subprocess.Popen(
            command,
            env=env,
            cwd=REPO,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start_worker(self, name: str, env: dict[str, str]) -> None:
        self.start(name, worker_args(name), env)

    def kill(self, name: str) -> None:
        """SIGKILL the process `name` and its children, as a machine failure would."""
        process = self.running.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(30)

    def log(self, name: str) -> str:
        log = self.logs[name]
        return log.read_text(errors="replace") if log.exists() else ""

    def report(self) -> str:
        """Every process's log, for a failing test's report."""
        return "\n".join(f"===== {name}.log =====\n{self.log(name)}" for name in self.logs)

    def stop_all(self) -> None:
        for name in list(self.running):
            if self.running[name].poll() is None:
                self.kill(name)

    def wait_for(self, condition: Callable[[], bool], deadline: float, what: str) -> None:
        """Return once `condition()` holds; fail with the logs if `deadline` seconds pass
        first or a running process exits."""
        end = time.monotonic() + deadline
        while not condition():
            exited = [name for name, p in self.running.items() if p.poll() is not None]
            if exited:
                raise AssertionError(f"{', '.join(exited)} exited waiting for {what}")
            if time.monotonic() > end:
                raise AssertionError(f"timed out after {deadline}s waiting for {what}")
            time.sleep(0.02)

    def wait_ready(self, name: str) -> None:
        """Wait until the worker has declared its queues: the filesystem transport drops a
        message sent to a queue nobody has bound yet."""
        self.wait_for(lambda: " ready." in self.log(name), START, f"{name} ready")


def worker_args(name: str) -> list[str]:
    """A worker serving every work queue (CELERY_TASK_QUEUES), one task at a time."""
    options = "--pool solo --without-mingle --without-gossip --loglevel INFO"
    return ["worker", "-n", f"{name}@%h", *options.split()]
