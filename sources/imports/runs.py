"""Import runs: one ImportRun per execution of an importer, with a result per item it read.

A run starts `running` and is finished once, by import_run_finish, from its totals: succeeded
when no item failed, failed when every item did, partial otherwise. A table shared by several
tasks is recorded with its chunks (ranges of rows); each task finishes its chunk, and the last
one finishes the run.
"""

import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import models, transaction
from django.utils import timezone

from factcheck.metrics import import_items_count
from sources.imports.analyze import tables_analyze_later
from sources.models import ImportRun, ImportRunChunk
from webhooks.outbox import import_finished_record

logger = logging.getLogger(__name__)


class ItemStatus(models.TextChoices):
    """What happened to one item (file, feed entry, table row) of a run."""

    IMPORTED = "imported", "Imported"
    UNCHANGED = "unchanged", "Unchanged"
    # A reviewed claim whose review (URL per publisher) is stored already, on another claim:
    # nothing is written; counted as unchanged, and named in the run with that claim.
    DUPLICATE = "duplicate", "Duplicate of a stored review"
    FAILED = "failed", "Failed"


@dataclass(frozen=True)
class ItemResult:
    """One item's result, as ImportRun.items stores it."""

    path: str
    status: ItemStatus
    source: int | None = None
    claims_created: int = 0
    error: str | None = None  # why it failed, or why it is a duplicate
    claim: int | None = None  # a duplicate's claim: the one its review is stored on

    @classmethod
    def failed(cls, path: str, error: str) -> "ItemResult":
        return cls(path=path, status=ItemStatus.FAILED, error=error)

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> "ItemResult":
        return cls(**{**item, "status": ItemStatus(item["status"])})

    def as_json(self) -> dict[str, object]:
        item: dict[str, object] = {
            "path": self.path,
            "status": str(self.status),
            "source": self.source,
            "claims_created": self.claims_created,
            "error": self.error,
        }
        if self.claim is not None:
            item["claim"] = self.claim
        return item


@dataclass(frozen=True)
class RunTotals:
    """What a run's items add up to: sources and claims created, items unchanged and failed."""

    sources: int = 0
    claims: int = 0
    unchanged: int = 0
    failed: int = 0

    @classmethod
    def of(cls, results: Iterable[ItemResult]) -> "RunTotals":
        """The totals of per-item results (files, feed entries: one source each)."""
        sources = claims = unchanged = failed = 0
        for result in results:
            claims += result.claims_created
            if result.status == ItemStatus.IMPORTED:
                sources += 1
            elif result.status in (ItemStatus.UNCHANGED, ItemStatus.DUPLICATE):
                unchanged += 1
            else:
                failed += 1
        return cls(sources=sources, claims=claims, unchanged=unchanged, failed=failed)

    @classmethod
    def reviewed(cls, *, imported: int, unchanged: int, failed: int) -> "RunTotals":
        """The totals of reviewed claims: each imported claim is a source of its own."""
        return cls(sources=imported, claims=imported, unchanged=unchanged, failed=failed)

    @classmethod
    def recorded(cls, run: ImportRun) -> "RunTotals":
        """The totals recorded on `run` so far."""
        return cls(run.sources_created, run.claims_created, run.items_unchanged, run.items_failed)

    def __add__(self, other: "RunTotals") -> "RunTotals":
        return RunTotals(
            self.sources + other.sources,
            self.claims + other.claims,
            self.unchanged + other.unchanged,
            self.failed + other.failed,
        )

    @property
    def status(self) -> ImportRun.Status:
        """The status of a run that ends with these totals."""
        if self.failed == 0:
            return ImportRun.Status.SUCCEEDED
        if self.failed >= self.sources + self.unchanged + self.failed:
            return ImportRun.Status.FAILED
        return ImportRun.Status.PARTIAL

    def summary(self, path: str) -> ItemResult:
        """One item that stands for many (a table, a ClaimReview document, a range of rows):
        imported if any claim was, failed if every item failed, else unchanged."""
        if self.claims:
            status = ItemStatus.IMPORTED
        elif self.failed and not self.unchanged:
            status = ItemStatus.FAILED
        else:
            status = ItemStatus.UNCHANGED
        error = f"{self.failed} item(s) failed" if self.failed else None
        return ItemResult(path=path, status=status, claims_created=self.claims, error=error)


class TableChunk(NamedTuple):
    """Rows [first, last) of a table (`last` None: to its end), one task's share of a run."""

    first: int
    last: int | None

    def label(self, name: str) -> str:
        """The chunk's summary item's path in the run, e.g. "big.tsv rows 1-2000"."""
        return f"{name} rows {self.first + 1}-{self.last if self.last is not None else 'end'}"


