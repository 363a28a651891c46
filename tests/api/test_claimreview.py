"""schema.org ClaimReview: the JSON-LD endpoint, the DataFeed and the public HTML page."""

import json
import re
from typing import Any

import jsonschema
import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from tests.api.helpers import (
    full_verdict,
    verdict_retract,
)
from tests.factories import (
    PublishedVerdictFactory,
)

pytestmark = pytest.mark.django_db


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
    verdict = PublishedVerdictFactory.create(rating=None, original_rating="")
    review = APIClient().get(f"/api/v1/verdicts/{verdict.id}/claimreview").json()
    validate(review, CLAIMREVIEW_SCHEMA)
    del review["reviewRating"]["alternateName"]
    with pytest.raises(jsonschema.ValidationError):
        validate(review, CLAIMREVIEW_SCHEMA)


def test_the_feed_holds_every_published_verdict_and_not_retracted_ones() -> None:
    kept = [full_verdict(), PublishedVerdictFactory.create()]
    retracted = verdict_retract(verdict=PublishedVerdictFactory.create(), note="Wrong.")
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
        verdict=PublishedVerdictFactory.create(), note="The quote was misattributed."
    )
    html = APIClient().get(f"/verdicts/{verdict.id}/").content.decode()
    assert "This verdict was retracted." in html
    assert "The quote was misattributed." in html
    assert "application/ld+json" not in html
