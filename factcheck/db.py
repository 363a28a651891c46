"""Database helpers the bulk writers share: COPY, settings for bulk-write transactions, and the
advisory locks: one run of an import (or an export) at a time, one writer of a name's rows."""

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection

# COPY's text format escapes these four characters with a backslash (PostgreSQL "COPY", File
# Formats); NULL is \N.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_escape(value: str) -> str:
    """`value` as a field of COPY's text format."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_COPY_ESCAPES)
    return value


def _copy_sql(table: str, columns: Sequence[str]) -> str:
    names = ", ".join(f'"{name}"' for name in columns)
    return f"COPY {table} ({names}) FROM STDIN"


def copy_rows(*, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write `rows` (values in `columns` order) into `table` with one COPY; return how many.

    COPY is the floor for bulk inserts: `bulk_create` spends most of its time building model
    instances and quoting parameters. Precondition: the caller holds a transaction."""
    count = 0
    with connection.cursor() as cursor:
        with cursor.cursor.copy(_copy_sql(table, columns)) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


def copy_text(*, table: str, columns: Sequence[str], text: str) -> None:
    """Write `text`, rows already in COPY's text format (copy_escape; NULL is \\N), into `table`.

    For a writer that formats its rows faster than psycopg's `write_row`, which looks up a
    dumper for each value of each row. Precondition: the caller holds a transaction."""
    with connection.cursor() as cursor:
        with cursor.cursor.copy(_copy_sql(table, columns)) as copy:
            copy.write(text)


def bulk_write_settings() -> None:
    """Settings for the rest of the caller's import transaction (SET LOCAL: they end with it).

    - `synchronous_commit = off`: the commit returns before its WAL reaches the disk. Safe for
      imports: a crash of the database server can lose only the last few hundred milliseconds
      of commits, never corrupt anything, and every import is idempotent by natural keys (the
      content hash), so the next run stores exactly what was lost; a run whose batches were
      lost still shows as `running` and is then recorded as interrupted. Whatever an ImportRun
      reports as finished is durable: the run's own (synchronous) commit flushes the WAL up to
      it, and the earlier import commits with it. A matching task queued for claims lost in
      such a crash finds no rows and does nothing.
    - `jit = off`: without statistics on the staging table the planner expects millions of
      rows and JIT-compiles each batch's insert statement: 0.35 s of a 5,000-row batch's
      1.2 s (LIAR), for a statement that runs once.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('synchronous_commit', 'off', true), set_config('jit', 'off', true)"
        )


class ImportBusy(Exception):
    """Another run holds the lock for this origin; this one did nothing."""


def advisory_key(name: str) -> int:
    """The PostgreSQL advisory lock key (a signed 64-bit integer) that import_lock takes."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@contextmanager
def import_lock(name: str) -> Iterator[None]:
    """Hold a session-level PostgreSQL advisory lock on `name` for the block, or raise
    ImportBusy at once. A killed worker's connection closes, which releases its lock."""
    key = advisory_key(name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        if not cursor.fetchone()[0]:
            raise ImportBusy(name)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


def xact_lock(name: str) -> None:
    """Wait for the transaction-level PostgreSQL advisory lock on `name`; the caller's
    transaction holds it until it ends. Precondition: the caller holds a transaction."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [advisory_key(name)])
