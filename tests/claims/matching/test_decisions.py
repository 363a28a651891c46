"""An editor confirms or dismisses a suggested match."""

from collections.abc import Callable
from pathlib import Path

import pytest

from claims.matching.decisions import claim_match_confirm, claim_match_dismiss
from claims.models import Claim, ClaimEvent, ClaimMatch
from factcheck.errors import Conflict
from tests.claims.matching.helpers import suggested_match
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("matching_inline")]

Decision = Callable[..., ClaimMatch]


@pytest.mark.parametrize(
    ("service", "status"),
    [(claim_match_confirm, "confirmed"), (claim_match_dismiss, "dismissed")],
)
def test_deciding_a_match_logs_an_event_and_leaves_the_status(
    seed_folder: Path, edited_seed_folder: Path, service: Decision, status: str
) -> None:
    match = suggested_match(seed_folder, edited_seed_folder)
    editor = UserFactory.create()

    service(match=match, actor=editor)

    match.refresh_from_db()
    assert (match.status, match.decided_by) == (status, editor)
    assert match.decided_at is not None
    event = ClaimEvent.objects.get(claim=match.claim)
    assert event.code == f"match.{status}"
    assert event.actor == editor
    assert event.data["matched_claim"] == match.matched_id
    assert Claim.objects.get(pk=match.claim_id).status == Claim.Status.PENDING
    with pytest.raises(Conflict):
        service(match=match, actor=editor)


def test_a_decision_on_a_stale_match_is_refused(
    seed_folder: Path, edited_seed_folder: Path
) -> None:
    match = suggested_match(seed_folder, edited_seed_folder)
    stale = ClaimMatch.objects.get(pk=match.pk)
    claim_match_dismiss(match=match, actor=UserFactory.create())

    with pytest.raises(Conflict):
        claim_match_confirm(match=stale, actor=UserFactory.create())
    assert ClaimEvent.objects.filter(claim=match.claim).count() == 1
