"""Running an import of reviewed claims (ClaimReview documents and feeds, CSV/TSV tables): the
parsed items go in batches through sources.imports.imported, the next batch prepared while one
is written; an item without a claim, or one the database refuses, fails alone with its reason.
"""

import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import NamedTuple

import psycopg
from django.db import DatabaseError, connection

from sources.imports.imported import (
    ImportedBatch,
    claims_create_imported,
    imported_prepare,
    imported_stored_keys,
)
from sources.imports.outcomes import ImportedResult
from sources.imports.pipeline import pipelined
from sources.imports.ratings import RatingMapper
from sources.imports.runs import (
    ItemResult,
    ItemStatus,
    RunTotals,
    failure_reason,
    import_run_finish,
)
from sources.models import ImportRun
from sources.parsers.reviewed import ImportedClaim, ParsedItem

logger = logging.getLogger(__name__)

Progress = Callable[[int], None]


class LookedUp(NamedTuple):
    """A batch of items and those of their keys stored before."""

    items: list[ImportedClaim]
    stored: dict[str, str]  # key → its stored claim text


class Stored(NamedTuple):
    """What reviewed_store stored: the totals, a result for each item that failed and one for
    each duplicate of a stored review (naming the claim it is stored on)."""

    totals: RunTotals
    failures: list[ItemResult]
    duplicates: list[ItemResult] = []

    def items(self, label: str) -> list[ItemResult]:
        """The run's items for what was stored: a summary item `label`, the failures, the
        duplicates."""
        return [self.totals.summary(label), *self.failures, *self.duplicates]


def reviewed_store(
    *,
    run: ImportRun,
    parsed: Iterable[ParsedItem],
    task_id: str,
    progress: Progress | None,
    batch_size: int,
) -> Stored:
    """Store the claims of `parsed` in batches of `batch_size`, each in its own transaction;
    an item without a claim fails alone with its reason, and so does an item the database
    refuses: a batch it spoils is written again item by item (see _write_one_by_one). An item
    whose review is stored already on another claim is unchanged and named among the
    duplicates. The run's trust decides whether they are published (claims_create_imported).

    Keys stored before are looked up first (so a re-run scores nothing); then, while one
    batch is written, the next one's new claims are scored and their rows made ready in a
    second thread (pipelined, as documents are). The first batch is a fifth of `batch_size`:
    it is prepared while nothing is being written.
    """
    mapper = RatingMapper()
    imported = unchanged = 0
    failures: list[ItemResult] = []
    duplicates: list[ItemResult] = []

    # The items' labels, one list per batch, for the failures of a batch written one by one;
    # batches are written in the order they are read.
    labels: deque[list[str]] = deque()

    def batches() -> Iterator[LookedUp]:
        batch: list[ImportedClaim] = []
        names: list[str] = []
        size = max(1, batch_size // 5)
        for item in parsed:
            if item.claim is None:
                failures.append(
                    ItemResult(path=item.label, status=ItemStatus.FAILED, error=item.error)
                )
                if progress is not None:
                    progress(1)
                continue
            batch.append(item.claim)
            names.append(item.label)
            if len(batch) >= size:
                labels.append(names)
                yield LookedUp(batch, imported_stored_keys(batch))
                batch, names, size = [], [], batch_size
        if batch:
            labels.append(names)
            yield LookedUp(batch, imported_stored_keys(batch))

    def prepare(looked_up: LookedUp) -> ImportedBatch:
        return imported_prepare(items=looked_up.items, mapper=mapper, stored=looked_up.stored)

    def write(prepared: ImportedBatch) -> None:
        nonlocal imported, unchanged
        names = labels.popleft()
        new = refused = 0
        # Else every key was stored before, as the items say (a re-run): nothing to write.
        if prepared.unique or prepared.restated:
            results: Sequence[ImportedResult | None]
            try:
                results = claims_create_imported(
                    prepared=prepared,
                    trusted=run.trusted,
                    import_run_id=run.pk,
                    request_id=task_id,
                )
            except (DatabaseError, psycopg.Error):
                if not connection.is_usable():
                    raise
                logger.warning("a batch of %s was refused: written item by item", run.origin)
                results, refused_items = _write_one_by_one(prepared, names, run, task_id)
                failures.extend(refused_items)
                refused = len(refused_items)
            new = sum(1 for r in results if r is not None and r.status == ItemStatus.IMPORTED)
            duplicates.extend(_duplicates(names, results))
        imported += new
        unchanged += len(prepared.items) - new - refused
        if progress is not None:
            progress(len(prepared.items))

    pipelined(batches(), prepare=prepare, write=write)
    totals = RunTotals.reviewed(imported=imported, unchanged=unchanged, failed=len(failures))
    return Stored(totals, failures, duplicates)


def _duplicates(names: Sequence[str], results: Sequence[ImportedResult | None]) -> list[ItemResult]:
    """The run's items for the duplicates among `results` (one per item of a batch, None for
    an item refused): each item labelled as read, with the claim it is stored as and why."""
    return [
        ItemResult(path=name, status=ItemStatus.DUPLICATE, claim=result.claim, error=result.reason)
        for name, result in zip(names, results, strict=True)
        if result is not None and result.status == ItemStatus.DUPLICATE
    ]


def _write_one_by_one(
    prepared: ImportedBatch, names: Sequence[str], run: ImportRun, task_id: str
) -> tuple[list[ImportedResult | None], list[ItemResult]]:
    """Write each item of a batch the database refused in a transaction of its own: each
    item's result (None for one refused), and a failed result (its label, the database's
    reason) for each one refused. An item stored by an earlier one of the batch is answered as
    in a batch (unchanged, or a duplicate). Rare, so one statement per item is fine; a lost
    connection is raised."""
    results: list[ImportedResult | None] = []
    refused: list[ItemResult] = []
    for item, name in zip(prepared.items, names, strict=True):
        try:
            [result] = claims_create_imported(
                items=[item], trusted=run.trusted, import_run_id=run.pk, request_id=task_id
            )
            results.append(result)
        except (DatabaseError, psycopg.Error) as exc:
            if not connection.is_usable():
                raise
            results.append(None)
            reason = f"the database refused it: {failure_reason(exc)}"
            refused.append(ItemResult.failed(name, reason))
    return results, refused


def reviewed_import(
    *,
    run: ImportRun,
    parsed: Iterable[ParsedItem],
    origin: str,
    task_id: str,
    progress: Progress | None,
    batch_size: int,
) -> ImportRun:
    """Store `parsed` (reviewed_store) and finish `run` with one summary item for `origin`
    followed by the items that failed and the duplicates."""
    stored = reviewed_store(
        run=run, parsed=parsed, task_id=task_id, progress=progress, batch_size=batch_size
    )
    return import_run_finish(run=run, totals=stored.totals, items=stored.items(origin))
