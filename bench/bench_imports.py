"""Benchmark of the scheduled imports: tables and folders, against COPY, re-runs and
one versus two real Celery workers.

    .venv/bin/python bench/bench_imports.py [--mb 50] [--docs 1000] [--task-rows 2600]
        [--skip-workers]

1. LIAR train (../shared/datasets/liar/train.tsv; skipped cleanly if absent) through
   `source_import_table`: rows/s; then a re-run of the unchanged file; then, in the same run, a
   COPY of the very same source, claim and verdict rows (the floor); then the triggers that
   keep Claim.public and Claim.in_force isolated: the same import with them disabled and
   enabled, in turn (--flag-runs pairs), with their calls and time
   (pg_stat_user_functions) and the claim rows their UPDATEs rewrote.
2. LIAR train through `table_import_task` (real worker processes, the broker from
   CELERY_BROKER_URL), split into ranges of `--task-rows` rows (IMPORT_TABLE_TASK_ROWS), with
   one and then two workers.
3. A folder of generated documents (`--mb` MB in `--docs` files, as bench_import.py makes them)
   imported by real worker processes (`celery worker`, the broker from CELERY_BROKER_URL):
   `source_import_folder_task` fans the folder out into tasks of 20 files; once with one worker,
   again unchanged (re-run), then from scratch with two workers.
The workers serve the imports queue alone; the matching tasks the imports queue are dropped
before and after each phase (bench_matching.py measures matching). Runs in a scratch database
`<NAME>_bench_imports`, created and dropped here.
"""

import argparse
import functools
import math
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
from factcheck.localenv import local_environment_prepare  # noqa: E402

os.environ.setdefault("SECRET_KEY", "bench-only")
print = functools.partial(print, flush=True)
LIAR = ROOT.parent / "shared" / "datasets" / "liar" / "train.tsv"
TABLES = ["sources_source", "claims_claim", "claims_verdict"]


def bench_liar() -> None:
    from django.db import connection

    from sources.imports.tables import source_import_table
    from sources.parsers.table import TableFormat, TableLayout

    liar = TableFormat(layout=TableLayout.LIAR)
    if not LIAR.exists():
        print(f"LIAR: skipped, {LIAR} is absent")
        return
    raw = LIAR.read_bytes()
    t0 = time.perf_counter()
    run = source_import_table(raw=raw, name=LIAR.name, trusted=True, table_format=liar)
    first = time.perf_counter() - t0
    rows = run.claims_created
    print(
        f"LIAR train: {rows:,} rows in {first:.2f}s = {rows / first:,.0f} rows/s "
        f"(failed {run.items_failed})"
    )
    t0 = time.perf_counter()
    again = source_import_table(raw=raw, name=LIAR.name, trusted=True, table_format=liar)
    rerun = time.perf_counter() - t0
    print(
        f"  re-run unchanged: {rerun:.2f}s ({rerun / first:.0%} of the first; "
        f"{again.claims_created} created)"
    )

    # The floor: COPY the same rows (sources, claims, verdicts) into the same tables.
    data = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(  # generated columns (full-text search vectors) cannot be COPYed
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                "AND is_generated = 'NEVER' ORDER BY ordinal_position",
                [table],
            )
            names = [name for (name,) in cursor.fetchall()]
            quoted = ", ".join(f'"{c}"' for c in names)
            cursor.execute(f"SELECT {quoted} FROM {table} ORDER BY id")
            data[table] = (names, cursor.fetchall())
        cursor.execute("TRUNCATE claims_claimevent, " + ", ".join(TABLES) + " CASCADE")
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        for table in TABLES:
            columns, values = data[table]
            quoted = ", ".join(f'"{c}"' for c in columns)
            with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
    floor = time.perf_counter() - t0
    print(
        f"  COPY of the same rows (3 tables): {floor:.2f}s = {rows / floor:,.0f} rows/s; "
        f"import/COPY = {first / floor:.1f}x"
    )


