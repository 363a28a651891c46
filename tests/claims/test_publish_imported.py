"""A claim imported from an untrusted origin holds the fact-checker's review as a draft: not
public until an editor publishes it (workflow action `publish_imported`)."""

import pytest

from claims import workflow
from claims.models import Claim, ClaimEvent, Verdict
from claims.selectors import verdict_public_get
from factcheck.errors import Conflict, Forbidden
from sources.imports.imported import claims_create_imported
from sources.parsers.reviewed import ImportedClaim
from tests.factories import ClaimFactory, staff_user

pytestmark = pytest.mark.django_db


def _imported(*, trusted: bool) -> Claim:
    item = ImportedClaim(
        key="review|checker.example|https://checker.example/1",
        text="The river rose by two metres overnight.",
        origin="x",
        original_rating="False",
        publisher_name="Checker",
        publisher_site="checker.example",
        review_url="https://checker.example/1",
    )
    [result] = claims_create_imported(items=[item], trusted=trusted)
    assert result.claim is not None
    return Claim.objects.get(pk=result.claim)


def test_an_untrusted_review_arrives_as_a_claim_awaiting_review_with_a_draft_nobody_sees() -> None:
    claim = _imported(trusted=False)
    verdict = Verdict.objects.get(claim=claim)

    assert (claim.status, verdict.status, verdict.origin) == ("pending", "draft", "imported")
    assert verdict_public_get(pk=verdict.pk) is None
    event = ClaimEvent.objects.get(claim=claim)
    assert (event.code, event.to_status, event.data["trusted"]) == (
        "claim.imported",
        "pending",
        False,
    )


def test_an_editor_publishes_the_imported_review_under_its_publishers_name() -> None:
    claim = _imported(trusted=False)
    editor = staff_user("ed", "Editors")
    offered = workflow.claim_available_actions(claim=claim, user=editor, verdict=None)
    assert "publish_imported" in offered

    workflow.perform("publish_imported", claim, editor)

    claim.refresh_from_db()
    verdict = Verdict.objects.get(claim=claim)
    assert (claim.status, verdict.status, verdict.approver) == ("published", "published", editor)
    public = verdict_public_get(pk=verdict.pk)
    assert public is not None and public["publisher"]["name"] == "Checker"
    assert ClaimEvent.objects.filter(claim=claim, actor=editor).get().code == (
        "claim.imported_review_published"
    )


def test_publishing_an_imported_review_needs_an_editor_and_a_suggestion() -> None:
    claim = _imported(trusted=False)
    with pytest.raises(Forbidden):
        workflow.perform("publish_imported", claim, staff_user("rita", "Reviewers"))
    plain = ClaimFactory.create()  # pending, without an imported review
    with pytest.raises(Conflict, match="no imported review"):
        workflow.perform("publish_imported", plain, staff_user("ed", "Editors"))
