"""The claim page of a claim imported with another fact-checker's review: the review as ours
would show (who published it, their rating and URL, our rating), and the editor's correct and
retract, which act on it."""

import pytest
from django.utils.html import escape

from claims.models import Claim, ClaimEvent, Rating, Verdict
from tests.claims.admin.conftest import Login
from tests.factories import imported_review, staff_user

pytestmark = pytest.mark.django_db


def page(claim: Claim) -> str:
    return f"/admin/claims/claim/{claim.pk}/change/"


def test_the_page_shows_the_imported_review_and_offers_editors_correct_and_retract(
    login: Login,
) -> None:
    review = imported_review(rating="Pants on Fire")

    body = login(staff_user("ed", "Editors")).get(page(review.claim)).content.decode()

    assert "No verdict yet" not in body
    imported = body[body.index('id="verdict-imported"') :]
    assert "Check Desk" in imported and "checkdesk.example" in imported
    assert "Pants on Fire" in imported
    assert escape(review.review_url) in imported
    assert review.rating is not None
    assert f'id="verdict-mapped-rating">{review.rating.label}' in imported
    assert 'id="action-retract"' in body
    assert 'id="verdict-form"' in body and 'name="note"' in body  # the correction form
    # The fact-checker's explanation and evidence are not ours to rewrite.
    form = body[body.index('id="verdict-form"') :]
    assert 'name="explanation"' not in form[: form.index("</form>")]
    assert "citations-TOTAL_FORMS" not in form[: form.index("</form>")]


def test_reviewers_see_the_imported_review_without_actions(login: Login) -> None:
    review = imported_review()

    body = login(staff_user("rev", "Reviewers")).get(page(review.claim)).content.decode()

    assert 'id="verdict-imported"' in body
    assert 'id="action-retract"' not in body and 'id="verdict-form"' not in body


def test_an_editor_corrects_an_imported_review_in_the_admin(login: Login) -> None:
    review = imported_review(rating="Pants on Fire")
    mostly_false = Rating.objects.get(slug="mostly-false")
    client = login(staff_user("ed", "Editors"))

    done = client.post(
        f"/admin/claims/claim/{review.claim_id}/workflow/correct/",
        {
            "rating": mostly_false.pk,
            "headline": review.headline,
            "summary": "Partly right.",
            "version": review.version,
            "note": "Our mapping of their rating was too harsh.",
        },
        follow=True,
    )

    assert "Correction published: readers see the new wording with your note." in " ".join(
        str(m) for m in done.context["messages"]
    )
    corrected = Verdict.objects.get(pk=review.pk)
    assert (corrected.rating, corrected.summary) == (mostly_false, "Partly right.")
    assert corrected.original_rating == "Pants on Fire"
    assert "Our mapping of their rating was too harsh." in done.content.decode()


def test_an_editor_retracts_an_imported_review_in_the_admin(login: Login) -> None:
    review = imported_review()
    editor = staff_user("ed", "Editors")

    done = login(editor).post(
        f"/admin/claims/claim/{review.claim_id}/workflow/retract/",
        {"note": "The fact-checker withdrew it."},
        follow=True,
    )

    assert Verdict.objects.get(pk=review.pk).status == Verdict.Status.RETRACTED
    body = done.content.decode()
    assert '<strong id="claim-status">Retracted</strong>' in body
    assert 'id="verdict-imported"' in body  # still on record, marked retracted
    assert "Retracted: The fact-checker withdrew it." in body
    assert ClaimEvent.objects.get(claim=review.claim, code="claim.retracted").actor == editor