def backend_cpu(name: str, own: int) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend process connected to database `name` (the server
    runs on this machine; its process titles name the database), but ours (pid `own`)."""
    from bench_import import process_cpu

    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == own:
            continue
        try:
            title = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if title.startswith(b"postgres: ") and f" {name} ".encode() in title:
            found[int(entry.name)] = process_cpu(int(entry.name))
    return found


def run_workers(
    n: int, send: Callable[[], object], env: dict[str, str], expected_runs: int
) -> float:
    """Start `n` worker processes, call `send` (queue the work) and time until `expected_runs`
    more import runs have finished. Prints the CPU time the workers and their database
    backends used meanwhile: on a machine of `os.cpu_count()` cores, how many cores one
    worker keeps busy says how far a second one can speed things up."""
    from bench_import import process_cpu
    from django.db import connection

    from sources.models import ImportRun

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database(), pg_backend_pid()")
        database, own = cursor.fetchone()
    from factcheck.celery import app

    # Whatever earlier phases queued (the matching of the claims they imported, the ANALYZE
    # after them) would run first and be timed as this phase's.
    app.control.purge()
    celery = str(Path(sys.executable).parent / "celery")
    # The imports queue alone, as `make run`'s import worker serves it: a worker serving every
    # queue would also embed the claims the imports queue for matching (minutes of CPU).
    procs = [
        subprocess.Popen(
            [
                celery,
                "-A",
                "factcheck",
                "worker",
                "--queues",
                "imports",
                "--pool",
                "solo",
                "-n",
                f"bench{i}@%h",
                "--without-mingle",
                "--without-gossip",
                "--loglevel",
                "WARNING",
            ],
            env=env,
            cwd=ROOT,
            start_new_session=True,
        )
        for i in range(n)
    ]
    try:
        time.sleep(4)  # let the workers connect
        done_before = ImportRun.objects.filter(finished_at__isnull=False).count()
        workers_before = sum(process_cpu(proc.pid) for proc in procs)
        backends_before = backend_cpu(database, own)
        load_before = os.getloadavg()[0]
        backends_seen = dict(backends_before)  # a backend may exit before the end
        t0 = time.perf_counter()
        send()
        while (
            ImportRun.objects.filter(finished_at__isnull=False).count() - done_before
            < expected_runs
        ):
            time.sleep(0.05)
            backends_seen.update(backend_cpu(database, own))
        took = time.perf_counter() - t0
        workers = sum(process_cpu(proc.pid) for proc in procs) - workers_before
        backends_seen.update(backend_cpu(database, own))
        backends = sum(
            seconds - backends_before.get(pid, 0.0) for pid, seconds in backends_seen.items()
        )
        print(
            f"  CPU: worker processes {workers:.1f}s, their PostgreSQL backends "
            f"{backends:.1f}s in {took:.1f}s = {(workers + backends) / took:.2f} of "
            f"{os.cpu_count()} cores; load average {load_before:.1f} -> "
            f"{os.getloadavg()[0]:.1f}"
        )
        return took
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:  # a warm shutdown waits for a matching task
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
        # The imports queued matching of their claims (claims_match_new_task, after each
        # commit) behind the import tasks; it has its own benchmark (bench_matching.py). Left
        # queued, it would run before the next phase's imports and be timed as theirs.
        dropped = app.control.purge()
        print(f"  ({dropped} matching tasks dropped from the queue)")


def worker_env() -> dict[str, str]:
    from django.db import connection

    from tests.conftest import database_url

    env = dict(os.environ)
    env["DATABASE_URL"] = database_url(connection.settings_dict)
    return env


def empty_tables() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE claims_claimevent, " + ", ".join(TABLES) + " CASCADE")


def bench_liar_workers(task_rows: int) -> None:
    """LIAR train through table_import_task, split into ranges of `task_rows` rows, with one
    and then two worker processes."""
    from claims.models import Claim
    from sources.tasks import table_import_task

    if not LIAR.exists():
        return
    env = worker_env()
    env["IMPORT_TABLE_TASK_ROWS"] = str(task_rows)
    ranges = math.ceil(len(LIAR.read_bytes().splitlines()) / task_rows)
    print(f"LIAR train as a task split into {ranges} ranges of {task_rows:,} rows:")
    timings = {}
    for n in (1, 2):
        empty_tables()
        took = run_workers(
            n, lambda: table_import_task.delay(str(LIAR), "liar", trusted=True), env, 1
        )
        timings[n] = took
        rows = Claim.objects.count()
        print(f"  {n} worker(s): {rows:,} rows in {took:.2f}s = {rows / took:,.0f} rows/s")
    print(f"  speed-up {timings[1] / timings[2]:.2f}x")


def bench_folder(mb: float, docs: int) -> None:
    from bench_import import write_generated
    from django.db import connection

    from claims.models import Claim
    from sources.tasks import FOLDER_BATCH_FILES, source_import_folder_task

    env = worker_env()
    from factcheck.celery import app

    app.control.purge()
    empty_tables()  # start from an empty database (LIAR rows gone)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        nbytes = write_generated(folder, docs, mb)
        runs = math.ceil(docs / FOLDER_BATCH_FILES)
        print(
            f"folder: {docs} files, {nbytes / 1e6:.1f} MB, {runs} tasks of "
            f"{FOLDER_BATCH_FILES} files"
        )
        send = functools.partial(source_import_folder_task.delay, [str(folder)])
        one = run_workers(1, send, env, runs)
        claims = Claim.objects.count()
        print(f"  1 worker: {one:.2f}s = {nbytes / 1e6 / one:.2f} MB/s ({claims:,} claims)")
        rerun = run_workers(1, send, env, runs)
        print(f"  re-run unchanged, 1 worker: {rerun:.2f}s ({rerun / one:.0%} of the first)")
        assert Claim.objects.count() == claims
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE claims_claimevent, " + ", ".join(TABLES) + " CASCADE")
        two = run_workers(2, send, env, runs)
        assert Claim.objects.count() == claims, (Claim.objects.count(), claims)
        print(f"  2 workers: {two:.2f}s = {nbytes / 1e6 / two:.2f} MB/s; speed-up {one / two:.2f}x")


def main() -> None:
    from bench_import_flags import bench_liar_flags

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=50.0)
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--skip-workers", action="store_true")
    parser.add_argument("--task-rows", type=int, default=2600, help="LIAR rows per task")
    parser.add_argument(
        "--flag-runs", type=int, default=2, help="LIAR imports without and with the flags' triggers"
    )
    args = parser.parse_args()

    import django

    local_environment_prepare()
    django.setup()
    from django.db import connection

    # Its own scratch database, so a test run of the same checkout (test_<NAME>) is left alone.
    connection.settings_dict["TEST"]["NAME"] = f"{connection.settings_dict['NAME']}_bench_imports"
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    print(
        f"scratch database: {test_db}; load average {os.getloadavg()[0]:.1f}, "
        f"{os.cpu_count()} cores"
    )
    try:
        bench_liar()
        bench_liar_flags(LIAR, args.flag_runs, empty_tables)
        if not args.skip_workers:
            bench_liar_workers(args.task_rows)
            bench_folder(args.mb, args.docs)
    finally:
        connection.close()
        connection.creation.destroy_test_db(test_db, verbosity=0)


if __name__ == "__main__":
    main()
