"""Checked before? The claims a claim matches, read in both directions, with their verdicts.

A match is stored once, from the claim that arrived later (`ClaimMatch.claim`) to the earlier one
(`matched`), and a duplicate link points from the later claim to its original. Which of the two
was checked first says nothing about time: a pending claim is matched by a review imported a
year later just as a new claim matches an old review. So every read here looks both ways, and
a claim counts as "checked before" when a claim it matches has a verdict in force
(claims.selectors: the one rule for what is public), whenever either arrived.

- confirmed matches, exact duplicates (`kind=duplicate`) and duplicate links are the same claim;
- suggested matches are undecided: shown for an editor to confirm or dismiss;
- dismissed matches are not the same claim and are never shown.
"""

from dataclasses import dataclass, field, replace

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.lookups import IsNull

from claims.models import Claim, ClaimMatch, Verdict
from claims.selectors import claim_public_q, verdicts_in_force_by_claim, verdicts_public

__all__ = ["CheckedBefore", "Match", "claim_checked_before", "claims_checked_before_q"]

# A match that says "the same claim": confirmed, or found as the same statement and not dismissed.
_SAME = Q(status=ClaimMatch.Status.CONFIRMED) | Q(
    kind=ClaimMatch.Kind.DUPLICATE, status=ClaimMatch.Status.SUGGESTED
)
_UNDECIDED = Q(status=ClaimMatch.Status.SUGGESTED) & ~Q(kind=ClaimMatch.Kind.DUPLICATE)


@dataclass(frozen=True)
class Match:
    """Another claim this one matches, seen from this one."""

    other: Claim
    verdict: Verdict | None  # the other claim's verdict in force
    kind: str  # ClaimMatch.Kind, or "duplicate" for a duplicate link
    status: str  # ClaimMatch.Status ("confirmed" for a duplicate link)
    score: float
    match: ClaimMatch | None  # the row an editor confirms or dismisses; None for a link

    @property
    def undecided(self) -> bool:
        """A suggestion an editor has yet to confirm or dismiss."""
        return (
            self.match is not None
            and self.match.status == ClaimMatch.Status.SUGGESTED
            and (self.kind != ClaimMatch.Kind.DUPLICATE)
        )

    @property
    def kind_label(self) -> str:
        return ClaimMatch.Kind(self.kind).label

    @property
    def status_label(self) -> str:
        return ClaimMatch.Status(self.status).label


@dataclass(frozen=True)
class CheckedBefore:
    """What the claim page's "Checked before?" panel shows."""

    checked: list[Match] = field(default_factory=list)  # the same claim, with a verdict
    suggested: list[Match] = field(default_factory=list)  # undecided, for an editor
    unchecked: list[Match] = field(default_factory=list)  # the same claim, no verdict yet


def claim_checked_before(*, claim: Claim) -> CheckedBefore:
    """The claims `claim` matches, in both directions, each once, best first: four queries."""
    rows = (
        ClaimMatch.objects.filter(Q(claim=claim) | Q(matched=claim))
        .exclude(status=ClaimMatch.Status.DISMISSED)
        .select_related("claim", "matched")
        .order_by("-score", "id")
    )
    found: dict[int, Match] = {}
    for row in rows:
        other = row.matched if row.claim_id == claim.pk else row.claim
        if other.pk not in found:
            found[other.pk] = Match(other, None, row.kind, row.status, row.score, row)
    linked = Claim.objects.filter(Q(pk=claim.duplicate_of_id) | Q(duplicate_of=claim))
    for other in linked.exclude(pk__in=list(found)):
        found[other.pk] = Match(
            other, None, "duplicate", ClaimMatch.Status.CONFIRMED, 1.0, match=None
        )
    verdicts = verdicts_in_force_by_claim(claim_ids=list(found))
    shown = CheckedBefore()
    for match in found.values():
        match = replace(match, verdict=verdicts.get(match.other.pk))
        if match.undecided:
            shown.suggested.append(match)
        elif match.verdict is not None:
            shown.checked.append(match)
        else:
            shown.unchecked.append(match)
    return shown


def claims_checked_before_q(*, suggested: bool = False, per_row: bool = False) -> Q:
    """Claims that match a claim with a verdict in force, either way: the same claim (confirmed
    or exact matches, duplicate links), or with `suggested`, an undecided suggestion.

    `per_row` words each test as a scalar subquery rather than EXISTS, for a column of a page
    of rows (the admin's list). PostgreSQL may answer an EXISTS for every row at once, by
    hashing the whole subquery's result, and it weighs that against the rows the query would
    scan, not the page's 50: at a million claims it read every claim with a public verdict
    (seconds) to mark 50. A scalar subquery is never hashed: each row asks the indexes."""
    decided = _UNDECIDED if suggested else _SAME

    def exists(rows: QuerySet) -> Q:
        if per_row:
            return Q(IsNull(Subquery(rows.values("pk")[:1]), False))
        return Q(Exists(rows))

    def in_force(column: str) -> Q:
        return exists(verdicts_public(in_force=True).filter(claim_id=OuterRef(column)))

    later = ClaimMatch.objects.filter(decided, claim_id=OuterRef("pk")).filter(
        in_force("matched_id")
    )
    earlier = ClaimMatch.objects.filter(decided, matched_id=OuterRef("pk")).filter(
        in_force("claim_id")
    )
    either = exists(later) | exists(earlier)
    if suggested:
        return either
    copies = Claim.objects.filter(claim_public_q(in_force=True), duplicate_of_id=OuterRef("pk"))
    return either | in_force("duplicate_of_id") | exists(copies)
