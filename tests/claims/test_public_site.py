"""The public site's home page: the latest public verdicts, newest first, with search, filters
and keyset pages, cacheable, in a fixed number of queries, served by verdict_listed_idx."""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from claims.models import Claim, Rating, Verdict
from claims.site import PAGE_SIZE
from tests.api.helpers import verdict_retract
from tests.factories import (
    ClaimantFactory,
    ClaimFactory,
    PublishedVerdictFactory,
    SourceFactory,
    UserFactory,
    VerdictFactory,
)

pytestmark = pytest.mark.django_db


def listed(response: Any) -> list[int]:
    """The verdict ids a home page lists, in its order."""
    return [int(pk) for pk in re.findall(r'href="/verdicts/(\d+)/"', response.content.decode())]


def published(days_ago: float, **kwargs: Any) -> Verdict:
    return PublishedVerdictFactory.create(
        published_at=timezone.now() - timedelta(days=days_ago), **kwargs
    )


def test_home_lists_public_verdicts_newest_first_and_marks_retracted_ones() -> None:
    old = published(3)
    new = published(1)
    retracted = verdict_retract(verdict=published(2), note="Wrong figure.")
    VerdictFactory.create(claim=ClaimFactory.create(status=Claim.Status.AWAITING_APPROVAL))
    response = Client().get("/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert listed(response) == [new.pk, retracted.pk, old.pk]
    page = response.content.decode()
    assert page.count("Retracted</span>") == 1
    assert "Latest fact checks" in page and "factcheck" in page


def test_an_imported_review_without_a_date_is_listed_when_it_was_stored() -> None:
    dated = published(1)
    undated = published(0, origin=Verdict.Origin.IMPORTED, publisher_name="Check Desk")
    Verdict.objects.filter(pk=undated.pk).update(published_at=None)
    assert listed(Client().get("/")) == [undated.pk, dated.pk]


def test_search_finds_words_of_the_claim_and_of_the_review_stemmed_in_english() -> None:
    source = SourceFactory.create(body="Vaccines cause autism in children. Other text.")
    match = published(2, claim=ClaimFactory.create(source=source, status=Claim.Status.PUBLISHED))
    by_review = published(1, explanation="Trials of the vaccine found nothing of the kind.")
    published(0)
    assert listed(Client().get("/", {"q": "vaccine"})) == [by_review.pk, match.pk]
    assert listed(Client().get("/", {"q": '"cause autism"'})) == [match.pk]
    empty = Client().get("/", {"q": "zeppelin"})
    assert listed(empty) == [] and "No fact checks match." in empty.content.decode()


def test_filters_by_rating_claimant_source_and_date() -> None:
    true = Rating.objects.get(slug="true")
    claimant = ClaimantFactory.create(name="A. Senator")
    source = SourceFactory.create(title="The evening debate")
    by_rating = published(10, rating=true)
    by_claimant = published(
        5, claim=ClaimFactory.create(claimant=claimant, status=Claim.Status.PUBLISHED)
    )
    from_source = published(
        3, claim=ClaimFactory.create(source=source, status=Claim.Status.PUBLISHED)
    )
    client = Client()
    assert listed(client.get("/", {"rating": "true"})) == [by_rating.pk]
    narrowed = client.get("/", {"claimant": claimant.pk})
    assert listed(narrowed) == [by_claimant.pk]
    assert "Claims by <strong>A. Senator</strong>" in narrowed.content.decode()
    assert listed(client.get("/", {"source": source.pk})) == [from_source.pk]
    day = (timezone.localdate() - timedelta(days=5)).isoformat()
    assert listed(client.get("/", {"since": day, "until": day})) == [by_claimant.pk]
    assert listed(client.get("/", {"since": day})) == [from_source.pk, by_claimant.pk]


def test_next_pages_continue_after_the_last_verdict_shown_without_repeats() -> None:
    verdicts = [published(n / 24) for n in range(2 * PAGE_SIZE + 3)]
    client = Client()
    seen: list[int] = []
    url = "/?rating=false"
    pages = 0
    while url:
        response = client.get(url)
        seen += listed(response)
        pages += 1
        found = re.search(r'href="([^"]+)" rel="next"', response.content.decode())
        url = "/" + found.group(1).replace("&amp;", "&") if found else ""
        if found:
            assert "rating=false" in url  # a next page keeps the filters
    assert pages == 3
    assert seen == [v.pk for v in verdicts]


def test_a_filter_that_does_not_parse_is_named_with_a_400() -> None:
    published(1)
    client = Client()
    for params, words in [
        ({"since": "yesterday"}, "Enter a valid date."),
        ({"rating": "nonsense"}, "Select a valid choice."),
        ({"after": "not-a-cursor"}, "Page: Invalid page: not a token this API issued."),
        ({"claimant": "99999999999999999999"}, "Claimant: Ensure this value"),
        ({"q": "a\x00b"}, "Null characters are not allowed."),
        ({"since": "2026-03-02", "until": "2026-03-01"}, "The end date comes before"),
    ]:
        response = client.get("/", params)
        assert response.status_code == 400, params
        assert words in response.content.decode(), params
        assert listed(response) == []


def test_the_home_page_is_cacheable_and_answers_304_until_it_changes() -> None:
    published(1)
    client = Client()
    first = client.get("/")
    assert first["Cache-Control"] == "public, max-age=60"
    assert client.get("/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    published(0)
    assert client.get("/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_the_home_page_takes_three_queries_whatever_it_shows() -> None:
    for n in range(PAGE_SIZE + 5):
        published(n, claim=ClaimFactory.create(claimant=ClaimantFactory.create()))
    with CaptureQueriesContext(connection) as queries:
        response = Client().get("/", {"q": "sky", "rating": "false"})
    assert len(listed(response)) == PAGE_SIZE
    # the rating scale, which verdicts (ids), their rows
    assert len(queries) == 3, [q["sql"] for q in queries]


def plan(
    sql: str, params: list[Any], avoid: tuple[str, ...] = ("seqscan", "bitmapscan", "sort")
) -> str:
    """The plan of `sql` when PostgreSQL avoids what a small table makes cheap (scanning it,
    sorting it): the plan a large table gets if its indexes can serve the query."""
    with connection.cursor() as cursor:
        for method in avoid:
            cursor.execute(f"SET LOCAL enable_{method} = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_pages_of_the_list_are_an_index_range_of_verdict_listed_idx_without_a_sort() -> None:
    first = published(1)
    with CaptureQueriesContext(connection) as queries:
        Client().get("/", {"after": _cursor(first)})
    [ids] = [q["sql"] for q in queries if "LIMIT" in q["sql"]]
    shown = plan(ids, [])
    assert "verdict_listed_idx" in shown
    assert "Index Cond: (ROW(COALESCE(" in shown
    assert "Sort" not in shown


def test_one_claimants_page_reads_that_claimants_claims_first() -> None:
    claimant = ClaimantFactory.create()
    shown = published(
        1, claim=ClaimFactory.create(claimant=claimant, status=Claim.Status.PUBLISHED)
    )
    published(0)
    with CaptureQueriesContext(connection) as queries:
        response = Client().get("/", {"claimant": claimant.pk})
    assert listed(response) == [shown.pk]
    [ids] = [q["sql"] for q in queries if "LIMIT" in q["sql"]]
    # The claimant's claims first, once, through their index: not a walk through every verdict
    # testing each one's claimant.
    found = plan(ids, [], avoid=("seqscan",))
    assert "InitPlan" in found and "claim_claimant_idx" in found, found


def _cursor(verdict: Verdict) -> str:
    from factcheck.api.pagination import cursor_encode

    assert verdict.published_at is not None
    return cursor_encode((verdict.published_at, verdict.pk))


def test_the_admins_view_site_link_leads_to_the_home_page() -> None:
    request = RequestFactory().get("/admin/")
    request.user = AnonymousUser()
    assert admin.site.each_context(request)["site_url"] == reverse("site-home") == "/"


def test_a_client_over_the_read_limit_gets_a_page_saying_when_to_come_back(settings: Any) -> None:
    settings.API_ANON_RATE = "2/minute"
    verdict = PublishedVerdictFactory.create()
    reader = Client()
    assert reader.get("/").status_code == 200
    assert reader.get(f"/verdicts/{verdict.pk}/").status_code == 200

    refused = reader.get(f"/verdicts/{verdict.pk}/")
    assert refused.status_code == 429
    assert refused["Content-Type"] == "text/html; charset=utf-8"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert f"try again in {refused['Retry-After']} second" in refused.content.decode()
    assert verdict.headline not in refused.content.decode()
    # One budget per client for pages and the API alike; other clients read on, and so do
    # signed-in users.
    assert Client().get("/api/v1/ratings/").status_code == 429
    assert Client(REMOTE_ADDR="203.0.113.5").get("/").status_code == 200
    editor = Client()
    editor.force_login(UserFactory.create(is_staff=True))
    assert editor.get("/").status_code == 200
