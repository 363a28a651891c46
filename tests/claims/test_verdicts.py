"""Verdicts of our own: drafts by the assignee, published corrections, optimistic locking."""

import pytest

from claims import verdicts, workflow
from claims.models import Claim, ClaimEvent, Rating, Verdict
from claims.verdicts import CitationInput, VerdictInput
from factcheck.errors import Conflict, Forbidden
from tests.factories import ClaimFactory, VerdictFactory, staff_user

S = Claim.Status


@pytest.mark.django_db
def test_the_whole_walkthrough_writes_one_event_per_step() -> None:
    reviewer = staff_user("rev", "Reviewers")
    editor = staff_user("ed", "Editors")
    claim = ClaimFactory.create()
    workflow.claim_start_review(claim=claim, actor=reviewer)
    assert claim.assignee == reviewer
    verdict = verdicts.verdict_save_draft(
        claim=claim,
        actor=reviewer,
        version=None,
        content=VerdictInput(
            rating=Rating.objects.get(slug="false"),
            headline="The sky is not green",
            summary="It is blue.",
            citations=[CitationInput(url="https://example.org/sky", quote="blue")],
        ),
    )
    assert (verdict.version, verdict.author, verdict.citations.get().quote) == (1, reviewer, "blue")
    workflow.claim_submit(claim=claim, actor=reviewer)
    workflow.claim_send_back(claim=claim, actor=editor, note="Cite a second source.")
    verdict = verdicts.verdict_save_draft(
        claim=claim,
        actor=reviewer,
        version=1,
        content=VerdictInput(
            rating=Rating.objects.get(slug="false"),
            headline="The sky is not green",
            summary="It is blue.",
            citations=[
                CitationInput(url="https://example.org/sky", quote="blue"),
                CitationInput(url="https://example.org/nasa", quote="Rayleigh"),
            ],
        ),
    )
    assert verdict.version == 2 and verdict.citations.count() == 2
    workflow.claim_submit(claim=claim, actor=reviewer)
    workflow.verdict_publish(claim=claim, actor=editor)
    workflow.verdict_correct(
        claim=claim,
        actor=editor,
        version=2,
        note="The second link was wrong.",
        content=VerdictInput(
            rating=Rating.objects.get(slug="false"),
            headline="The sky is not green",
            summary="It is blue.",
            citations=[CitationInput(url="https://example.org/sky", quote="blue")],
        ),
    )
    workflow.verdict_retract(claim=claim, actor=editor, note="Duplicate of an older check.")
    workflow.claim_reopen(claim=claim, actor=editor, note="Re-check with new data.")

    codes = list(ClaimEvent.objects.filter(claim=claim).values_list("code", flat=True))
    assert codes == [
        "claim.review_started",
        "verdict.saved",
        "claim.submitted",
        "claim.sent_back",
        "verdict.saved",
        "claim.submitted",
        "claim.published",
        "verdict.corrected",
        "claim.retracted",
        "claim.reopened",
    ]
    verdict.refresh_from_db()
    assert verdict.status == "retracted"
    assert [c["kind"] for c in verdict.corrections] == ["correction", "retraction"]
    assert verdict.corrections[0]["note"] == "The second link was wrong."
    corrected = ClaimEvent.objects.get(claim=claim, code="verdict.corrected")
    # The earlier wording is kept in the event log.
    assert len(corrected.data["before"]["citations"]) == 2
    claim.refresh_from_db()
    assert (claim.status, claim.assignee_id) == ("pending", None)


@pytest.mark.django_db
def test_a_stale_verdict_edit_is_refused_and_changes_nothing() -> None:
    reviewer = staff_user("rev", "Reviewers")
    claim = ClaimFactory.create(status=S.IN_REVIEW, assignee=reviewer)
    false = Rating.objects.get(slug="false")
    verdicts.verdict_save_draft(
        claim=claim, actor=reviewer, version=None, content=VerdictInput(rating=false, summary="A")
    )
    verdicts.verdict_save_draft(
        claim=claim, actor=reviewer, version=1, content=VerdictInput(rating=false, summary="B")
    )
    with pytest.raises(Conflict, match="version 1, it is now version 2"):
        verdicts.verdict_save_draft(
            claim=claim, actor=reviewer, version=1, content=VerdictInput(rating=false, summary="C")
        )
    verdict = Verdict.objects.get(claim=claim)
    assert (verdict.summary, verdict.version) == ("B", 2)
    assert ClaimEvent.objects.filter(code="verdict.saved").count() == 2


@pytest.mark.django_db
def test_a_stale_correction_is_refused() -> None:
    editor = staff_user("ed", "Editors")
    claim = ClaimFactory.create(status=S.PUBLISHED)
    VerdictFactory.create(claim=claim, author=staff_user("a", "Reviewers"), status="published")
    content = VerdictInput(rating=Rating.objects.get(slug="true"), summary="x")
    with pytest.raises(Conflict, match="changed by someone else"):
        workflow.verdict_correct(claim=claim, actor=editor, content=content, version=7, note="n")
    assert Verdict.objects.get(claim=claim).corrections == []


@pytest.mark.django_db
def test_only_the_assignee_edits_the_draft_and_only_in_review() -> None:
    reviewer, other = staff_user("rev", "Reviewers"), staff_user("other", "Reviewers")
    claim = ClaimFactory.create(status=S.IN_REVIEW, assignee=reviewer)
    content = VerdictInput(rating=None, summary="x")
    with pytest.raises(Forbidden, match="Only the assignee"):
        verdicts.verdict_save_draft(claim=claim, actor=other, content=content, version=None)
    Claim.objects.filter(pk=claim.pk).update(status=S.AWAITING_APPROVAL)
    with pytest.raises(Conflict, match="only while it is in review"):
        verdicts.verdict_save_draft(claim=claim, actor=reviewer, content=content, version=None)
    assert not Verdict.objects.exists()
