"""ClaimReview, the HTML page, Google's client, HTTP caching, API keys and throttling (issue 4)."""

import json
import re
from datetime import timedelta
from typing import Any

import jsonschema
import pytest
from django.test import override_settings
from django.utils import timezone
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError
from rest_framework.test import APIClient

from claims.models import ApiKey, Claim, Verdict
from claims.services import api_key_create, api_key_hash
from tests.api.test_issue4_verdicts import staff_client, verdict_retract
from tests.factories import (
    ClaimantFactory,
    ClaimFactory,
    PublishedVerdictFactory,
    SourceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
ORGANIZATION = {
    "FACTCHECK_ORGANIZATION_NAME": "Checkers",
    "FACTCHECK_ORGANIZATION_URL": "https://c.example",
}

# Google's required and recommended ClaimReview properties
# (developers.google.com/search/docs/appearance/structured-data/factcheck).
_ORGANIZATION = {
    "type": "object",
    "required": ["@type", "name"],
    "properties": {"@type": {"enum": ["Organization", "Person"]}, "name": {"minLength": 1}},
}
CLAIMREVIEW_SCHEMA = {
    "type": "object",
    "required": [
        "@context",
        "@type",
        "url",
        "claimReviewed",
        "reviewRating",
        "author",
        "datePublished",
        "itemReviewed",
    ],
    "properties": {
        "@context": {"const": "https://schema.org"},
        "@type": {"const": "ClaimReview"},
        "url": {"type": "string", "pattern": "^https?://"},
        "claimReviewed": {"type": "string", "minLength": 1},
        "datePublished": {"type": "string", "format": "date-time"},
        "author": _ORGANIZATION,
        "reviewRating": {
            "type": "object",
            "required": ["@type", "alternateName"],
            "properties": {
                "@type": {"const": "Rating"},
                "alternateName": {"type": "string", "minLength": 1},
                "ratingValue": {"type": "integer"},
                "bestRating": {"type": "integer"},
                "worstRating": {"type": "integer"},
            },
            "dependentRequired": {"ratingValue": ["bestRating", "worstRating"]},
        },
        "itemReviewed": {
            "type": "object",
            "required": ["@type", "appearance", "firstAppearance"],
            "properties": {
                "@type": {"const": "Claim"},
                "author": {
                    "type": "object",
                    "required": ["@type", "name"],
                    "properties": {"name": {"minLength": 1}},
                },
                "datePublished": {"type": "string", "format": "date"},
                "appearance": {
                    "type": "array",
                    "minItems": 1,
                    "items": {"type": "object", "properties": {"@type": {"const": "CreativeWork"}}},
                },
                "firstAppearance": {
                    "type": "object",
                    "properties": {"@type": {"const": "CreativeWork"}},
                },
            },
        },
    },
}
FEED_SCHEMA = {
    "type": "object",
    "required": ["@context", "@type", "dataFeedElement"],
    "properties": {
        "@context": {"const": "https://schema.org"},
        "@type": {"const": "DataFeed"},
        "dataFeedElement": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["@type", "dateCreated", "url", "item"],
                "properties": {
                    "@type": {"const": "DataFeedItem"},
                    "item": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            **CLAIMREVIEW_SCHEMA,
                            "required": [r for r in CLAIMREVIEW_SCHEMA["required"] if r[0] != "@"],
                        },
                    },
                },
            },
        },
    },
}


