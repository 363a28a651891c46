"""An editor's decision on a suggested match: confirm (the claim was checked before) or dismiss.

Each decision is a compare-and-set on the match's status with one `ClaimEvent`, in one
transaction; the claim's own status is the workflow's and does not change.
"""

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from claims.models import ClaimEvent, ClaimMatch
from factcheck.errors import Conflict

__all__ = ["claim_match_confirm", "claim_match_dismiss"]


@transaction.atomic
def _decide(*, match: ClaimMatch, to: str, actor: User, note: str) -> ClaimMatch:
    now = timezone.now()
    moved = ClaimMatch.objects.filter(pk=match.pk, status=match.status).update(
        status=to, decided_by=actor, decided_at=now
    )
    if moved != 1:
        raise Conflict(f"match #{match.pk} was decided meanwhile; reload and try again")
    ClaimEvent.objects.create(
        claim_id=match.claim_id,
        code=f"match.{to}",
        actor=actor,
        note=note,
        data={"match": match.pk, "matched_claim": match.matched_id, "score": match.score},
    )
    match.status, match.decided_by, match.decided_at = to, actor, now
    return match


def claim_match_confirm(*, match: ClaimMatch, actor: User, note: str = "") -> ClaimMatch:
    """Confirm that `match.claim` repeats `match.matched`; logs `match.confirmed`. The claim's
    status is unchanged (marking it a duplicate is the workflow's)."""
    if match.status == ClaimMatch.Status.CONFIRMED:
        raise Conflict(f"match #{match.pk} is already confirmed")
    return _decide(match=match, to=ClaimMatch.Status.CONFIRMED, actor=actor, note=note)


def claim_match_dismiss(*, match: ClaimMatch, actor: User, note: str = "") -> ClaimMatch:
    """Dismiss a match as not the same claim; logs `match.dismissed`. No status change."""
    if match.status == ClaimMatch.Status.DISMISSED:
        raise Conflict(f"match #{match.pk} is already dismissed")
    return _decide(match=match, to=ClaimMatch.Status.DISMISSED, actor=actor, note=note)
