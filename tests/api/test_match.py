"""GET /api/v1/claims/match: existing claims ranked by similarity to a text; a public read like
the others (API keys, throttling, the staff role)."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.test import override_settings
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from claims.models import Claim
from claims.services import api_key_create
from sources.imports.documents import source_import_paths
from tests.claims.matching.helpers import NUCLEAR, publish
from tests.factories import ClaimFactory, PublishedVerdictFactory, SourceFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("matching_inline")]
MATCH = "/api/v1/claims/match"
QUERY = {"text": "is the sky green"}


def test_match_api_shows_anonymous_callers_published_claims_only(seed_folder: Path) -> None:
    source_import_paths(paths=[seed_folder])
    target = Claim.objects.get(text__startswith=NUCLEAR)
    publish(target, label="Mostly true", headline="Capped by the deal")
    url = reverse("claim-match")
    text = "uranium enrichment capped 3.67 Iran deal"

    query: dict[str, str | int] = {"text": text, "limit": 5}

    anonymous = APIClient().get(url, query)
    staff = APIClient()
    staff.force_authenticate(UserFactory.create(is_staff=True))
    as_staff = staff.get(url, query)

    assert anonymous.status_code == 200
    [only] = anonymous.json()["results"]
    assert only["claim"] == target.pk
    assert only["status"] == "published"
    assert only["verdict"]["rating"] == "Mostly true"
    assert only["verdict"]["headline"] == "Capped by the deal"
    results = as_staff.json()["results"]
    assert results[0]["claim"] == target.pk
    assert len(results) > 1
    assert all(r["verdict"] is None for r in results[1:])


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "text"),
        ({"text": "  "}, "text"),
        ({"text": "x", "limit": "0"}, "limit"),
        ({"text": "x", "limit": "many"}, "limit"),
        ({"text": "x", "limit": "51"}, "limit"),
    ],
)
def test_match_api_refuses_bad_input_naming_the_field(params: dict, field: str) -> None:
    response = APIClient().get(reverse("claim-match"), params)

    assert response.status_code == 400
    assert field in response.json()["detail"]
    assert list(response.json()["errors"]) == [field]


@pytest.mark.parametrize("query", ["text=&limit=5", "text=sky&limit=", "text=a&text=b"])
def test_match_api_refuses_an_empty_or_repeated_parameter(query: str) -> None:
    response = APIClient().get(f"/api/v1/claims/match?{query}")
    assert response.status_code == 400
    assert (
        "limit" if "limit=&" in query or query.endswith("limit=") else "text"
    ) in response.json()["detail"]


@override_settings(API_ANON_RATE="2/minute")
def test_match_throttles_anonymous_callers_at_the_anonymous_rate() -> None:
    client = APIClient()
    assert [client.get(MATCH, QUERY).status_code for _ in range(3)] == [200, 200, 429]
    throttled = client.get(MATCH, QUERY)
    assert int(throttled["Retry-After"]) > 0
    assert throttled.json()["detail"].startswith("Request was throttled.")


@override_settings(API_ANON_RATE="1/minute")
def test_match_takes_an_api_key_in_the_header_or_the_key_parameter_at_the_keys_rate() -> None:
    _, key = api_key_create(name="Newsroom bot", rate="3/minute")
    client = APIClient()
    header = f"Api-Key {key}"
    codes = [client.get(MATCH, QUERY, HTTP_AUTHORIZATION=header).status_code for _ in range(2)]
    codes += [client.get(MATCH, {**QUERY, "key": key}).status_code for _ in range(2)]
    assert codes == [200, 200, 200, 429]  # header and parameter count against the one key
    assert client.get(MATCH, QUERY).status_code == 200  # the anonymous allowance is untouched
    refused = client.get(MATCH, QUERY, HTTP_AUTHORIZATION="Api-Key fc_wrong")
    assert refused.status_code == 401
    assert refused.json()["detail"] == "Unknown, revoked or expired API key."


def test_match_shows_a_reviewer_without_the_staff_flag_unpublished_claims() -> None:
    published = PublishedVerdictFactory.create(
        claim=ClaimFactory.create(source=SourceFactory.create(body="The sky is green today. More."))
    ).claim
    pending = ClaimFactory.create(
        source=SourceFactory.create(body="The sky is green at night. More.")
    )
    assert pending.status == Claim.Status.PENDING
    reviewer = UserFactory.create(is_staff=False)
    reviewer.groups.add(Group.objects.get(name="Reviewers"))
    staff = APIClient()
    staff.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=reviewer).key}")

    anonymous = APIClient().get(MATCH, QUERY).json()["results"]
    as_reviewer = staff.get(MATCH, QUERY).json()["results"]
    assert [r["claim"] for r in anonymous] == [published.id]
    assert {r["claim"] for r in as_reviewer} == {published.id, pending.id}


def test_match_answers_are_cacheable_for_anonymous_callers_and_private_for_staff() -> None:
    assert APIClient().get(MATCH, QUERY)["Cache-Control"] == "public, max-age=60"
    staff = APIClient()
    staff.force_authenticate(UserFactory.create(is_staff=True))
    response = staff.get(MATCH, QUERY)
    assert response["Cache-Control"] == "private, no-cache"
    assert "Authorization" in response["Vary"]
