"""The cost of the triggers that keep Claim.public and Claim.in_force (claims/models.py) in a
trusted table import: the same import with them disabled and enabled, in turn, with their calls
and time (pg_stat_user_functions) and the claim rows their UPDATEs rewrote. Run by
bench_imports.py (`--flag-runs`), in its scratch database."""

import functools
import os
import time
from collections.abc import Callable
from pathlib import Path

print = functools.partial(print, flush=True)


def flag_triggers() -> list[tuple[str, str]]:
    """(table, trigger) of each trigger that keeps Claim.public and Claim.in_force."""
    from claims.models import Claim, Verdict

    return [
        (model._meta.db_table, trigger.get_pgid(model))
        for model in (Claim, Verdict)
        for trigger in model._meta.triggers  # type: ignore[union-attr]
        if "public" in trigger.name
    ]


def flag_stats() -> tuple[int, float, int]:
    """Calls and milliseconds of the flags' trigger functions (pg_stat_user_functions; 0 unless
    track_functions counts PL functions), and the claim rows updated, so far."""
    from django.db import connection

    pgids = [pgid for _, pgid in flag_triggers()]
    with connection.cursor() as cursor:
        # Statistics reach the shared counters when a backend goes idle, at most once a second
        # unless forced; read them in a new transaction.
        cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute(
            "SELECT coalesce(sum(calls), 0), coalesce(sum(total_time), 0)"
            " FROM pg_stat_user_functions WHERE funcname = ANY(%s)",
            [pgids],
        )
        calls, ms = cursor.fetchone()
        cursor.execute("SELECT n_tup_upd FROM pg_stat_user_tables WHERE relname = 'claims_claim'")
        (updated,) = cursor.fetchone()
    return int(calls), float(ms), int(updated)


def bench_liar_flags(liar_path: Path, pairs: int, empty_tables: Callable[[], None]) -> None:
    """The cost of the flags' triggers in the LIAR import (`liar_path`): the same import with
    them disabled and enabled, in turn, in `pairs` pairs, each into tables `empty_tables` has
    emptied. Timed and in CPU-seconds of the importer and of its PostgreSQL backend, which vary
    less than the time on a shared machine."""
    from bench_import import process_cpu
    from django.db import connection
    from django.db.utils import DatabaseError

    from sources.imports.tables import source_import_table
    from sources.parsers.table import TableFormat, TableLayout

    if not liar_path.exists() or pairs < 1:
        return
    liar = TableFormat(layout=TableLayout.LIAR)
    raw = liar_path.read_bytes()
    with connection.cursor() as cursor:
        try:
            cursor.execute("SET track_functions = 'pl'")  # a superuser's setting
        except DatabaseError:
            print("  (track_functions cannot be set: the triggers' own time is not shown)")
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    print(f"LIAR train without and with the flags' triggers ({pairs} pairs, in turn):")
    figures: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
    for pair in range(pairs):
        for enabled in (False, True) if pair % 2 == 0 else (True, False):  # ABBA: no order bias
            empty_tables()  # disabled, the triggers leave wrong flags: no run builds on them
            with connection.cursor() as cursor:
                for table, pgid in flag_triggers():
                    action = "ENABLE" if enabled else "DISABLE"
                    cursor.execute(f"ALTER TABLE {table} {action} TRIGGER {pgid}")
            calls, ms, updated = flag_stats()
            cpu = time.process_time() + process_cpu(backend)
            t0 = time.perf_counter()
            run = source_import_table(raw=raw, name=liar_path.name, trusted=True, table_format=liar)
            took = time.perf_counter() - t0
            cpu = time.process_time() + process_cpu(backend) - cpu
            calls_after, ms_after, updated_after = flag_stats()
            figures[enabled].append((took, cpu))
            print(
                f"  {'with   ' if enabled else 'without'}: {run.claims_created:,} rows in "
                f"{took:.2f}s = {run.claims_created / took:,.0f} rows/s, {cpu:.2f} CPU-seconds; "
                f"trigger calls {calls_after - calls} ({ms_after - ms:.0f} ms), "
                f"claim rows updated {updated_after - updated:,}"
            )
    with connection.cursor() as cursor:
        for table, pgid in flag_triggers():
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {pgid}")
    times = {k: sorted(t for t, _ in v)[len(v) // 2] for k, v in figures.items()}
    cpus = {k: sorted(c for _, c in v)[len(v) // 2] for k, v in figures.items()}
    print(
        f"  with / without: time {times[True] / times[False]:.2f}x, "
        f"CPU {cpus[True] / cpus[False]:.2f}x (medians); load average {os.getloadavg()[0]:.1f}"
    )
