from pathlib import Path

from celery import Task, shared_task
from django.conf import settings
from django.contrib.auth import get_user_model

from factcheck.db import ImportBusy
from factcheck.fetch import FetchUnavailable
from sources.imports.analyze import tables_analyze
from sources.imports.claimreview import source_import_claimreview, source_import_claimreview_url
from sources.imports.documents import folder_batches, source_import_paths
from sources.imports.feeds import feed_poll
from sources.imports.runs import TableChunk
from sources.imports.tables import (
    source_import_table,
    source_import_table_chunk,
    source_import_table_start,
    table_chunks,
)
from sources.imports.undo import import_run_undo
from sources.imports.uploads import upload_import
from sources.models import Feed, ImportRun
from sources.parsers.table import TableFormat, TableLayout


@shared_task(bind=True, acks_late=True)
def source_import_paths_task(self: Task, paths: list[str] | None = None) -> int:
    """Import files and folders (default: the watched SEEDS_DIR); returns the ImportRun id.

    Redelivery after a lost worker is harmless: a file whose bytes were stored is unchanged.
    Bytes refused before are not tried again (they would fail the same way on every run).
    """
    targets = [Path(p) for p in paths] if paths else [Path(settings.SEEDS_DIR)]
    run = source_import_paths(paths=targets, task_id=self.request.id or "", skip_refused=True)
    return run.pk


# --- Scheduled imports -------------------------------------------------------------------------
# Ids and JSON primitives only; each task re-reads what it needs and calls one service.
# acks_late (settings) + idempotent services: a task redelivered after a lost worker finishes
# the job without writing anything twice. Only transient fetch failures are retried, boundedly:
RETRY_FETCH_UNAVAILABLE = {
    "autoretry_for": (FetchUnavailable,),
    "retry_backoff": 30,
    "retry_jitter": True,
    "max_retries": 5,
}


# Files per task when a folder is fanned out, so that several workers share one folder.
FOLDER_BATCH_FILES = 20


@shared_task(bind=True, acks_late=True)
def source_import_folder_task(self: Task, paths: list[str] | None = None) -> int:
    """Split the watched folder (or `paths`) into batches of files, one task each; returns
    the number of tasks queued. Scheduled by beat every SEEDS_IMPORT_INTERVAL seconds."""
    targets = [Path(p) for p in paths] if paths else [Path(settings.SEEDS_DIR)]
    batches = folder_batches(paths=targets, size=FOLDER_BATCH_FILES)
    for batch in batches:
        source_import_paths_task.delay(batch)
    return len(batches)


@shared_task(bind=True, acks_late=True, **RETRY_FETCH_UNAVAILABLE)
def feed_poll_task(self: Task, feed_id: int) -> int | None:
    """Poll one feed; returns the ImportRun id (None: feed gone, disabled or being polled)."""
    feed = Feed.objects.filter(pk=feed_id, enabled=True).first()
    if feed is None:
        return None  # deleted or disabled since it was queued
    try:
        return feed_poll(feed=feed, task_id=self.request.id or "").pk
    except ImportBusy:
        return None  # another worker is polling it right now


@shared_task(bind=True, acks_late=True, **RETRY_FETCH_UNAVAILABLE)
def claimreview_import_url_task(self: Task, url: str, trusted: bool = False) -> int:
    """Import the ClaimReview data at `url`, published if `trusted`, else awaiting review."""
    task_id = self.request.id or ""
    return source_import_claimreview_url(url=url, trusted=trusted, task_id=task_id).pk


@shared_task(bind=True, acks_late=True)
def claimreview_import_file_task(self: Task, path: str, trusted: bool = False) -> int | None:
    """Import a ClaimReview file, published if `trusted`, else awaiting review."""
    try:
        raw = Path(path).read_bytes()
        task_id = self.request.id or ""
        return source_import_claimreview(raw=raw, origin=path, trusted=trusted, task_id=task_id).pk
    except ImportBusy:
        return None