def validate(instance: Any, schema: dict[str, Any]) -> None:
    jsonschema.validate(
        instance, schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def full_verdict() -> Verdict:
    claim = ClaimFactory(
        source=SourceFactory(title="Debate", url="https://news.example/debate"),
        claimant=ClaimantFactory(name="A. Senator"),
        claim_date=timezone.now().date(),
        status=Claim.Status.PUBLISHED,
    )
    return PublishedVerdictFactory(claim=claim, headline="No, the sky is not green")


# --- ClaimReview ---


@override_settings(
    FACTCHECK_ORGANIZATION_NAME="Checkers", FACTCHECK_ORGANIZATION_URL="https://c.example"
)
def test_claimreview_has_googles_required_and_recommended_properties() -> None:
    verdict = full_verdict()
    response = APIClient().get(f"/api/v1/verdicts/{verdict.id}/claimreview")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    review = json.loads(response.content)
    validate(review, CLAIMREVIEW_SCHEMA)
    assert review["url"] == f"http://testserver/verdicts/{verdict.id}/"
    assert review["claimReviewed"] == verdict.claim.text
    assert review["author"] == {
        "@type": "Organization",
        "name": "Checkers",
        "url": "https://c.example",
    }
    assert review["reviewRating"] == {
        "@type": "Rating",
        "alternateName": "False",
        "ratingValue": 2,
        "bestRating": 6,
        "worstRating": 1,
    }
    assert review["itemReviewed"]["author"] == {"@type": "Person", "name": "A. Senator"}
    assert review["itemReviewed"]["appearance"][0]["url"] == "https://news.example/debate"


def test_a_bare_verdict_still_gives_valid_claimreview_and_a_broken_schema_would_fail() -> None:
    verdict = PublishedVerdictFactory(rating=None, original_rating="")
    review = APIClient().get(f"/api/v1/verdicts/{verdict.id}/claimreview").json()
    validate(review, CLAIMREVIEW_SCHEMA)
    del review["reviewRating"]["alternateName"]
    with pytest.raises(jsonschema.ValidationError):
        validate(review, CLAIMREVIEW_SCHEMA)


def test_the_feed_holds_every_published_verdict_and_not_retracted_ones() -> None:
    kept = [full_verdict(), PublishedVerdictFactory()]
    retracted = verdict_retract(verdict=PublishedVerdictFactory(), note="Wrong.")
    response = APIClient().get("/api/v1/claimreview-feed")
    assert response["Content-Type"] == "application/ld+json"
    feed = json.loads(response.getvalue())
    validate(feed, FEED_SCHEMA)
    urls = [item["url"] for item in feed["dataFeedElement"]]
    assert urls == [f"http://testserver/verdicts/{v.id}/" for v in kept]
    assert APIClient().get(f"/api/v1/verdicts/{retracted.id}/claimreview").status_code == 410
    since = kept[1].updated_at.isoformat().replace("+00:00", "Z")
    later = json.loads(
        APIClient().get(f"/api/v1/claimreview-feed?updated_since={since}").getvalue()
    )
    assert [item["url"] for item in later["dataFeedElement"]] == urls[1:]


def test_the_public_page_shows_the_verdict_with_the_same_json_ld() -> None:
    verdict = full_verdict()
    verdict.corrections = [{"date": "2026-01-02", "note": "Fixed </script> a typo."}]
    verdict.save()
    response = APIClient().get(f"/verdicts/{verdict.id}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert verdict.claim.text in html
    assert "No, the sky is not green" in html
    assert "Fixed &lt;/script&gt; a typo." in html
    embedded = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert embedded is not None
    api = APIClient().get(f"/api/v1/verdicts/{verdict.id}/claimreview").json()
    assert json.loads(embedded.group(1)) == api


def test_a_retracted_verdicts_page_says_so_and_drops_the_markup() -> None:
    verdict = verdict_retract(
        verdict=PublishedVerdictFactory(), note="The quote was misattributed."
    )
    html = APIClient().get(f"/verdicts/{verdict.id}/").content.decode()
    assert "This verdict was retracted." in html
    assert "The quote was misattributed." in html
    assert "application/ld+json" not in html


# --- Google's client, unmodified ---


@pytest.mark.django_db(transaction=True)
@override_settings(
    FACTCHECK_ORGANIZATION_NAME="Checkers", FACTCHECK_ORGANIZATION_URL="https://c.example"
)
def test_googles_factchecktools_client_searches_our_reviews(live_server: Any, request: Any) -> None:
    from claims.models import Rating

    verdict = full_verdict()
    imported = PublishedVerdictFactory(
        claim=ClaimFactory(source=SourceFactory(body="The sky is green today. More.")),
        origin=Verdict.Origin.IMPORTED,
        rating=Rating.objects.get(slug="mostly-false"),
        publisher_name="Other Checker",
        publisher_site="other.example",
        review_url="https://other.example/r/1",
    )
    _, key = api_key_create(name="google client")
    service = build(
        "factchecktools",
        "v1alpha1",
        static_discovery=True,
        developerKey=key,
        client_options={"api_endpoint": live_server.url},
    )
    # The client keeps its connection alive; closing it lets the server's thread (and its
    # database session) end with the test.
    request.addfinalizer(service.close)
    found = service.claims().search(query="sky", pageSize=1).execute()
    assert found["claims"][0]["text"] == imported.claim.text
    assert found["claims"][0]["claimReview"] == [
        {
            "publisher": {"name": "Other Checker", "site": "other.example"},
            "url": "https://other.example/r/1",
            "title": imported.headline,
            "reviewDate": imported.published_at.isoformat().replace("+00:00", "Z"),
            "textualRating": "Mostly false",
            "languageCode": "en",
        }
    ]
    second = service.claims().search(query="sky", pageSize=1, pageToken=found["nextPageToken"])
    page = second.execute()
    assert page["claims"][0]["claimant"] == "A. Senator"
    assert page["claims"][0]["claimReview"][0]["publisher"] == {
        "name": "Checkers",
        "site": "c.example",
    }
    assert page["claims"][0]["claimReview"][0]["url"] == f"{live_server.url}/verdicts/{verdict.id}/"
    assert "nextPageToken" not in page
    ours = service.claims().search(reviewPublisherSiteFilter="c.example").execute()
    assert [c["text"] for c in ours["claims"]] == [verdict.claim.text]
    assert service.claims().search(query="sky", languageCode="de").execute() == {}
    with pytest.raises(HttpError) as error:
        service.claims().search().execute()
    assert error.value.resp.status == 400


# --- HTTP caching, CORS ---


@pytest.mark.parametrize(
    "url", ["/api/v1/verdicts/", "/api/v1/verdicts/{id}/", "/api/v1/verdicts/{id}/claimreview"]
)
def test_etag_and_last_modified_answer_304_until_the_verdict_changes(url: str) -> None:
    verdict = PublishedVerdictFactory()
    url = url.format(id=verdict.id)
    client = APIClient()
    first = client.get(url)
    assert first["Cache-Control"] == "public, max-age=60"
    assert first["Last-Modified"]
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    verdict.headline = "Changed"
    verdict.save()
    changed = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]


def test_staff_answers_are_private_and_vary_by_authorization() -> None:
    response = staff_client().get("/api/v1/claims/")
    assert response["Cache-Control"] == "private, no-cache"
    assert "Authorization" in response["Vary"]


def test_reads_allow_any_origin() -> None:
    response = APIClient().get("/api/v1/verdicts/", HTTP_ORIGIN="https://newsroom.example")
    assert response["Access-Control-Allow-Origin"] == "*"


# --- API keys and throttling ---


def test_api_keys_are_stored_hashed_and_checked() -> None:
    api_key, key = api_key_create(name="Researcher")
    assert api_key.key_hash == api_key_hash(key) and key not in api_key.key_hash
    assert not ApiKey.objects.filter(key_hash=key).exists()
    client = APIClient()
    assert client.get("/api/v1/verdicts/", HTTP_AUTHORIZATION=f"Api-Key {key}").status_code == 200
    refused = client.get("/api/v1/verdicts/", HTTP_AUTHORIZATION="Api-Key fc_wrong")
    assert refused.status_code == 401
    assert refused.json()["detail"] == "Unknown, revoked or expired API key."
    # Google's clients send key=; an unknown one is simply anonymous.
    assert client.get("/api/v1/verdicts/?key=fc_wrong").status_code == 200
    ApiKey.objects.filter(pk=api_key.pk).update(revoked=True)
    revoked = client.get("/api/v1/verdicts/", HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert revoked.status_code == 401
    _, expired = api_key_create(name="Old", expires_at=timezone.now() - timedelta(seconds=1))
    assert (
        client.get("/api/v1/verdicts/", HTTP_AUTHORIZATION=f"Api-Key {expired}").status_code == 401
    )


@override_settings(API_ANON_RATE="2/minute")
def test_anonymous_callers_are_throttled_with_retry_after_but_a_key_has_its_own_rate() -> None:
    client = APIClient()
    assert [client.get("/api/v1/ratings/").status_code for _ in range(3)] == [200, 200, 429]
    throttled = client.get("/api/v1/ratings/")
    assert int(throttled["Retry-After"]) > 0
    assert throttled.json()["detail"].startswith("Request was throttled.")

    _, key = api_key_create(name="Partner", rate="3/minute")
    codes = [client.get(f"/api/v1/ratings/?key={key}").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    _, other = api_key_create(name="Other", rate="1/minute")
    assert client.get("/api/v1/ratings/", HTTP_AUTHORIZATION=f"Api-Key {other}").status_code == 200


def test_the_admin_shows_a_new_key_once_and_keeps_only_its_hash(client: Any) -> None:
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        "/admin/claims/apikey/add/",
        {"name": "Platform X", "rate": "100/minute", "expires_at_0": "", "expires_at_1": ""},
        follow=True,
    )
    assert response.status_code == 200
    shown = re.search(r"is (fc_[\w-]+) — copy it now", response.content.decode())
    assert shown is not None
    api_key = ApiKey.objects.get(name="Platform X")
    assert api_key.key_hash == api_key_hash(shown.group(1))
    assert api_key.prefix == shown.group(1)[:11]
    listed = client.get("/admin/claims/apikey/").content.decode()
    assert shown.group(1) not in listed


# --- OpenAPI ---


def test_the_schema_describes_every_public_endpoint_and_docs_are_served_locally() -> None:
    client = APIClient()
    schema = client.get("/api/v1/schema/?format=json").json()
    for path in [
        "/api/v1/verdicts/",
        "/api/v1/verdicts/{id}/",
        "/api/v1/verdicts/{id}/claimreview",
        "/api/v1/claimreview-feed",
        "/api/v1/claims/",
        "/api/v1/claims:search",
        "/api/v1/sources/",
        "/api/v1/claimants/",
        "/api/v1/ratings/",
        "/v1alpha1/claims:search",
    ]:
        assert path in schema["paths"], path
    names = {p["name"] for p in schema["paths"]["/api/v1/verdicts/"]["get"]["parameters"]}
    assert {"q", "rating", "updated_since", "cursor", "page_size", "published_after"} <= names
    docs = client.get("/api/v1/docs/").content.decode()
    assert "swagger-ui" in docs
    assert "cdn" not in docs.lower() and "/static/drf_spectacular_sidecar/" in docs
