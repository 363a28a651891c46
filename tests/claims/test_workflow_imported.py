"""Reviews imported from other fact-checkers go through the workflow as our verdicts do: editors
correct and retract them with a public note, and each writes the same events."""

import pytest

from claims import verdicts, workflow
from claims.models import Claim, ClaimEvent, Rating, Verdict
from factcheck.errors import Forbidden, InvalidInput
from tests.factories import VerdictFactory, imported_review, staff_user

pytestmark = pytest.mark.django_db


def _content(verdict: Verdict, *, rating: Rating | None, summary: str) -> verdicts.VerdictInput:
    return verdicts.verdict_input_keeping_evidence(
        verdict, rating=rating, headline=verdict.headline, summary=summary
    )


def test_retracting_an_imported_review_retracts_its_verdict_with_the_public_note() -> None:
    review = imported_review()
    editor = staff_user("ed", "Editors")

    workflow.perform("retract", review.claim, editor, note="The publisher withdrew it.")

    review.refresh_from_db()
    assert review.claim.status == Claim.Status.RETRACTED
    assert review.status == Verdict.Status.RETRACTED
    assert review.corrections[-1]["kind"] == "retraction"
    assert review.corrections[-1]["note"] == "The publisher withdrew it."
    event = ClaimEvent.objects.get(claim=review.claim, code="claim.retracted")
    assert (event.from_status, event.to_status, event.actor) == ("published", "retracted", editor)
    assert event.data == {"verdict": review.pk, "origin": "imported"}


def test_correcting_an_imported_review_changes_our_words_and_keeps_theirs() -> None:
    review = imported_review(rating="Pants on Fire")
    mostly_false = Rating.objects.get(slug="mostly-false")

    workflow.perform(
        "correct",
        review.claim,
        staff_user("ed", "Editors"),
        content=_content(review, rating=mostly_false, summary="Partly right about the crust."),
        version=review.version,
        note="We mapped their rating too harshly.",
    )

    corrected = Verdict.objects.get(pk=review.pk)
    assert (corrected.rating, corrected.summary) == (mostly_false, "Partly right about the crust.")
    assert corrected.status == Verdict.Status.PUBLISHED
    assert corrected.version == review.version + 1
    assert corrected.corrections[-1]["note"] == "We mapped their rating too harshly."
    # The fact-checker's own rating, review and name are as they published them.
    assert (corrected.original_rating, corrected.review_url, corrected.publisher_name) == (
        "Pants on Fire",
        review.review_url,
        "Check Desk",
    )
    event = ClaimEvent.objects.get(claim=review.claim, code="verdict.corrected")
    assert event.data["origin"] == "imported"
    assert review.rating is not None
    assert event.data["before"]["rating"] == review.rating.slug


@pytest.mark.parametrize(
    ("explanation", "citations"),
    [
        ("Our own reasoning.", []),
        ("", [verdicts.CitationInput(url="https://example.org/evidence")]),
    ],
)
def test_a_correction_may_not_rewrite_the_fact_checkers_explanation_or_evidence(
    explanation: str, citations: list[verdicts.CitationInput]
) -> None:
    review = imported_review()
    content = verdicts.VerdictInput(
        rating=review.rating,
        headline=review.headline,
        summary=review.summary,
        explanation=explanation,
        citations=citations,
    )

    with pytest.raises(InvalidInput) as refused:
        workflow.perform(
            "correct",
            review.claim,
            staff_user("ed", "Editors"),
            content=content,
            version=review.version,
            note="Adding our own.",
        )

    assert "Check Desk" in str(refused.value)
    assert Verdict.objects.get(pk=review.pk).version == review.version
    assert not ClaimEvent.objects.filter(code="verdict.corrected").exists()


def test_editors_are_offered_correct_and_retract_on_an_imported_review() -> None:
    review = imported_review()
    claim, acted_on = review.claim, verdicts.claim_verdict(review.claim)

    editor = staff_user("ed", "Editors")
    reviewer = staff_user("rev", "Reviewers")
    offered = workflow.claim_available_actions(claim=claim, user=editor, verdict=acted_on)

    assert acted_on == review
    assert offered == ["correct", "retract"]
    assert workflow.claim_available_actions(claim=claim, user=reviewer, verdict=acted_on) == []
    with pytest.raises(Forbidden):
        workflow.perform("retract", claim, reviewer, note="No.")


def test_a_retracted_review_makes_way_for_our_own_verdict() -> None:
    review = imported_review()
    editor, other_editor = staff_user("ed", "Editors"), staff_user("eve", "Editors")
    reviewer = staff_user("rev", "Reviewers")
    claim = review.claim
    workflow.perform("retract", claim, editor, note="Wrong claim matched.")
    workflow.perform("reopen", claim, editor, note="We check it ourselves.")
    workflow.perform("start_review", claim, reviewer)
    draft = VerdictFactory.build(claim=claim)
    verdicts.verdict_save_draft(
        claim=claim,
        actor=reviewer,
        content=verdicts.VerdictInput(rating=draft.rating, summary=draft.summary),
        version=None,
    )
    workflow.perform("submit", claim, reviewer)

    workflow.perform("publish", claim, other_editor)

    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.PUBLISHED
    published = verdicts.claim_verdict(claim)
    assert published is not None and published.origin == Verdict.Origin.OWN
    assert Verdict.objects.get(pk=review.pk).status == Verdict.Status.RETRACTED
