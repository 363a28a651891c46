"""GET /api/v1/claims/match: existing claims ranked by similarity to a text."""

from pathlib import Path

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from claims.models import Claim
from sources.services import source_import_paths
from tests.claims.matching.helpers import NUCLEAR, publish
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("matching_inline")]


def test_match_api_shows_anonymous_callers_published_claims_only(seed_folder: Path) -> None:
    source_import_paths(paths=[seed_folder])
    target = Claim.objects.get(text__startswith=NUCLEAR)
    publish(target, label="Mostly true", headline="Capped by the deal")
    url = reverse("claim-match")
    text = "uranium enrichment capped 3.67 Iran deal"

    anonymous = APIClient().get(url, {"text": text, "limit": 5})
    staff = APIClient()
    staff.force_authenticate(UserFactory(is_staff=True))
    as_staff = staff.get(url, {"text": text, "limit": 5})

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