@shared_task(bind=True, acks_late=True)
def table_import_task(
    self: Task,
    path: str,
    layout: str = "header",
    columns: dict[str, int | str] | None = None,
    publisher: str = "",
    language: str = "",
    trusted: bool = False,
) -> int | None:
    """Import a CSV/TSV file (a path the worker can read, e.g. under SEEDS_DIR); returns the
    ImportRun id, or None if the same table is being imported. `trusted`: its rows publish on
    import; otherwise they await review.

    A table of more than IMPORT_TABLE_TASK_ROWS rows is split into chunks of that many rows,
    one table_import_chunk_task each, so that several workers share it; they record their
    results in one ImportRun, which the last of them finishes."""
    table_format = _table_format(layout, columns, publisher, language)
    name, task_id = Path(path).name, self.request.id or ""
    try:
        raw = Path(path).read_bytes()
        chunks = table_chunks(raw=raw, size=settings.IMPORT_TABLE_TASK_ROWS)
        if len(chunks) > 1:
            run = source_import_table_start(
                name=name, chunks=chunks, trusted=trusted, task_id=task_id
            )
            for first, last in chunks:  # the run is committed: the tasks may start at once
                table_import_chunk_task.delay(
                    run.pk, path, first, last, len(chunks), layout, columns, publisher, language
                )
            return run.pk
        run = source_import_table(
            raw=raw, name=name, trusted=trusted, table_format=table_format, task_id=task_id
        )
    except ImportBusy:
        return None
    return run.pk


# A range's lock held elsewhere is usually a duplicate delivery that finishes the range itself,
# but it can also be the backend of a worker machine that vanished: its connection, and so its
# lock, lives until PostgreSQL's TCP keepalive notices (operations.md). Dropping the range then
# would leave the run short of it for good, so the range waits for the lock, boundedly (about
# 20 minutes); a range finished meanwhile is found unchanged.
RETRY_RANGE_BUSY = {
    "autoretry_for": (ImportBusy,),
    "retry_backoff": 15,
    "retry_backoff_max": 180,
    "retry_jitter": True,
    "max_retries": 10,
}


@shared_task(bind=True, acks_late=True, **RETRY_RANGE_BUSY)
def table_import_chunk_task(
    self: Task,
    run_id: int,
    path: str,
    first: int,
    last: int | None,
    chunks: int,
    layout: str = "header",
    columns: dict[str, int | str] | None = None,
    publisher: str = "",
    language: str = "",
) -> int | None:
    """Import rows [first, last) of a table into the run `run_id` (see table_import_task);
    returns the run id, or None if the run is gone. Retried while the range's lock is held.

    `chunks`, how many chunks the run has, is not read (the run's chunk rows count them); it
    stays an argument so that the task's messages keep their shape."""
    run = source_import_table_chunk(
        run_id=run_id,
        raw=Path(path).read_bytes(),
        name=Path(path).name,
        chunk=TableChunk(first, last),
        table_format=_table_format(layout, columns, publisher, language),
        task_id=self.request.id or "",
    )
    return run.pk if run is not None else None


def _table_format(
    layout: str, columns: dict[str, int | str] | None, publisher: str, language: str
) -> TableFormat:
    return TableFormat(
        layout=TableLayout(layout), columns=columns, publisher=publisher, language=language
    )


@shared_task(bind=True, acks_late=True)
def upload_import_task(self: Task, upload_id: int) -> int | None:
    """Import an upload confirmed in the admin into its run; returns the run id (None: nothing
    to import, or another worker is importing it)."""
    try:
        run = upload_import(upload_id=upload_id, task_id=self.request.id or "")
    except ImportBusy:
        return None
    return run.pk if run is not None else None


@shared_task(acks_late=True)
def tables_analyze_task() -> list[str]:
    """ANALYZE the tables imports grew by a large share (sources/imports/analyze.py), queued
    when a run commits; returns the tables analyzed. Redelivered, it finds them analyzed."""
    return tables_analyze()


@shared_task(bind=True, acks_late=True)
def import_run_undo_task(self: Task, run_id: int, user_id: int | None = None) -> int:
    """Undo an import run as `user_id` asked in the admin; returns the claims withdrawn in all
    (0: the run is gone). Idempotent: a redelivered task withdraws nothing twice."""
    run = ImportRun.objects.filter(pk=run_id).first()
    if run is None:
        return 0
    actor = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    run = import_run_undo(run=run, actor=actor, request_id=self.request.id or "")
    return int(run.undo.get("withdrawn", 0))
