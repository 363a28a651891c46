"""The public verdict list and detail: what anonymous consumers see, filters, search,
incremental sync and the CSV export."""

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from claims.models import Citation, Claim, Rating, Verdict
from claims.selectors import verdict_public_queryset, verdict_public_rows
from factcheck.api.pagination import cursor_encode
from tests.api.helpers import (
    all_pages,
    draft_verdict,
    verdict_correct,
    verdict_retract,
)
from tests.factories import (
    ClaimantFactory,
    ClaimFactory,
    PublishedVerdictFactory,
    SourceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


# --- what anonymous consumers see ------------------------------------------------------------


def test_anonymous_lists_only_published_and_retracted_verdicts() -> None:
    published = PublishedVerdictFactory.create()
    retracted = verdict_retract(
        verdict=PublishedVerdictFactory.create(), note="We got the figure wrong."
    )
    draft_verdict()
    body = APIClient().get("/api/v1/verdicts/").json()
    assert [v["id"] for v in body["results"]] == [published.id, retracted.id]
    assert [v["status"] for v in body["results"]] == ["published", "retracted"]
    assert body["next"] is None


def test_a_verdict_carries_its_claim_rating_citations_and_links() -> None:
    claimant = ClaimantFactory.create(name="A. Senator")
    source = SourceFactory.create(
        title="Debate", url="https://news.example/debate", publisher="News"
    )
    claim = ClaimFactory.create(
        source=source,
        claimant=claimant,
        status=Claim.Status.PUBLISHED,
        claim_date=timezone.now().date(),
    )
    verdict = PublishedVerdictFactory.create(
        claim=claim, author=UserFactory.create(first_name="Ada", last_name="Lee")
    )
    Citation.objects.create(verdict=verdict, url="https://stats.example/t1", quote="Blue.")
    body = APIClient().get(f"/api/v1/verdicts/{verdict.id}/").json()
    assert body["claim"]["text"] == claim.text
    assert body["claim"]["claimant"] == {"id": claimant.id, "name": "A. Senator"}
    assert body["claim"]["source"]["url"] == "https://news.example/debate"
    assert body["rating"] == {"slug": "false", "label": "False", "value": 2, "best": 6, "worst": 1}
    assert body["citations"][0]["url"] == "https://stats.example/t1"
    assert body["author"] == "Ada Lee"
    assert body["claimreview_url"] == f"http://testserver/api/v1/verdicts/{verdict.id}/claimreview"
    assert body["page_url"] == f"http://testserver/verdicts/{verdict.id}/"


def test_a_draft_verdict_is_not_found_anywhere_public() -> None:
    draft = draft_verdict()
    client = APIClient()
    assert client.get(f"/api/v1/verdicts/{draft.id}/").status_code == 404
    assert client.get(f"/api/v1/verdicts/{draft.id}/claimreview").status_code == 404
    assert client.get(f"/verdicts/{draft.id}/").status_code == 404
    assert client.get("/api/v1/claims/").json()["results"] == []
    assert client.get("/api/v1/sources/").json()["results"] == []
    assert client.get("/api/v1/claimants/").json()["results"] == []
    assert client.get("/api/v1/claimreview-feed").getvalue() == (
        b'{"@context":"https://schema.org","@type":"DataFeed","dataFeedElement":[]}'
    )
    assert client.get("/api/v1/verdicts/?format=csv").getvalue().count(b"\n") == 1
    assert client.get("/api/v1/claims:search?query=sky").json() == {}


def test_a_verdict_reads_the_same_in_the_list_and_its_detail() -> None:
    plain = PublishedVerdictFactory.create(
        claim=ClaimFactory.create(claimant=ClaimantFactory.create()), author=None
    )
    Citation.objects.create(verdict=plain, url="https://example.org/a", quote="A.", position=1)
    Citation.objects.create(verdict=plain, source=plain.claim.source, note="B.", position=0)
    imported = PublishedVerdictFactory.create(
        origin=Verdict.Origin.IMPORTED,
        rating=None,
        original_rating="Pants on fire",
        publisher_name="Other",
        publisher_site="other.example",
        author=UserFactory.create(first_name="", last_name="", username="rita"),
    )
    retracted = verdict_retract(verdict=PublishedVerdictFactory.create(), note="Wrong figure.")
    client = APIClient()
    listed = client.get("/api/v1/verdicts/").json()["results"]
    assert [v["id"] for v in listed] == [plain.id, imported.id, retracted.id]
    assert [client.get(v["url"]).json() for v in listed] == listed
    assert [c["note"] for c in listed[0]["citations"]] == ["B.", ""]
    assert listed[0]["author"] is None
    assert (listed[1]["rating"], listed[1]["author"]) == (None, "rita")
    assert listed[1]["publisher"] == {"name": "Other", "site": "other.example"}
    assert listed[2]["corrections"][-1]["note"] == "Wrong figure."


def test_the_rows_of_an_empty_selection_cost_no_query(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    PublishedVerdictFactory.create()
    with django_assert_num_queries(0):
        assert verdict_public_rows(verdicts=verdict_public_queryset().filter(pk__in=[])) == []


# --- filters and search ----------------------------------------------------------------------


def test_filters_narrow_the_list() -> None:
    claimant = ClaimantFactory.create()
    now = timezone.now()
    old = PublishedVerdictFactory.create(published_at=now - timedelta(days=30))
    mine = PublishedVerdictFactory.create(
        claim=ClaimFactory.create(claimant=claimant, status=Claim.Status.PUBLISHED)
    )
    german = PublishedVerdictFactory.create(
        claim=ClaimFactory.create(language="de", status=Claim.Status.PUBLISHED),
        rating=Rating.objects.get(slug="true"),
    )
    client = APIClient()

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/v1/verdicts/?{query}")
        assert response.status_code == 200, response.json()
        return [v["id"] for v in response.json()["results"]]

    assert ids("rating=true") == [german.id]
    assert ids(f"claimant={claimant.id}") == [mine.id]
    assert ids(f"source={old.claim.source_id}") == [old.id]
    assert ids("language=de") == [german.id]
    cut = (now - timedelta(days=1)).isoformat().replace("+00:00", "Z")
    assert ids(f"published_before={cut}") == [old.id]
    assert ids(f"published_after={cut}") == [mine.id, german.id]
    assert ids(f"updated_since={german.updated_at.isoformat().replace('+00:00', 'Z')}") == [
        german.id
    ]


def test_full_text_search_stems_in_the_claims_language() -> None:
    english = PublishedVerdictFactory.create(
        claim=ClaimFactory.create(
            source=SourceFactory.create(body="Unemployment rose sharply. Then more."),
            status=Claim.Status.PUBLISHED,
        )
    )
    spanish = PublishedVerdictFactory.create(
        claim=ClaimFactory.create(
            source=SourceFactory.create(body="Los impuestos subieron. Luego más.", language="es"),
            language="es",
            status=Claim.Status.PUBLISHED,
        ),
        headline="Los impuestos no subieron",
    )
    client = APIClient()

    def ids(query: str) -> list[int]:
        return [v["id"] for v in client.get(f"/api/v1/verdicts/?{query}").json()["results"]]

    assert ids("q=unemployment") == [english.id]  # exact word, any language
    assert ids("q=unemployed&language=en") == [english.id]  # English stemming
    assert ids("q=unemployed") == []  # without a language only exact words match
    assert ids("q=impuesto&language=es") == [spanish.id]  # Spanish stemming
    assert ids("q=impuesto") == []
    assert ids('q="los impuestos"') == [spanish.id]
    assert ids("q=nothing-like-this") == []


# --- incremental sync ----------------------------------------------------------------------------


def test_a_consumer_syncing_from_updated_since_sees_every_change_exactly_once() -> None:
    start = timezone.now()
    first, second, third = (
        PublishedVerdictFactory.create(),
        PublishedVerdictFactory.create(),
        PublishedVerdictFactory.create(),
    )
    client = APIClient()
    url = f"/api/v1/verdicts/?page_size=2&updated_since={start.isoformat().replace('+00:00', 'Z')}"
    page = client.get(url).json()
    seen = [(v["id"], v["status"], len(v["corrections"])) for v in page["results"]]
    page = client.get(page["next"]).json()
    seen += [(v["id"], v["status"], len(v["corrections"])) for v in page["results"]]
    assert page["next"] is None
    assert seen == [
        (first.id, "published", 0),
        (second.id, "published", 0),
        (third.id, "published", 0),
    ]

    # The consumer keeps the last cursor; meanwhile a correction and a retraction happen.
    last = page["results"][-1]
    resume = "/api/v1/verdicts/?page_size=2&cursor=" + cursor_encode(
        (Verdict.objects.get(pk=last["id"]).updated_at, last["id"])
    )
    verdict_correct(verdict=first, note="The figure was for 2023, not 2024.")
    verdict_retract(verdict=second, note="The quote was misattributed.")
    changes = all_pages(client, resume)
    assert [(v["id"], v["status"], len(v["corrections"])) for v in changes] == [
        (first.id, "published", 1),
        (second.id, "retracted", 1),
    ]
    assert changes[0]["corrections"][0]["note"] == "The figure was for 2023, not 2024."
    assert all_pages(client, resume.replace("page_size=2", "page_size=1")) == changes


def test_sync_lists_hold_back_changes_younger_than_the_sync_lag(settings: Any) -> None:
    settings.API_SYNC_LAG_SECONDS = 60
    settled_verdict, fresh = PublishedVerdictFactory.create(), PublishedVerdictFactory.create()
    Verdict.objects.filter(pk=settled_verdict.pk).update(
        updated_at=timezone.now() - timedelta(seconds=61)
    )
    Claim.objects.filter(pk=settled_verdict.claim_id).update(
        updated_at=timezone.now() - timedelta(seconds=61)
    )
    client = APIClient()
    assert [v["id"] for v in client.get("/api/v1/verdicts/").json()["results"]] == [
        settled_verdict.id
    ]
    assert [c["id"] for c in client.get("/api/v1/claims/").json()["results"]] == [
        settled_verdict.claim_id
    ]
    assert client.get(f"/api/v1/verdicts/{fresh.id}/").status_code == 200


def test_deep_pages_neither_skip_nor_repeat_rows_with_equal_timestamps() -> None:
    verdicts = [PublishedVerdictFactory.create() for _ in range(7)]
    same = timezone.now()
    Verdict.objects.filter(pk__in=[v.pk for v in verdicts[2:6]]).update(updated_at=same)
    ids = [v["id"] for v in all_pages(APIClient(), "/api/v1/verdicts/?page_size=2")]
    assert sorted(ids) == sorted(v.pk for v in verdicts)
    assert len(ids) == len(set(ids))


# --- CSV ---


def test_csv_export_streams_every_matching_verdict() -> None:
    verdicts = [PublishedVerdictFactory.create() for _ in range(3)]
    verdict_correct(verdict=verdicts[0], note="Fixed a date.")
    draft_verdict()
    response = APIClient().get("/api/v1/verdicts/?format=csv&page_size=1")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode())))
    assert [int(r["id"]) for r in rows] == [verdicts[1].id, verdicts[2].id, verdicts[0].id]
    assert rows[2]["corrections"].endswith(": Fixed a date.")
    assert rows[0]["rating"] == "False"
    assert rows[0]["claim_text"] == verdicts[1].claim.text
    rating_true = APIClient().get("/api/v1/verdicts/?format=csv&rating=true").getvalue()
    assert rating_true.decode().count("\n") == 1


