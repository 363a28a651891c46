"""Bytes the document importer refused, remembered by their hash (sources.models.RefusedFile),
so that a bad file in the watched folder fails once, with its reason, rather than again on
every scheduled run. Failures that do not depend on the bytes (a file that cannot be read, a
lost database connection) are never remembered."""

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from sources.imports.runs import ItemResult, ItemStatus
from sources.models import ImportRun, RefusedFile


class Refusal(NamedTuple):
    content_hash: str
    path: str
    error: str


def refused_before(hashes: Iterable[str]) -> dict[str, RefusedFile]:
    """The remembered refusals among `hashes`, by hash (one query)."""
    return {r.content_hash: r for r in RefusedFile.objects.filter(content_hash__in=set(hashes))}


def refused_result(*, path: str, refused: RefusedFile) -> ItemResult:
    """The result of bytes refused before: unchanged (nothing new to try), saying why."""
    run = f"run #{refused.import_run_id}" if refused.import_run_id else "an earlier run"
    return ItemResult(
        path=path,
        status=ItemStatus.UNCHANGED,
        error=f"refused before ({run}): {refused.error}; change the file, or import it "
        "with import_seeds, to try again",
    )


def refused_remember(*, refusals: Sequence[Refusal], run: ImportRun) -> None:
    """Remember `refusals` (the first refusal of the same bytes stays)."""
    if refusals:
        RefusedFile.objects.bulk_create(
            [
                RefusedFile(content_hash=r.content_hash, path=r.path, error=r.error, import_run=run)
                for r in refusals
            ],
            ignore_conflicts=True,
        )
