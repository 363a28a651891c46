"""Real Celery worker processes (and beat): killed with SIGKILL in the middle of a large import,
restarted, and the next run finishes with nothing twice and nothing missing; a file dropped
into the watched folder is imported by the schedule with nobody acting.

Every wait is for a condition (a worker ready, rows committed, a run finished) with a generous
deadline, since a loaded machine is slow rather than wrong; a wait fails at once if a worker it
needs has exited. A failing test's report shows the processes' logs."""

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection
from django.test import override_settings
from kombu import Connection

from claims.models import Claim, Verdict
from sources.models import ImportRun, Source
from sources.schedules import schedules_install
from tests.conftest import SEED, database_url

REDIS = os.environ.get("CELERY_BROKER_URL", "")
ROWS = 20_000
CELERY = str(Path(sys.executable).parent / "celery")
REPO = Path(__file__).resolve().parents[2]

# Deadlines, in seconds: a process starting (Django, the importers' models), an import of ROWS
# rows. The waits return as soon as their condition holds.
START = 180
IMPORT = 600

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(4 * (START + IMPORT))]


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
    """A Celery client on the same broker as the worker processes."""
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
    if kind == "redis":
        app.control.purge()  # nothing left over from an earlier run
        with Connection(REDIS) as conn:  # nor a killed worker's task, which Redis would restore
            conn.default_channel.client.delete("unacked", "unacked_index")
    return app


class Processes:
    """The worker and beat processes a test runs, each logging to its own file."""

    def __init__(self, tmp_path: Path) -> None:
        self.folder = tmp_path
        self.running: dict[str, subprocess.Popen[bytes]] = {}
        self.logs: dict[str, Path] = {}

    def start(self, name: str, args: list[str], env: dict[str, str]) -> None:
        log = self.folder / f"{name}.log"
        self.logs[name] = log
        self.running[name] = subprocess.Popen(
            [CELERY, "-A", "factcheck", *args],
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
        """Wait until the worker has declared its queue: the filesystem transport drops a
        message sent to a queue nobody has bound yet."""
        self.wait_for(lambda: " ready." in self.log(name), START, f"{name} ready")


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    """Processes stopped after the test; tests/sources/conftest.py adds their logs to the report
    of a test that fails."""
    started = Processes(tmp_path)
    yield started
    started.stop_all()
    if REDIS.startswith("redis://"):
        # Tasks beat queued but nobody ran must not reach the next test's worker. (kombu
        # directly: Celery would follow a CELERY_BROKER_URL a test patched.)
        with Connection(REDIS) as conn:
            conn.default_channel.queue_purge("celery")


def worker_args(name: str) -> list[str]:
    options = "--pool solo --without-mingle --without-gossip --loglevel INFO"
    return ["worker", "-n", f"{name}@%h", *options.split()]


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
