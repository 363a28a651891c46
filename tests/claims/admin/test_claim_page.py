"""The claim page: the claim in its source, the buttons the workflow table allows, the verdict
editor and corrections."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.models import Claim, ClaimEvent, Rating, Verdict
from tests.claims.admin.conftest import Login
from tests.factories import ClaimFactory, VerdictFactory, staff_user

pytestmark = pytest.mark.django_db


def page(claim: Claim) -> str:
    return f"/admin/claims/claim/{claim.pk}/change/"


def test_the_claim_page_shows_the_claim_in_its_source_and_only_allowed_buttons(
    login: Login,
) -> None:
    reviewer = staff_user("rev", "Reviewers")
    claim = ClaimFactory.create()
    body = login(reviewer).get(page(claim)).content.decode()
    assert "<mark>The sky is green.</mark> Water boils at 50 degrees." in body
    assert 'id="action-start_review"' in body and 'id="action-reject"' in body
    assert 'id="action-publish"' not in body and 'id="action-reopen"' not in body
    assert 'name="status"' not in body  # never a free dropdown
    assert 'id="claim-history"' in body


def test_reviewer_drafts_in_the_admin_and_a_stale_save_keeps_the_typed_text(login: Login) -> None:
    reviewer = staff_user("rev", "Reviewers")
    claim = ClaimFactory.create(status="in_review", assignee=reviewer)
    client = login(reviewer)
    draft = {
        "rating": Rating.objects.get(slug="false").pk,
        "headline": "Not green",
        "summary": "Blue.",
        "explanation": "",
        "version": "0",
        "citations-TOTAL_FORMS": "1",
        "citations-INITIAL_FORMS": "0",
        "citations-0-url": "https://example.org/sky",
        "citations-0-quote": "the sky is blue",
    }
    saved = client.post(f"/admin/claims/claim/{claim.pk}/verdict/", draft, follow=True)
    assert "Verdict draft saved." in [str(m) for m in saved.context["messages"]]
    verdict = Verdict.objects.get(claim=claim)
    assert (verdict.version, verdict.citations.get().quote) == (1, "the sky is blue")
    assert 'id="action-submit"' in saved.content.decode()

    stale = client.post(
        f"/admin/claims/claim/{claim.pk}/verdict/", {**draft, "summary": "My long text"}
    )
    assert stale.status_code == 200
    text = stale.content.decode()
    assert "changed by someone else" in text
    assert "My long text" in text  # nothing typed is lost
    verdict.refresh_from_db()
    assert verdict.summary == "Blue."


def test_a_non_assignee_sees_the_verdict_read_only(login: Login) -> None:
    claim = ClaimFactory.create(status="in_review", assignee=staff_user("rev", "Reviewers"))
    VerdictFactory.create(claim=claim)
    body = login(staff_user("other", "Reviewers")).get(page(claim)).content.decode()
    assert 'id="verdict-form"' not in body
    assert "The sky is blue on a clear day." in body


def test_editor_publishes_and_the_author_is_not_offered_publish(login: Login) -> None:
    author = staff_user("author", "Editors")
    editor = staff_user("ed", "Editors")
    claim = ClaimFactory.create(status="awaiting_approval", assignee=author)
    VerdictFactory.create(claim=claim, author=author)
    body = login(author).get(page(claim)).content.decode()
    assert 'id="action-publish"' not in body
    # The author is told why, and who may publish instead.
    assert "another editor must publish it. Editors who may publish it: ed." in body
    # Even a hand-made POST is refused, with the reason shown.
    refused = login(author).post(f"/admin/claims/claim/{claim.pk}/workflow/publish/", {})
    assert "Four-eyes" in refused.content.decode()
    response = login(editor).post(
        f"/admin/claims/claim/{claim.pk}/workflow/publish/", {}, follow=True
    )
    assert "Published: the verdict is public now." in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == "published"


def test_a_reason_is_asked_for_and_the_status_stays(login: Login) -> None:
    reviewer = staff_user("rev", "Reviewers")
    claim = ClaimFactory.create()
    response = login(reviewer).post(f"/admin/claims/claim/{claim.pk}/workflow/reject/", {})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == "pending"


def test_editor_corrects_a_published_verdict_with_a_public_note(login: Login) -> None:
    editor = staff_user("ed", "Editors")
    claim = ClaimFactory.create(status="published")
    verdict = VerdictFactory.create(claim=claim, status="published")
    client = login(editor)
    assert 'id="verdict-form"' in client.get(page(claim)).content.decode()
    client.post(
        f"/admin/claims/claim/{claim.pk}/workflow/correct/",
        {
            "rating": Rating.objects.get(slug="mostly-false").pk,
            "headline": verdict.headline,
            "summary": "Corrected summary.",
            "explanation": "",
            "version": verdict.version,
            "note": "We misread the chart.",
            "citations-TOTAL_FORMS": "0",
            "citations-INITIAL_FORMS": "0",
        },
    )
    verdict.refresh_from_db()
    assert verdict.summary == "Corrected summary."
    assert verdict.corrections[0]["note"] == "We misread the chart."
    assert "We misread the chart." in client.get(page(claim)).content.decode()


def test_editing_claim_metadata_never_writes_the_status(login: Login) -> None:
    editor = staff_user("ed", "Editors")
    claim = ClaimFactory.create()
    client = login(editor)
    with CaptureQueriesContext(connection) as queries:
        client.post(page(claim), {"claimant": "", "claim_date": "2024-05-01", "language": "fr"})
    updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "claims_claim"')]
    assert len(updates) == 1
    # A status read before the save could be stale by then; only the workflow writes it.
    assert '"status"' not in updates[0] and '"assignee_id"' not in updates[0]
    claim.refresh_from_db()
    assert (claim.language, str(claim.claim_date)) == ("fr", "2024-05-01")


def test_an_editor_reassigns_a_claim_in_review_from_its_page(login: Login) -> None:
    reviewer, other = staff_user("rev", "Reviewers"), staff_user("other", "Reviewers")
    claim = ClaimFactory.create(status="in_review", assignee=reviewer)
    assert 'id="action-assign"' not in login(reviewer).get(page(claim)).content.decode()
    editor = login(staff_user("ed", "Editors"))
    assert 'id="action-assign"' in editor.get(page(claim)).content.decode()
    response = editor.post(
        f"/admin/claims/claim/{claim.pk}/workflow/assign/", {"assignee": other.pk}, follow=True
    )
    assert "The claim is now assigned to other." in response.content.decode()
    claim.refresh_from_db()
    assert claim.assignee == other
    assert ClaimEvent.objects.get(claim=claim).code == "claim.assigned"


def test_the_claim_page_reads_in_task_order_and_in_plain_words(login: Login) -> None:
    reviewer = staff_user("rev", "Reviewers")
    claim = ClaimFactory.create(score=0.9794218347520399)
    client = login(reviewer)
    client.post(f"/admin/claims/claim/{claim.pk}/workflow/start_review/", {})
    body = client.get(page(claim)).content.decode()
    order = [
        body.index(marker)
        for marker in ('id="claim-context"', 'id="verdict"', 'id="workflow-actions"',
                       'id="claim-matches"', 'id="claim-history"', 'id="claim-details-title"')
    ]  # fmt: skip
    assert order == sorted(order)
    assert "sentence 1 of 1 in" in body
    assert "0.979" not in body and ">High<" in body
    assert "Review started" in body and "claim.review_started" not in body
    assert "Awaiting review → In review" in body
    assert body.count(">History<") == 1  # one history: Django's own link is not offered
    assert 'type="submit" value="Save"' not in body  # a reviewer changes no claim details
    assert "Publish" in body and "Reject" in body


def test_the_context_is_cut_at_word_boundaries(login: Login) -> None:
    from tests.factories import SourceFactory

    words = " ".join(f"word{i}" for i in range(400))
    source = SourceFactory.create(body=f"{words} The claim is here. {words}")
    start = len(words) + 1
    claim = ClaimFactory.create(
        source=source, text="The claim is here.", start=start, end=start + 18, position=1
    )
    ClaimFactory.create(source=source, text=words[:5], start=0, end=5, position=0)
    body = login(staff_user("rev", "Reviewers")).get(page(claim)).content.decode()
    shown = body[body.index('id="claim-context">') + 19 :]
    before, after = shown.split("<mark>")[0], shown.split("</mark>")[1].split("</p>")[0]
    assert before.startswith("…word") and after.endswith("…")
    # Whole words only: every word shown is one of the source's.
    assert set(before.strip("…").split()) <= set(words.split())
    assert set(after.strip("…").split()) <= set(words.split())
    assert "The claim, sentence 2 of 2 in" in body


def test_a_published_verdict_links_to_its_public_page(login: Login) -> None:
    from django.urls import reverse

    claim = ClaimFactory.create(status="published")
    verdict = VerdictFactory.create(claim=claim, status="published")
    body = login(staff_user("rev", "Reviewers")).get(page(claim)).content.decode()
    assert f'href="{reverse("verdict-page", args=[verdict.pk])}"' in body


def test_citations_offer_no_empty_extra_row_once_there_are_some(login: Login) -> None:
    reviewer = staff_user("rev", "Reviewers")
    claim = ClaimFactory.create(status="in_review", assignee=reviewer)
    client = login(reviewer)
    empty = client.get(page(claim)).content.decode()
    assert 'name="citations-TOTAL_FORMS" value="1"' in empty  # one row to start from
    draft = {
        "rating": Rating.objects.get(slug="false").pk,
        "summary": "Blue.",
        "version": "0",
        "citations-TOTAL_FORMS": "2",
        "citations-INITIAL_FORMS": "1",
        "citations-0-url": "https://example.org/a",
        "citations-1-url": "https://example.org/b",
    }
    client.post(f"/admin/claims/claim/{claim.pk}/verdict/", draft)
    body = client.get(page(claim)).content.decode()
    assert 'name="citations-TOTAL_FORMS" value="2"' in body
    assert 'id="citation-empty-row"' in body and 'id="citation-add"' in body
    # A row marked for removal goes on the next save.
    client.post(
        f"/admin/claims/claim/{claim.pk}/verdict/",
        {**draft, "version": "1", "citations-1-DELETE": "on"},
    )
    verdict = Verdict.objects.get(claim=claim)
    assert [c.url for c in verdict.citations.all()] == ["https://example.org/a"]