def test_a_csv_of_more_verdicts_than_stream_in_a_request_points_to_the_export(
    settings: Any,
) -> None:
    settings.EXPORTS_STREAM_MAX_ROWS = 2
    for _ in range(3):
        PublishedVerdictFactory.create()
    response = APIClient().get("/api/v1/verdicts/?format=csv")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "export_required"
    assert (
        "POST the same filters as a JSON object to http://testserver/api/v1/exports/"
        in (response.json()["detail"])
    )
    # At the limit it streams, as do the rows after a cursor.
    first = APIClient().get("/api/v1/verdicts/?page_size=1").json()["next"]
    after = APIClient().get(first + "&format=csv")
    assert after.status_code == 200
    assert after.getvalue().decode().count("\n") == 3


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("rating=false&rating=true", "rating", "Give it once."),
        ("language=", "language", "Give a value or leave the parameter out."),
        ("published_after=yesterday", "published_after", "Enter a valid date/time."),
    ],
)
def test_a_bad_filter_is_an_invalid_answer_naming_it(query: str, field: str, message: str) -> None:
    # As api.md's error table says: `invalid`, with `errors` naming the filter.
    response = APIClient().get(f"/api/v1/verdicts/?{query}")
    assert response.status_code == 400
    assert response.json() == {
        "detail": f"Invalid input: {field}.",
        "code": "invalid",
        "errors": {field: [message]},
    }


def test_a_refused_csv_export_answers_the_json_error_naming_the_parameter() -> None:
    response = APIClient().get("/api/v1/verdicts/?format=csv&page_size=0")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"] == "Invalid page_size: must be between 1 and 500."


def test_the_admin_exports_selected_verdicts_as_csv(client: Any) -> None:
    admin_user = UserFactory.create(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    verdicts = [PublishedVerdictFactory.create(), PublishedVerdictFactory.create()]
    response = client.post(
        "/admin/claims/verdict/",
        {"action": "verdict_export_csv", "_selected_action": [verdicts[1].pk]},
    )
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [int(r["id"]) for r in rows] == [verdicts[1].pk]
