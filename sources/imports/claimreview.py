"""Importing ClaimReview data (a schema.org DataFeed, JSON, HTML with JSON-LD) from bytes or a
URL."""

from factcheck.db import import_lock
from factcheck.fetch import FetchError, FetchUnavailable, fetch
from sources.imports.reviewed import Progress, reviewed_import
from sources.imports.runs import import_run_fail, import_run_guard, import_run_start
from sources.models import ImportRun
from sources.parsers.claimreview import ClaimReviewError, parse_claimreview
from sources.parsers.reviewed import ParsedItem


def source_import_claimreview(
    *,
    raw: bytes,
    origin: str,
    trusted: bool,
    task_id: str = "",
    progress: Progress | None = None,
) -> ImportRun:
    """Import the ClaimReview objects in `raw` (DataFeed, JSON array or object, or HTML with
    JSON-LD), published if `trusted`, else awaiting review (sources.imports.imported); an
    unusable item is skipped with its reason. Raises ImportBusy if `origin` is being
    imported."""
    with import_lock(f"claimreview:{origin}"):
        run = import_run_start(
            kind=ImportRun.Kind.CLAIMREVIEW, origin=origin, task_id=task_id, trusted=trusted
        )
        return claimreview_import_into(
            run=run, raw=raw, origin=origin, task_id=task_id, progress=progress
        )


def claimreview_import_into(
    *,
    run: ImportRun,
    raw: bytes,
    origin: str,
    task_id: str = "",
    progress: Progress | None = None,
) -> ImportRun:
    """Import the ClaimReview objects in `raw` into `run`, started already, and finish it (see
    source_import_claimreview); the run's trust decides whether they publish."""
    with import_run_guard(run=run, origin=origin):
        try:
            items = parse_claimreview(raw, origin=origin)
        except ClaimReviewError as exc:
            return import_run_fail(run=run, origin=origin, error=str(exc))
        parsed = (ParsedItem(f"{origin} {i.label}", i.claim, i.error) for i in items)
        return reviewed_import(
            run=run,
            parsed=parsed,
            origin=origin,
            task_id=task_id,
            progress=progress,
            batch_size=1000,
        )


def source_import_claimreview_url(*, url: str, trusted: bool, task_id: str = "") -> ImportRun:
    """Fetch `url` and import its ClaimReview data (see source_import_claimreview). Raises
    FetchUnavailable (transient)."""
    try:
        fetched = fetch(url)
    except FetchUnavailable:
        raise
    except FetchError as exc:
        run = ImportRun.objects.create(
            kind=ImportRun.Kind.CLAIMREVIEW, origin=url, task_id=task_id, trusted=trusted
        )
        return import_run_fail(run=run, origin=url, error=str(exc))
    return source_import_claimreview(raw=fetched.body, origin=url, trusted=trusted, task_id=task_id)
