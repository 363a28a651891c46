"""The admin as reviewers and editors use it: the review queue and the claim review page."""

from typing import Any

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from claims.models import Claim, ClaimEvent, Rating, Verdict
from tests.factories import ClaimFactory, SourceFactory, VerdictFactory, staff_user

pytestmark = pytest.mark.django_db
QUEUE = "/admin/claims/claim/"


@pytest.fixture(autouse=True)
def _fresh_filter_choices() -> None:
    cache.clear()  # filter choices are cached for a minute


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(claim: Claim) -> str:
    return f"/admin/claims/claim/{claim.pk}/change/"


def test_the_queue_shows_pending_claims_by_default_newest_first(
    django_assert_max_num_queries: Any,
) -> None:
    reviewer = staff_user("rev", "Reviewers")
    older = ClaimFactory()
    newer = ClaimFactory()
    rejected = ClaimFactory(status="rejected")
    client = login(reviewer)
    client.get(QUEUE)  # warm the cached filter choices
    with django_assert_max_num_queries(10):
        response = client.get(QUEUE)
    assert response.status_code == 200
    shown = [claim.pk for claim in response.context["cl"].result_list]
    assert shown == [newer.pk, older.pk]
    assert rejected.pk not in shown
    body = response.content.decode()
    assert "Review queue: awaiting review" in body
    assert "Start review (assign to me)" in body
    assert "Assign to…" not in body  # editors only
    assert "Add claim" not in body
    everything = client.get(QUEUE + "?status=all")
    assert rejected.pk in [c.pk for c in everything.context["cl"].result_list]


def test_queue_filters_and_search() -> None:
    reviewer = staff_user("rev", "Reviewers")
    source = SourceFactory(body="Vaccines cause autism. Unemployment fell.", language="es")
    mine = ClaimFactory(source=source, status="in_review", assignee=reviewer, language="es")
    other = ClaimFactory()
    client = login(reviewer)

    def shown(query: str) -> list[int]:
        return [c.pk for c in client.get(QUEUE + query).context["cl"].result_list]

    assert shown("?status=in_review&mine=yes") == [mine.pk]
    assert shown("?status=all&language=es") == [mine.pk]
    assert shown(f"?status=all&source={source.pk}") == [mine.pk]
    assert shown(f"?status=all&assignee={reviewer.pk}") == [mine.pk]
    assert shown("?status=all&q=vaccines") == [mine.pk]
    assert shown("?status=all&q=sky") == [other.pk]
    # Full-text search in web-search syntax: word forms, phrases, exclusion, either-or; a
    # query of stop words alone or of no words finds nothing (and is no error).
    assert shown("?status=all&q=Vaccine") == [mine.pk]
    assert shown('?status=all&q="cause autism"') == [mine.pk]
    assert shown('?status=all&q="autism cause"') == []
    assert shown("?status=all&q=vaccines+-autism") == []
    assert sorted(shown("?status=all&q=autism+or+sky")) == sorted([mine.pk, other.pk])
    assert shown("?status=all&q=the") == []
    assert shown("?status=all&q=%22%27%21") == []
    VerdictFactory(claim=other, rating=Rating.objects.get(slug="true"))
    assert shown("?status=all&rating=true") == [other.pk]


def test_bulk_start_review_assigns_to_me_and_reports_refusals() -> None:
    reviewer = staff_user("rev", "Reviewers")
    pending, taken = ClaimFactory(), ClaimFactory(status="in_review")
    response = login(reviewer).post(
        QUEUE + "?status=all",
        {"action": "start_review_action", ACTION_CHECKBOX_NAME: [pending.pk, taken.pk]},
        follow=True,
    )
    texts = [str(m) for m in response.context["messages"]]
    assert "1 claim(s) updated." in texts
    assert any("cannot be taken for review now" in t for t in texts)
    pending.refresh_from_db()
    assert (pending.status, pending.assignee) == ("in_review", reviewer)


