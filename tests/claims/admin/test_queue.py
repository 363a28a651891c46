"""The review queue: the claim list, its filters and search, its bulk actions, and the way
there from a source."""

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from claims.admin.queue import EstimatedCountPaginator
from claims.models import Claim, ClaimEvent, Rating
from sources.admin import SourceClaimInline
from tests.claims.admin.conftest import Login
from tests.factories import ClaimFactory, SourceFactory, VerdictFactory, staff_user

pytestmark = pytest.mark.django_db
QUEUE = "/admin/claims/claim/"


def test_the_queue_shows_pending_claims_by_default_newest_first(
    django_assert_max_num_queries: Any, login: Login
) -> None:
    reviewer = staff_user("rev", "Reviewers")
    older = ClaimFactory.create()
    newer = ClaimFactory.create()
    rejected = ClaimFactory.create(status="rejected")
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


def test_queue_filters_and_search(login: Login) -> None:
    reviewer = staff_user("rev", "Reviewers")
    source = SourceFactory.create(body="Vaccines cause autism. Unemployment fell.", language="es")
    mine = ClaimFactory.create(source=source, status="in_review", assignee=reviewer, language="es")
    other = ClaimFactory.create()
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
    VerdictFactory.create(claim=other, rating=Rating.objects.get(slug="true"))
    assert shown("?status=all&rating=true") == [other.pk]


def test_bulk_start_review_assigns_to_me_and_reports_refusals(login: Login) -> None:
    reviewer = staff_user("rev", "Reviewers")
    pending, taken = ClaimFactory.create(), ClaimFactory.create(status="in_review")
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


def test_bulk_reject_asks_for_a_reason_first(login: Login) -> None:
    reviewer = staff_user("rev", "Reviewers")
    claims = [ClaimFactory.create(), ClaimFactory.create()]
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


def test_bulk_mark_duplicate_and_assign(login: Login) -> None:
    editor = staff_user("ed", "Editors")
    reviewer = staff_user("rev", "Reviewers")
    original, copy, other = ClaimFactory.create(), ClaimFactory.create(), ClaimFactory.create()
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


def test_large_lists_show_an_estimate_instead_of_counting(monkeypatch: Any) -> None:
    for _ in range(3):
        ClaimFactory.create()
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


def test_assigned_to_me_shows_every_status_unless_one_is_chosen(login: Login) -> None:
    reviewer = staff_user("rev", "Reviewers")
    mine = ClaimFactory.create(status="in_review", assignee=reviewer)
    client = login(reviewer)
    assert [c.pk for c in client.get(QUEUE + "?mine=yes").context["cl"].result_list] == [mine.pk]
    assert list(client.get(QUEUE + "?mine=yes&status=pending").context["cl"].result_list) == []


def test_a_source_lists_its_claims(login: Login) -> None:
    editor = staff_user("ed", "Editors")
    claim = ClaimFactory.create()
    body = login(editor).get(f"/admin/sources/source/{claim.source_id}/change/").content.decode()
    assert "The sky is green." in body
    assert f"?source={claim.source_id}&amp;status=all" in body


def test_a_long_source_links_to_its_claims_instead_of_listing_them(
    monkeypatch: Any, login: Login
) -> None:
    editor = staff_user("ed", "Editors")
    source = SourceFactory.create(body="One. Two. Three.")
    for start, end in ((0, 4), (5, 9), (10, 16)):
        ClaimFactory.create(source=source, start=start, end=end, position=start)
    url = f"/admin/sources/source/{source.pk}/change/"
    assert 'id="claims-group"' in login(editor).get(url).content.decode()
    monkeypatch.setattr(SourceClaimInline, "MAX_ROWS", 2)
    body = login(editor).get(url).content.decode()
    assert "claims in the review queue" in body
    assert 'id="claims-group"' not in body


def test_the_queue_shows_check_worthiness_in_words_and_sorts_by_it(login: Login) -> None:
    low = ClaimFactory.create(score=0.05)
    high = ClaimFactory.create(score=0.97)
    unscored = ClaimFactory.create(score=None)
    client = login(staff_user("rev", "Reviewers"))
    response = client.get(QUEUE)
    body = response.content.decode()
    assert ">High<" in body and ">Low<" in body and ">Not scored<" in body
    assert "0.97" not in body
    assert [c.pk for c in response.context["cl"].result_list] == [high.pk, low.pk, unscored.pk]
    # The level column is the sorted one; a click reverses it, unscored claims still apart.
    column = list(response.context["cl"].list_display).index("level")
    assert response.context["cl"].get_ordering_field_columns() == {column: "desc"}
    reverse = client.get(QUEUE + f"?o={column}")
    assert [c.pk for c in reverse.context["cl"].result_list] == [unscored.pk, low.pk, high.pk]


def test_long_source_titles_are_cut_at_a_word(login: Login) -> None:
    source = SourceFactory.create(
        title="The letter was sent amid new U.S. sanctions as part of a pressure campaign"
    )
    ClaimFactory.create(source=source)
    body = login(staff_user("rev", "Reviewers")).get(QUEUE).content.decode()
    assert "The letter was sent amid new U.S. sanctions as part…" in body
    assert "amid new U<" not in body


def test_the_queue_says_a_new_claims_age_in_words_that_fit_its_column(login: Login) -> None:
    ClaimFactory.create()
    old = ClaimFactory.create()
    Claim.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(minutes=59.5))
    body = login(staff_user("rev", "Reviewers")).get(QUEUE).content.decode()
    assert '<td class="field-age">just now</td>' in body
    assert '<td class="field-age">59\xa0minutes</td>' in body
    assert "under a minute" not in body
