"""Polling feeds: RSS/Atom entries become documents (the linked page when an entry is a teaser);
a ClaimReview feed is imported as reviewed claims. Each poll records its outcome on the feed."""

import logging

import feedparser
from django.db.models import F
from django.utils import timezone

from factcheck.db import import_lock
from factcheck.fetch import FetchError, FetchUnavailable, fetch
from factcheck.links import UnsafeURL, web_url_check
from sources.imports.claimreview import source_import_claimreview_url
from sources.imports.documents import source_import_bytes
from sources.imports.runs import (
    ItemResult,
    ItemStatus,
    RunTotals,
    failure_reason,
    import_run_fail,
    import_run_finish,
    import_run_guard,
    import_run_start,
)
from sources.models import Feed, ImportRun, Source
from sources.parsers.clean import storable
from sources.parsers.documents import html_text
from sources.parsers.text import UnreadableInput

logger = logging.getLogger(__name__)

# Below this many characters an entry's own text is a teaser: the linked page is fetched.
FEED_ENTRY_MIN_CHARS = 400


def _entry_text(entry: feedparser.FeedParserDict) -> str:
    for content in entry.get("content", []):
        value = content.get("value", "")
        text = (
            html_text(f"<html><body><article>{value}</article></body></html>")
            if "<" in value
            else value
        )
        if text.strip():
            return text.strip()
    summary = entry.get("summary", "")
    if "<" in summary:
        return html_text(f"<html><body><article>{summary}</article></body></html>") or summary
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
        link = storable(str(entry.get("link") or "")).strip()
        label = link[:300] or f"{feed.url} entry {n}"
        try:
            results.append(_import_entry(feed=feed, entry=entry, link=link, label=label, run=run))
        except (FetchError, UnreadableInput) as exc:
            results.append(ItemResult.failed(label, str(exc)))
        except UnsafeURL as exc:
            results.append(ItemResult.failed(label, f"link refused: {exc}"))
        except Exception as exc:  # one entry's surprise must not cost the others
            logger.exception("feed %s: entry %s failed", feed.url, label)
            results.append(ItemResult.failed(label, f"cannot be imported: {failure_reason(exc)}"))
    return results


def _import_entry(
    *, feed: Feed, entry: feedparser.FeedParserDict, link: str, label: str, run: ImportRun
) -> ItemResult:
    """Import one entry of `feed` as a source. Its link, stored as the source's URL and
    rendered as a link, must be an http(s) URL (factcheck.links)."""
    if link:
        web_url_check(link)
        existing = Source.objects.filter(url=link).only("pk").first()
        if existing is not None:
            return ItemResult(path=label, status=ItemStatus.UNCHANGED, source=existing.pk)
    text = storable(_entry_text(entry))
    if len(text) < FEED_ENTRY_MIN_CHARS and link:
        page = fetch(link)
        text = storable(html_text(page.body.decode("utf-8", errors="replace"))) or text
    if not text:
        raise UnreadableInput("the entry has no text and its page none either")
    source, created = source_import_bytes(
        raw=text.encode(),
        origin=label,
        run=run,
        title=storable(str(entry.get("title", "")))[:500],
        url=link or None,
    )
    if feed.language and not source.language:
        Source.objects.filter(pk=source.pk).update(language=feed.language)
    status = ItemStatus.IMPORTED if created else ItemStatus.UNCHANGED
    return ItemResult(path=label, status=status, source=source.pk, claims_created=created)


def feed_poll(*, feed: Feed, task_id: str = "") -> ImportRun:
    """Poll `feed` once (RSS/Atom or ClaimReview: its reviews published if the feed is trusted,
    else awaiting review) and record the outcome on the feed: last
    success, or one more consecutive failure with its error. Raises FetchUnavailable for a
    transient fetch failure (after recording it) so the task can retry; ImportBusy if the feed
    is being polled already."""
    with import_lock(f"feed:{feed.pk}"):
        try:
            if feed.kind == Feed.Kind.CLAIMREVIEW:
                run = source_import_claimreview_url(
                    url=feed.url, trusted=feed.trusted, task_id=task_id
                )
            else:
                run = import_run_start(kind=ImportRun.Kind.FEED, origin=feed.url, task_id=task_id)
                with import_run_guard(run=run, origin=feed.url):
                    try:
                        raw = fetch(feed.url).body
                        results = feed_import_entries(feed=feed, raw=raw, run=run)
                    except FetchUnavailable as exc:
                        import_run_fail(run=run, origin=feed.url, error=str(exc))
                        raise
                    except (FetchError, UnreadableInput) as exc:
                        results = [ItemResult.failed(feed.url, str(exc))]
                    run = import_run_finish(run=run, totals=RunTotals.of(results), items=results)
        except FetchUnavailable as exc:
            _feed_outcome(feed, None, str(exc))
            raise
        except Exception as exc:
            _feed_outcome(feed, None, f"stopped by an unexpected error: {failure_reason(exc)}")
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