def test_bulk_reject_asks_for_a_reason_first() -> None:
    reviewer = staff_user("rev", "Reviewers")
    claims = [ClaimFactory(), ClaimFactory()]
    selection = {"action": "reject_action", ACTION_CHECKBOX_NAME: [c.pk for c in claims]}
    client = login(reviewer)
    ask = client.post(QUEUE, selection)
    assert ask.status_code == 200 and b'name="reason"' in ask.content
    assert Claim.objects.filter(status="rejected").count() == 0
    missing = client.post(QUEUE, {**selection, "apply": "1", "reason": ""})
    assert b"This field is required" in missing.content
    client.post(QUEUE, {**selection, "apply": "1", "reason": "Opinion."}, follow=True)
    assert Claim.objects.filter(status="rejected").count() == 2
    assert set(ClaimEvent.objects.values_list("note", flat=True)) == {"Opinion."}


def test_bulk_mark_duplicate_and_assign() -> None:
    editor = staff_user("ed", "Editors")
    reviewer = staff_user("rev", "Reviewers")
    original, copy, other = ClaimFactory(), ClaimFactory(), ClaimFactory()
    client = login(editor)
    client.post(
        QUEUE,
        {
            "action": "mark_duplicate_action",
            ACTION_CHECKBOX_NAME: [copy.pk],
            "apply": "1",
            "duplicate_of": original.pk,
        },
    )
    copy.refresh_from_db()
    assert (copy.status, copy.duplicate_of) == ("duplicate", original)
    client.post(
        QUEUE,
        {
            "action": "assign_action",
            ACTION_CHECKBOX_NAME: [other.pk],
            "apply": "1",
            "assignee": reviewer.pk,
        },
    )
    other.refresh_from_db()
    assert (other.status, other.assignee) == ("in_review", reviewer)


def test_the_claim_page_shows_the_claim_in_its_source_and_only_allowed_buttons() -> None:
    reviewer = staff_user("rev", "Reviewers")
    claim = ClaimFactory()
    body = login(reviewer).get(page(claim)).content.decode()
    assert "<mark>The sky is green.</mark> Water boils at 50 degrees." in body
    assert 'id="action-start_review"' in body and 'id="action-reject"' in body
    assert 'id="action-publish"' not in body and 'id="action-reopen"' not in body
    assert 'name="status"' not in body  # never a free dropdown
    assert 'id="claim-history"' in body


def test_reviewer_drafts_in_the_admin_and_a_stale_save_keeps_the_typed_text() -> None:
    reviewer = staff_user("rev", "Reviewers")
    claim = ClaimFactory(status="in_review", assignee=reviewer)
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


def test_a_non_assignee_sees_the_verdict_read_only() -> None:
    claim = ClaimFactory(status="in_review", assignee=staff_user("rev", "Reviewers"))
    VerdictFactory(claim=claim)
    body = login(staff_user("other", "Reviewers")).get(page(claim)).content.decode()
    assert 'id="verdict-form"' not in body
    assert "The sky is blue on a clear day." in body


def test_editor_publishes_and_the_author_is_not_offered_publish() -> None:
    author = staff_user("author", "Editors")
    claim = ClaimFactory(status="awaiting_approval", assignee=author)
    VerdictFactory(claim=claim, author=author)
    assert 'id="action-publish"' not in login(author).get(page(claim)).content.decode()
    # Even a hand-made POST is refused, with the reason shown.
    refused = login(author).post(f"/admin/claims/claim/{claim.pk}/workflow/publish/", {})
    assert "Four-eyes" in refused.content.decode()
    editor = staff_user("ed", "Editors")
    response = login(editor).post(
        f"/admin/claims/claim/{claim.pk}/workflow/publish/", {}, follow=True
    )
    assert "Claim is Published." in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == "published"


def test_a_reason_is_asked_for_and_the_status_stays() -> None:
    reviewer = staff_user("rev", "Reviewers")
    claim = ClaimFactory()
    response = login(reviewer).post(f"/admin/claims/claim/{claim.pk}/workflow/reject/", {})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == "pending"


def test_editor_corrects_a_published_verdict_with_a_public_note() -> None:
    editor = staff_user("ed", "Editors")
    claim = ClaimFactory(status="published")
    verdict = VerdictFactory(claim=claim, status="published")
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


