"""Scheduled and on-demand imports: tables, ClaimReview, feeds (issue 5).

Every run is an ImportRun with per-item results; one run per origin at a time (a PostgreSQL
advisory lock held for the run); idempotent by natural keys, so a redelivered task or a run
after a killed worker finishes the job with nothing twice and nothing missing. Network I/O
happens before any transaction.
"""

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict
from pathlib import Path

import feedparser
import trafilatura
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from claims.imports import (
    ImportedBatch,
    ImportedClaim,
    RatingMapper,
    claims_create_imported,
    imported_prepare,
    imported_stored_keys,
)
from factcheck.db import import_lock
from sources.models import Feed, ImportRun, Source
from sources.parsers.claimreview import ClaimReviewError, parse_claimreview
from sources.parsers.fetch import FetchError, fetch
from sources.parsers.table import TableError, parse_table
from sources.parsers.text import UnreadableInput
from sources.services import ItemResult, pipelined, source_import_bytes

logger = logging.getLogger(__name__)

Progress = Callable[[int], None]


def _start(kind: str, origin: str, task_id: str) -> ImportRun:
    """Record a new run. Called with the origin's lock held, so an earlier run of the same
    origin still marked running was cut short (its worker was killed): say so."""
    ImportRun.objects.filter(
        kind=kind, origin=origin, status=ImportRun.Status.RUNNING, finished_at__isnull=True
    ).update(
        status=ImportRun.Status.FAILED,
        items=[_item(origin, "failed", error="interrupted: its worker stopped mid-run")],
    )
    return ImportRun.objects.create(kind=kind, origin=origin, task_id=task_id)


def _finish(run: ImportRun, *, imported: int, unchanged: int, failed: int, items: list) -> None:  # type: ignore[type-arg]
    run.sources_created = imported
    run.claims_created = imported
    run.items_unchanged = unchanged
    run.items_failed = failed
    run.items = items
    total = imported + unchanged + failed
    if failed == 0:
        run.status = ImportRun.Status.SUCCEEDED
    elif failed >= total:
        run.status = ImportRun.Status.FAILED
    else:
        run.status = ImportRun.Status.PARTIAL
    run.finished_at = timezone.now()
    run.save()


def _fail(run: ImportRun, origin: str, error: str) -> ImportRun:
    _finish(run, imported=0, unchanged=0, failed=1, items=[_item(origin, "failed", error=error)])
    return run


def _item(path: str, status: str, *, claims: int = 0, source: int | None = None, error=None):  # type: ignore[no-untyped-def]
    return asdict(
        ItemResult(path=path, status=status, source=source, claims_created=claims, error=error)
    )


def _store_reviewed(
    run: ImportRun,
    parsed: Iterator[tuple[str, ImportedClaim | None, str | None]],
    *,
    origin: str,
    task_id: str,
    progress: Progress | None,
    batch_size: int,
) -> ImportRun:
    """Store parsed (label, claim, error) items in batches; record failures per item and one
    summary item for `origin`, and finish the run."""
    imported, unchanged, failures = _store_items(
        run, parsed, task_id=task_id, progress=progress, batch_size=batch_size
    )
    _finish(
        run, imported=imported, unchanged=unchanged, failed=len(failures),
        items=[_summary(origin, imported, unchanged, failures), *failures],
    )  # fmt: skip
    return run


def _summary(origin: str, imported: int, unchanged: int, failures: list) -> dict:  # type: ignore[type-arg]
    status = "imported" if imported else ("failed" if failures and not unchanged else "unchanged")
    error = f"{len(failures)} item(s) failed" if failures else None
    return _item(origin, status, claims=imported, error=error)


