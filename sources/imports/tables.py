"""Importing reviewed claims from CSV/TSV tables, whole or in ranges of rows several workers
share."""

from django.conf import settings
from django.db import transaction

from factcheck.db import import_lock
from sources.imports.reviewed import Progress, Stored, reviewed_import, reviewed_store
from sources.imports.runs import (
    ItemResult,
    RunTotals,
    import_run_fail,
    import_run_finish,
    import_run_record,
    import_run_start,
)
from sources.models import ImportRun
from sources.parsers.reviewed import ParsedItem
from sources.parsers.table import TableError, parse_table


def source_import_table(
    *,
    raw: bytes,
    name: str,
    layout: str = "header",
    columns: dict[str, int | str] | None = None,
    delimiter: str | None = None,
    publisher: str = "",
    language: str = "",
    task_id: str = "",
    progress: Progress | None = None,
) -> ImportRun:
    """Import the rows of a CSV/TSV table as published claims with imported verdicts.

    Rows are stored in batches of IMPORT_TABLE_CHUNK_ROWS (see reviewed_store), each in its own
    transaction; a bad row fails alone with its line number. Raises ImportBusy if a table of
    that name is being imported.
    """
    with import_lock(f"table:{name}"):
        run = import_run_start(kind=ImportRun.Kind.TABLE, origin=name, task_id=task_id)
        try:
            rows = parse_table(
                raw, name=name, layout=layout, columns=columns, delimiter=delimiter,
                publisher=publisher, language=language,
            )  # fmt: skip
            parsed = (ParsedItem(f"{name}:{r.line}", r.claim, r.error) for r in rows)
            return reviewed_import(
                run=run, parsed=parsed, origin=name, task_id=task_id, progress=progress,
                batch_size=settings.IMPORT_TABLE_CHUNK_ROWS,
            )  # fmt: skip
        except TableError as exc:
            return import_run_fail(run=run, origin=name, error=str(exc))


# --- A large table shared by several workers -------------------------------------------------


def table_chunks(*, raw: bytes, size: int) -> list[tuple[int, int | None]]:
    """Row ranges [first, last) of about `size` rows each (the last open-ended) for the table
    `raw`, from its line count: one range when it has at most `size` lines. (A quoted field
    holding line breaks makes the count high; a trailing range may then be empty.)"""
    lines = raw.count(b"\n") + (0 if raw.endswith(b"\n") else 1)
    if size <= 0 or lines <= size:
        return [(0, None)]
    starts = list(range(0, lines, size))
    return [(first, first + size) for first in starts[:-1]] + [(starts[-1], None)]


def _chunk_label(name: str, first: int, last: int | None) -> str:
    return f"{name} rows {first + 1}-{last if last is not None else 'end'}"


def source_import_table_start(*, name: str, task_id: str = "") -> ImportRun:
    """Record a run of the table `name` whose rows several tasks will import
    (source_import_table_chunk). Raises ImportBusy if a run of that table is starting."""
    with import_lock(f"table:{name}"):
        return import_run_start(kind=ImportRun.Kind.TABLE, origin=name, task_id=task_id)


def source_import_table_chunk(
    *,
    run_id: int,
    raw: bytes,
    name: str,
    first: int,
    last: int | None,
    chunks: int,
    layout: str = "header",
    columns: dict[str, int | str] | None = None,
    delimiter: str | None = None,
    publisher: str = "",
    language: str = "",
    task_id: str = "",
) -> ImportRun | None:
    """Import rows [first, last) of a table into the run `run_id` (one of `chunks` ranges of
    table_chunks), then record the range's result in the run; the range that completes the
    run finishes it. Returns the run, or None if it is gone.

    Idempotent: the rows' natural keys make a repeated range create nothing, and a range
    recorded already is not counted twice (a redelivered task). Raises ImportBusy if the same
    range is being imported right now."""
    label = _chunk_label(name, first, last)
    with import_lock(f"table:{name}:{first}"):
        if not ImportRun.objects.filter(pk=run_id).exists():
            return None  # deleted since
        run = ImportRun(pk=run_id)
        try:
            rows = parse_table(
                raw, name=name, layout=layout, columns=columns, delimiter=delimiter,
                publisher=publisher, language=language, first=first, last=last,
            )  # fmt: skip
            parsed = (ParsedItem(f"{name}:{r.line}", r.claim, r.error) for r in rows)
            stored = reviewed_store(
                run=run, parsed=parsed, task_id=task_id, progress=None,
                batch_size=settings.IMPORT_TABLE_CHUNK_ROWS,
            )  # fmt: skip
        except TableError as exc:  # named after the file: the range's summary counts ranges
            stored = Stored(RunTotals(failed=1), [ItemResult.failed(name, str(exc))])
        return _record_chunk(run_id=run_id, name=name, label=label, chunks=chunks, stored=stored)


@transaction.atomic
def _record_chunk(*, run_id: int, name: str, label: str, chunks: int, stored: Stored) -> ImportRun:
    run = ImportRun.objects.select_for_update().get(pk=run_id)
    if any(item.get("path") == label for item in run.items):
        return run  # recorded already: this range's task was delivered twice
    items = [*map(ItemResult.from_json, run.items), stored.totals.summary(label), *stored.failures]
    totals = RunTotals.recorded(run) + stored.totals
    done = sum(1 for item in items if item.path.startswith(f"{name} rows "))
    if done < chunks:
        import_run_record(run=run, totals=totals, items=items)
        run.save()
    else:
        import_run_finish(run=run, totals=totals, items=items)
    return run
