"""What became of each item of a batch of reviewed claims (sources.imports.imported), from how
its key or its review is stored:

- `imported`: the first item of a key stored by this batch: a new claim;
- `unchanged`: its key was stored before (or by an earlier item of the batch) with the same
  claim text: nothing to do;
- `duplicate`: what the item says is stored already in another form, and nothing is written
  for it: its review (URL per publisher) is stored on a claim kept under another key, or its
  key is stored with another claim text (an edited claim; two items of a file naming one
  review). A review is stored once, with one claim: the item's result names that claim and
  its text, so that an editor can compare them.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from sources.imports.runs import ItemStatus
from sources.parsers.reviewed import ImportedClaim


class Kind(StrEnum):
    NEW = "new"  # created by the first item of its key in this batch
    SAME_KEY = "same_key"  # stored under the item's own key
    OTHER_KEY = "other_key"  # the item's review, stored under another key


@dataclass(frozen=True)
class StoredAs:
    """How a key, or the review it names, is stored: as `claim`, whose text is `text`."""

    kind: Kind
    claim: int
    text: str


@dataclass
class ImportedResult:
    """What became of one item (see the module's docstring). `claim`: the claim it is stored
    as, when known (a key stored before with the same text is not looked up); `reason`: why it
    is a duplicate."""

    key: str
    status: ItemStatus
    claim: int | None = None
    reason: str = ""


def duplicate_reason(*, item: ImportedClaim, claim: int, text: str) -> str:
    """Why `item` is a duplicate: it is stored already, as `claim`, whose text is `text`."""
    what = f"the review {item.review_url}" if item.review_url else "this item"
    quoted = text if len(text) <= 100 else text[:99] + "…"
    return f"{what} is stored already, on claim #{claim}: “{quoted}”"


def imported_results(
    items: Iterable[ImportedClaim], stored_as: Mapping[str, StoredAs]
) -> list[ImportedResult]:
    """One result per item of `items`, in order, from `stored_as` (key → how it is stored; a
    key absent was stored before with the same text as the items)."""
    results = []
    seen: set[str] = set()
    for item in items:
        stored = stored_as.get(item.key)
        first = item.key not in seen
        seen.add(item.key)
        if stored is None:
            results.append(ImportedResult(item.key, ItemStatus.UNCHANGED))
        elif stored.kind == Kind.OTHER_KEY or item.text != stored.text:
            reason = duplicate_reason(item=item, claim=stored.claim, text=stored.text)
            results.append(ImportedResult(item.key, ItemStatus.DUPLICATE, stored.claim, reason))
        elif stored.kind == Kind.NEW and first:
            results.append(ImportedResult(item.key, ItemStatus.IMPORTED, stored.claim))
        else:
            results.append(ImportedResult(item.key, ItemStatus.UNCHANGED, stored.claim))
    return results