@transaction.atomic
def import_run_start(
    *,
    kind: ImportRun.Kind,
    origin: str,
    task_id: str,
    trusted: bool = False,
    chunks: Sequence[TableChunk] = (),
) -> ImportRun:
    """Record a new run of `origin`, with the `chunks` several tasks will import into it (see
    import_run_finish_chunk). `trusted`: its reviewed claims publish on import. Precondition:
    the caller holds the origin's import_lock, so an earlier run of it still marked running
    was cut short (its worker was killed): say so."""
    ImportRun.objects.filter(
        kind=kind, origin=origin, status=ImportRun.Status.RUNNING, finished_at__isnull=True
    ).update(
        status=ImportRun.Status.FAILED,
        items=[ItemResult.failed(origin, "interrupted: its worker stopped mid-run").as_json()],
    )
    run = ImportRun.objects.create(kind=kind, origin=origin, task_id=task_id, trusted=trusted)
    ImportRunChunk.objects.bulk_create(
        ImportRunChunk(run=run, first=chunk.first, last=chunk.last) for chunk in chunks
    )
    return run


def import_run_record(*, run: ImportRun, totals: RunTotals, items: Sequence[ItemResult]) -> None:
    """Save the totals and per-item results of `run` so far."""
    run.sources_created = totals.sources
    run.claims_created = totals.claims
    run.items_unchanged = totals.unchanged
    run.items_failed = totals.failed
    run.items = [item.as_json() for item in items]
    run.save()


@transaction.atomic
def import_run_finish(
    *, run: ImportRun, totals: RunTotals, items: Sequence[ItemResult]
) -> ImportRun:
    """Save the totals and per-item results of `run`, its status from the totals, and mark it
    finished; its import.finished webhook event is written with it, and its items are counted
    in the import metrics."""
    _finish(run=run, totals=totals, items=items)
    _count(run=run, totals=totals)
    return run


def _finish(*, run: ImportRun, totals: RunTotals, items: Sequence[ItemResult]) -> None:
    run.status = totals.status
    run.finished_at = timezone.now()
    import_run_record(run=run, totals=totals, items=items)
    import_finished_record(run=run)
    if totals.claims or totals.sources:
        # Fresh statistics for what the run added, once it commits (sources/imports/analyze.py);
        # best effort: a failure to queue them is logged, the run stands.
        transaction.on_commit(tables_analyze_later, robust=True)


def _count(*, run: ImportRun, totals: RunTotals) -> None:
    """Add items to the import metrics (factcheck_import_items), once each: a whole run's when
    it finishes, a table chunk's when the chunk does."""
    import_items_count(
        kind=run.kind,
        created=totals.claims,
        unchanged=totals.unchanged,
        failed=totals.failed,
    )


def import_run_fail(*, run: ImportRun, origin: str, error: str) -> ImportRun:
    """Finish `run` as failed as a whole: `origin` could not be read."""
    return import_run_finish(
        run=run, totals=RunTotals(failed=1), items=[ItemResult.failed(origin, error)]
    )


@transaction.atomic
def import_run_finish_chunk(
    *, run_id: int, chunk: TableChunk, totals: RunTotals, items: Sequence[ItemResult]
) -> ImportRun | None:
    """Add the totals and items of `chunk` to the run `run_id` and mark the chunk finished; the
    chunk that leaves none unfinished finishes the run. Returns the run, or None if it is gone.

    A chunk finished already is not counted again (its task was delivered twice). The run's row
    is locked first, so chunks finishing at the same time add up one after the other."""
    run = ImportRun.objects.select_for_update().filter(pk=run_id).first()
    if run is None:
        return None
    marked = ImportRunChunk.objects.filter(
        run=run, first=chunk.first, finished_at__isnull=True
    ).update(finished_at=timezone.now())
    if not marked:  # finished already: this chunk's task was delivered twice
        return run
    _count(run=run, totals=totals)
    totals = RunTotals.recorded(run) + totals
    items = [*map(ItemResult.from_json, run.items), *items]
    if ImportRunChunk.objects.filter(run=run, finished_at__isnull=True).exists():
        import_run_record(run=run, totals=totals, items=items)
    else:
        _finish(run=run, totals=totals, items=items)
    return run


def failure_reason(exc: BaseException) -> str:
    """A readable reason for an unexpected error: its type and message, on one short line."""
    message = " ".join(str(exc).split())
    reason = f"{exc.__class__.__name__}: {message}" if message else exc.__class__.__name__
    return reason if len(reason) <= 500 else reason[:497] + "..."


@contextmanager
def import_run_guard(*, run: ImportRun, origin: str) -> Iterator[None]:
    """Finish `run` as failed, naming the error, when the block raises before finishing it; the
    error is raised again. Every importer runs inside one, so no run stays `running` after its
    worker moved on (a worker killed outright is caught by import_run_start instead)."""
    try:
        yield
    except BaseException as exc:
        reason = f"stopped by an unexpected error: {failure_reason(exc)}"
        try:
            with transaction.atomic():
                finished = ImportRun.objects.filter(
                    pk=run.pk, status=ImportRun.Status.RUNNING
                ).update(
                    status=ImportRun.Status.FAILED,
                    finished_at=timezone.now(),
                    items_failed=models.F("items_failed") + 1,
                    items=[*run.items, ItemResult.failed(origin, reason).as_json()],
                )
                if finished:
                    run.refresh_from_db()
                    import_finished_record(run=run)
        except Exception:  # the database itself may be what failed: the error below says so
            logger.exception("import run %s could not be marked failed", run.pk)
        raise