def _store_items(
    run: ImportRun,
    parsed: Iterator[tuple[str, ImportedClaim | None, str | None]],
    *,
    task_id: str,
    progress: Progress | None,
    batch_size: int,
) -> tuple[int, int, list]:  # type: ignore[type-arg]
    """Store parsed (label, claim, error) items in batches; return how many were imported and
    unchanged, and the failed items.

    Keys stored before are looked up first (so a re-run scores nothing); then, while one
    batch is written, the next one's new claims are scored and their rows made ready in a
    second thread (pipelined, as documents are). The first batch is a fifth of `batch_size`:
    it is prepared while nothing is being written.
    """
    mapper = RatingMapper()
    imported = unchanged = 0
    failures: list = []  # type: ignore[type-arg]

    def batches() -> Iterator[tuple[list[ImportedClaim], set[str]]]:
        batch: list[ImportedClaim] = []
        size = max(1, batch_size // 5)
        for label, claim, error in parsed:
            if claim is None:
                failures.append(_item(label, "failed", error=error))
                if progress is not None:
                    progress(1)
                continue
            batch.append(claim)
            if len(batch) >= size:
                yield batch, imported_stored_keys(batch)
                batch, size = [], batch_size
        if batch:
            yield batch, imported_stored_keys(batch)

    def prepare(looked_up: tuple[list[ImportedClaim], set[str]]) -> ImportedBatch:
        claims, stored = looked_up
        return imported_prepare(items=claims, mapper=mapper, stored=stored)

    def write(prepared: ImportedBatch) -> None:
        nonlocal imported, unchanged
        new = 0
        if prepared.unique:  # else every key was stored before (a re-run): nothing to write
            results = claims_create_imported(
                prepared=prepared, import_run_id=run.pk, request_id=task_id
            )
            new = sum(1 for r in results if r.status == "imported")
        imported += new
        unchanged += len(prepared.items) - new
        if progress is not None:
            progress(len(prepared.items))

    pipelined(batches(), prepare=prepare, write=write)
    return imported, unchanged, failures


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

    Rows are stored in batches of IMPORT_TABLE_CHUNK_ROWS (see _store_items), each in its own
    transaction; a bad row fails alone with its line number. Raises ImportBusy if a table of
    that name is being imported.
    """
    with import_lock(f"table:{name}"):
        run = _start(ImportRun.Kind.TABLE, name, task_id)
        try:
            rows = parse_table(
                raw, name=name, layout=layout, columns=columns, delimiter=delimiter,
                publisher=publisher, language=language,
            )  # fmt: skip
            parsed = ((f"{name}:{r.line}", r.claim, r.error) for r in rows)
            return _store_reviewed(
                run, parsed, origin=name, task_id=task_id, progress=progress,
                batch_size=settings.IMPORT_TABLE_CHUNK_ROWS,
            )  # fmt: skip
        except TableError as exc:
            return _fail(run, name, str(exc))


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
        return _start(ImportRun.Kind.TABLE, name, task_id)


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
            parsed = ((f"{name}:{r.line}", r.claim, r.error) for r in rows)
            imported, unchanged, failures = _store_items(
                run, parsed, task_id=task_id, progress=None,
                batch_size=settings.IMPORT_TABLE_CHUNK_ROWS,
            )  # fmt: skip
        except TableError as exc:  # named after the file: the range's summary counts ranges
            imported, unchanged, failures = 0, 0, [_item(name, "failed", error=str(exc))]
        return _record_chunk(
            run_id=run_id, name=name, label=label, chunks=chunks,
            imported=imported, unchanged=unchanged, failures=failures,
        )  # fmt: skip


@transaction.atomic
def _record_chunk(
    *, run_id: int, name: str, label: str, chunks: int, imported: int, unchanged: int,
    failures: list,  # type: ignore[type-arg]
) -> ImportRun:  # fmt: skip
    run = ImportRun.objects.select_for_update().get(pk=run_id)
    if any(item.get("path") == label for item in run.items):
        return run  # recorded already: this range's task was delivered twice
    items = [*run.items, _summary(label, imported, unchanged, failures), *failures]
    imported += run.sources_created
    unchanged += run.items_unchanged
    failed = run.items_failed + len(failures)
    done = sum(1 for item in items if str(item.get("path", "")).startswith(f"{name} rows "))
    if done < chunks:
        run.sources_created = run.claims_created = imported
        run.items_unchanged, run.items_failed, run.items = unchanged, failed, items
        run.save()
    else:
        _finish(run, imported=imported, unchanged=unchanged, failed=failed, items=items)
    return run


def source_import_claimreview(
    *, raw: bytes, origin: str, task_id: str = "", progress: Progress | None = None
) -> ImportRun:
    """Import the ClaimReview objects in `raw` (DataFeed, JSON array or object, or HTML with
    JSON-LD); an unusable item is skipped with its reason."""
    with import_lock(f"claimreview:{origin}"):
        run = _start(ImportRun.Kind.CLAIMREVIEW, origin, task_id)
        try:
            items = parse_claimreview(raw, origin=origin)
        except ClaimReviewError as exc:
            return _fail(run, origin, str(exc))
        parsed = ((f"{origin} {i.label}", i.claim, i.error) for i in items)
        return _store_reviewed(
            run, parsed, origin=origin, task_id=task_id, progress=progress, batch_size=1000
        )


def source_import_claimreview_url(*, url: str, task_id: str = "") -> ImportRun:
    """Fetch `url` and import its ClaimReview data. Raises FetchUnavailable (transient)."""
    try:
        fetched = fetch(url)
    except FetchError as exc:
        if exc.__class__ is not FetchError:
            raise
        run = ImportRun.objects.create(kind=ImportRun.Kind.CLAIMREVIEW, origin=url, task_id=task_id)
        return _fail(run, url, str(exc))
    return source_import_claimreview(raw=fetched.body, origin=url, task_id=task_id)


# --- RSS/Atom feeds ------------------------------------------------------------------------

# Below this many characters an entry's own text is a teaser: the linked page is fetched.
FEED_ENTRY_MIN_CHARS = 400


def _html_text(html: str) -> str:
    text = trafilatura.extract(
        html, include_comments=False, include_tables=False, favor_recall=True
    )
    return (text or "").strip()


def _entry_text(entry: feedparser.FeedParserDict) -> str:
    for content in entry.get("content", []):
        value = content.get("value", "")
        text = (
            _html_text(f"<html><body><article>{value}</article></body></html>")
            if "<" in value
            else value
        )
        if text.strip():
            return text.strip()
    summary = entry.get("summary", "")
    if "<" in summary:
        return _html_text(f"<html><body><article>{summary}</article></body></html>") or summary
    return summary.strip()


def feed_import_entries(*, feed: Feed, raw: bytes, run: ImportRun) -> list[ItemResult]:
    """Import each entry of a fetched feed as a source (its link unique); the linked page is
    fetched and extracted when the entry carries only a teaser."""
    parsed = feedparser.parse(raw)
    if not parsed.get("version") and not parsed.entries:
        reason = parsed.get("bozo_exception") or "no RSS or Atom elements"
        raise UnreadableInput(f"not an RSS/Atom feed: {reason}")
    results = []
    for n, entry in enumerate(parsed.entries, start=1):
        link = entry.get("link") or ""
        label = link or f"{feed.url} entry {n}"
        existing = Source.objects.filter(url=link).only("pk").first() if link else None
        if existing is not None:
            results.append(ItemResult(path=label, status="unchanged", source=existing.pk))
            continue
        try:
            text = _entry_text(entry)
            if len(text) < FEED_ENTRY_MIN_CHARS and link:
                page = fetch(link)
                text = _html_text(page.body.decode("utf-8", errors="replace")) or text
            if not text:
                raise UnreadableInput("the entry has no text and its page none either")
            source, created = source_import_bytes(
                raw=text.encode(), origin=label, run=run, title=entry.get("title", "")[:500],
                url=link or None,
            )  # fmt: skip
            if feed.language and not source.language:
                Source.objects.filter(pk=source.pk).update(language=feed.language)
        except (FetchError, UnreadableInput) as exc:
            results.append(ItemResult(path=label, status="failed", error=str(exc)))
            continue
        status = "imported" if created else "unchanged"
        results.append(
            ItemResult(path=label, status=status, source=source.pk, claims_created=created)
        )
    return results


def feed_poll(*, feed: Feed, task_id: str = "") -> ImportRun:
    """Poll `feed` once (RSS/Atom or ClaimReview) and record the outcome on the feed: last
    success, or one more consecutive failure with its error. Raises FetchUnavailable for a
    transient fetch failure (after recording it) so the task can retry; ImportBusy if the feed
    is being polled already."""
    from sources.services import import_run_finish

    with import_lock(f"feed:{feed.pk}"):
        try:
            if feed.kind == Feed.Kind.CLAIMREVIEW:
                run = source_import_claimreview_url(url=feed.url, task_id=task_id)
            else:
                run = _start(ImportRun.Kind.FEED, feed.url, task_id)
                try:
                    results = feed_import_entries(feed=feed, raw=fetch(feed.url).body, run=run)
                except FetchError as exc:
                    if exc.__class__ is not FetchError:
                        _fail(run, feed.url, str(exc))
                        raise
                    results = [ItemResult(path=feed.url, status="failed", error=str(exc))]
                except UnreadableInput as exc:
                    results = [ItemResult(path=feed.url, status="failed", error=str(exc))]
                run = import_run_finish(run=run, results=results)
        except FetchError as exc:
            _feed_outcome(feed, None, str(exc))
            raise
        error = "" if run.status != ImportRun.Status.FAILED else _first_error(run)
        _feed_outcome(feed, run, error)
        return run


def _first_error(run: ImportRun) -> str:
    for item in run.items:
        if item.get("error"):
            return str(item["error"])
    return "failed"


def _feed_outcome(feed: Feed, run: ImportRun | None, error: str) -> None:
    if error:
        Feed.objects.filter(pk=feed.pk).update(
            consecutive_failures=F("consecutive_failures") + 1,
            last_error=error[:2000],
            last_run=run,
        )
    else:
        Feed.objects.filter(pk=feed.pk).update(
            consecutive_failures=0, last_error="", last_success_at=timezone.now(), last_run=run
        )
    feed.refresh_from_db()


def folder_batches(*, paths: Sequence[Path], size: int) -> list[list[str]]:
    """The files under `paths` in batches of `size`, for per-batch tasks several workers share."""
    from sources.services import _walk

    files = [str(p) for p in _walk(list(paths))]
    return [files[i : i + size] for i in range(0, len(files), size)]