def test_reviewers_read_the_scale_and_editors_manage_it() -> None:
    reviewer, editor = staff_user("rev", "Reviewers"), staff_user("ed", "Editors")
    assert login(reviewer).get("/admin/claims/rating/add/").status_code == 403
    assert login(reviewer).get("/admin/claims/rating/").status_code == 200
    assert login(editor).get("/admin/claims/rating/add/").status_code == 200
    assert login(editor).get("/admin/claims/claimant/add/").status_code == 200
    assert login(reviewer).get("/admin/claims/claimant/add/").status_code == 403


def test_a_source_lists_its_claims() -> None:
    editor = staff_user("ed", "Editors")
    claim = ClaimFactory()
    body = login(editor).get(f"/admin/sources/source/{claim.source_id}/change/").content.decode()
    assert "The sky is green." in body
    assert f"?source={claim.source_id}&amp;status=all" in body


def test_editing_claim_metadata_never_writes_the_status() -> None:
    editor = staff_user("ed", "Editors")
    claim = ClaimFactory()
    client = login(editor)
    with CaptureQueriesContext(connection) as queries:
        client.post(page(claim), {"claimant": "", "claim_date": "2024-05-01", "language": "fr"})
    updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "claims_claim"')]
    assert len(updates) == 1
    # A status read before the save could be stale by then; only the workflow writes it.
    assert '"status"' not in updates[0] and '"assignee_id"' not in updates[0]
    claim.refresh_from_db()
    assert (claim.language, str(claim.claim_date)) == ("fr", "2024-05-01")


def test_large_lists_show_an_estimate_instead_of_counting(monkeypatch: Any) -> None:
    from claims.admin.queue import EstimatedCountPaginator

    for _ in range(3):
        ClaimFactory()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_claim")
    monkeypatch.setattr(EstimatedCountPaginator, "EXACT_BELOW", 1)  # treat 3 rows as "large"
    for queryset in (Claim.objects.all(), Claim.objects.filter(status="pending")):
        with CaptureQueriesContext(connection) as queries:
            estimate = EstimatedCountPaginator(queryset, 50).count
        assert estimate >= 1
        assert not [q for q in queries if "COUNT(" in q["sql"].upper()]
    # Small results are counted exactly.
    monkeypatch.setattr(EstimatedCountPaginator, "EXACT_BELOW", 10_000)
    assert EstimatedCountPaginator(Claim.objects.filter(status="pending"), 50).count == 3


def test_assigned_to_me_shows_every_status_unless_one_is_chosen() -> None:
    reviewer = staff_user("rev", "Reviewers")
    mine = ClaimFactory(status="in_review", assignee=reviewer)
    client = login(reviewer)
    assert [c.pk for c in client.get(QUEUE + "?mine=yes").context["cl"].result_list] == [mine.pk]
    assert list(client.get(QUEUE + "?mine=yes&status=pending").context["cl"].result_list) == []


def test_a_long_source_links_to_its_claims_instead_of_listing_them(monkeypatch: Any) -> None:
    from sources.admin import SourceClaimInline

    editor = staff_user("ed", "Editors")
    source = SourceFactory(body="One. Two. Three.")
    for start, end in ((0, 4), (5, 9), (10, 16)):
        ClaimFactory(source=source, start=start, end=end, position=start)
    url = f"/admin/sources/source/{source.pk}/change/"
    assert 'id="claims-group"' in login(editor).get(url).content.decode()
    monkeypatch.setattr(SourceClaimInline, "MAX_ROWS", 2)
    body = login(editor).get(url).content.decode()
    assert "claims in the review queue" in body
    assert 'id="claims-group"' not in body


def test_the_groups_hold_the_permissions_their_roles_need() -> None:
    reviewer, editor = staff_user("rev", "Reviewers"), staff_user("ed", "Editors")
    assert reviewer.has_perms(["claims.view_claim", "claims.view_verdict", "sources.view_source"])
    assert not reviewer.has_perm("claims.change_claim")
    assert not reviewer.has_perm("claims.change_rating")
    assert editor.has_perms(["claims.change_claim", "claims.change_rating", "claims.add_claimant"])
    for user in (reviewer, editor):
        assert not user.has_perm("claims.delete_claim")
        assert not user.has_perm("sources.change_importrun")
    assert login(editor).get("/admin/sources/importrun/add/").status_code == 403
