"""Importing reviewed claims from CSV/TSV tables, whole or in chunks of rows that several workers
share."""

import logging
from collections.abc import Sequence

from django.conf import settings

from factcheck.db import import_lock
from sources.imports.reviewed import Progress, Stored, reviewed_import, reviewed_store
from sources.imports.runs import (
    ItemResult,
    RunTotals,
    TableChunk,
    failure_reason,
    import_run_fail,
    import_run_finish_chunk,
    import_run_guard,
    import_run_start,
)
from sources.models import ImportRun
from sources.parsers.table import HEADER_TABLE, TableError, TableFormat, parse_table

logger = logging.getLogger(__name__)


def source_import_table(
    *,
    raw: bytes,
    name: str,
    trusted: bool,
    table_format: TableFormat = HEADER_TABLE,
    task_id: str = "",
    progress: Progress | None = None,
) -> ImportRun:
    """Import the rows of a CSV/TSV table as claims with imported verdicts, published if the
    table is `trusted`, else awaiting review (sources.imports.imported).

    Rows are stored in batches of IMPORT_TABLE_CHUNK_ROWS (see reviewed_store), each in its own
    transaction; a bad row fails alone with its line number. Raises ImportBusy if a table of
    that name is being imported.
    """
    with import_lock(f"table:{name}"):
        run = import_run_start(
            kind=ImportRun.Kind.TABLE, origin=name, task_id=task_id, trusted=trusted
        )
        return table_import_into(
            run=run,
            raw=raw,
            name=name,
            table_format=table_format,
            task_id=task_id,
            progress=progress,
        )


def table_import_into(
    *,
    run: ImportRun,
    raw: bytes,
    name: str,
    table_format: TableFormat,
    task_id: str = "",
    progress: Progress | None = None,
) -> ImportRun:
    """Import the rows of a table into `run`, started already, and finish it (see
    source_import_table); the run's trust decides whether they publish."""
    with import_run_guard(run=run, origin=name):
        try:
            return reviewed_import(
                run=run,
                parsed=parse_table(raw, name=name, table_format=table_format),
                origin=name,
                task_id=task_id,
                progress=progress,
                batch_size=settings.IMPORT_TABLE_CHUNK_ROWS,
            )
        except TableError as exc:
            return import_run_fail(run=run, origin=name, error=str(exc))


# --- A large table shared by several workers -------------------------------------------------


def table_chunks(*, raw: bytes, size: int) -> list[TableChunk]:
    """Chunks of about `size` rows each (the last open-ended) of the table `raw`, from its line
    count: one chunk when it has at most `size` lines. (A quoted field holding line breaks
    makes the count high; a trailing chunk may then be empty.)"""
    lines = raw.count(b"\n") + (0 if raw.endswith(b"\n") else 1)
    if size <= 0 or lines <= size:
        return [TableChunk(0, None)]
    starts = list(range(0, lines, size))
    return [TableChunk(first, first + size) for first in starts[:-1]] + [
        TableChunk(starts[-1], None)
    ]


def source_import_table_start(
    *, name: str, chunks: Sequence[TableChunk], trusted: bool, task_id: str = ""
) -> ImportRun:
    """Record a run of the table `name` whose `chunks` several tasks will import
    (source_import_table_chunk); `trusted`: its rows publish on import. Raises ImportBusy if a
    run of that table is starting."""
    with import_lock(f"table:{name}"):
        return import_run_start(
            kind=ImportRun.Kind.TABLE, origin=name, task_id=task_id, trusted=trusted, chunks=chunks
        )


def source_import_table_chunk(
    *,
    run_id: int,
    raw: bytes,
    name: str,
    chunk: TableChunk,
    table_format: TableFormat = HEADER_TABLE,
    task_id: str = "",
) -> ImportRun | None:
    """Import the rows of `chunk` of a table into the run `run_id`, then finish the chunk (with
    a summary item for it and one for each row that failed or is a duplicate); the last chunk
    to finish finishes the run. Returns the run, or None if it is gone.

    Idempotent: the rows' natural keys make a repeated chunk create nothing, and a chunk
    finished already is not counted twice (a redelivered task). The run says whether its rows
    publish on import. Raises ImportBusy if the same chunk is being imported right now."""
    with import_lock(f"table:{name}:{chunk.first}"):
        run = ImportRun.objects.filter(pk=run_id).only("pk", "trusted").first()
        if run is None:
            return None  # deleted since
        try:
            rows = parse_table(
                raw, name=name, table_format=table_format, first=chunk.first, last=chunk.last
            )
            stored = reviewed_store(
                run=run,
                parsed=rows,
                task_id=task_id,
                progress=None,
                batch_size=settings.IMPORT_TABLE_CHUNK_ROWS,
            )
        except TableError as exc:  # named after the file: the chunk's summary counts chunks
            stored = Stored(RunTotals(failed=1), [ItemResult.failed(name, str(exc))])
        except BaseException as exc:
            # Finish the chunk as failed, so that the run still finishes with the last chunk.
            reason = f"stopped by an unexpected error: {failure_reason(exc)}"
            try:
                import_run_finish_chunk(
                    run_id=run_id,
                    chunk=chunk,
                    totals=RunTotals(failed=1),
                    items=[ItemResult.failed(chunk.label(name), reason)],
                )
            except Exception:  # the database itself may be what failed: raised below
                logger.exception("chunk %s of run %s could not be marked failed", chunk, run_id)
            raise
        return import_run_finish_chunk(
            run_id=run_id, chunk=chunk, totals=stored.totals, items=stored.items(chunk.label(name))
        )
