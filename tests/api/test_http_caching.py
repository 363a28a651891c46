"""HTTP caching of public reads (ETag, Last-Modified, 304, public or private) and CORS."""

import pytest
from rest_framework.test import APIClient

from tests.api.helpers import staff_client
from tests.factories import (
    PublishedVerdictFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url", ["/api/v1/verdicts/", "/api/v1/verdicts/{id}/", "/api/v1/verdicts/{id}/claimreview"]
)
def test_etag_and_last_modified_answer_304_until_the_verdict_changes(url: str) -> None:
    verdict = PublishedVerdictFactory.create()
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
