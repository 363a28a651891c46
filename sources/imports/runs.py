"""Import runs: one ImportRun per execution of an importer, with a result per item it read.

A run starts `running` and is finished once, by import_run_finish, from its totals: succeeded
when no item failed, failed when every item did, partial otherwise.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import timezone

from sources.models import ImportRun


class ItemStatus(models.TextChoices):
    """What happened to one item (file, feed entry, table row) of a run."""

    IMPORTED = "imported", "Imported"
    UNCHANGED = "unchanged", "Unchanged"
    FAILED = "failed", "Failed"


@dataclass(frozen=True)
class ItemResult:
    """One item's result, as ImportRun.items stores it."""

    path: str
    status: ItemStatus
    source: int | None = None
    claims_created: int = 0
    error: str | None = None

    @classmethod
    def failed(cls, path: str, error: str) -> "ItemResult":
        return cls(path=path, status=ItemStatus.FAILED, error=error)

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> "ItemResult":
        return cls(**{**item, "status": ItemStatus(item["status"])})

    def as_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "status": str(self.status),
            "source": self.source,
            "claims_created": self.claims_created,
            "error": self.error,
        }


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
            elif result.status == ItemStatus.UNCHANGED:
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


def import_run_start(*, kind: ImportRun.Kind, origin: str, task_id: str) -> ImportRun:
    """Record a new run of `origin`. Precondition: the caller holds the origin's import_lock, so
    an earlier run of it still marked running was cut short (its worker was killed): say so."""
    ImportRun.objects.filter(
        kind=kind, origin=origin, status=ImportRun.Status.RUNNING, finished_at__isnull=True
    ).update(
        status=ImportRun.Status.FAILED,
        items=[ItemResult.failed(origin, "interrupted: its worker stopped mid-run").as_json()],
    )
    return ImportRun.objects.create(kind=kind, origin=origin, task_id=task_id)


def import_run_record(*, run: ImportRun, totals: RunTotals, items: Sequence[ItemResult]) -> None:
    """Set the totals and per-item results of `run` (unsaved)."""
    run.sources_created = totals.sources
    run.claims_created = totals.claims
    run.items_unchanged = totals.unchanged
    run.items_failed = totals.failed
    run.items = [item.as_json() for item in items]


def import_run_finish(
    *, run: ImportRun, totals: RunTotals, items: Sequence[ItemResult]
) -> ImportRun:
    """Record the totals and per-item results of `run`, its status from the totals, and mark it
    finished."""
    import_run_record(run=run, totals=totals, items=items)
    run.status = totals.status
    run.finished_at = timezone.now()
    run.save()
    return run


def import_run_fail(*, run: ImportRun, origin: str, error: str) -> ImportRun:
    """Finish `run` as failed as a whole: `origin` could not be read."""
    return import_run_finish(
        run=run, totals=RunTotals(failed=1), items=[ItemResult.failed(origin, error)]
    )
