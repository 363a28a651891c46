"""CORS, as a browser on another origin meets it: real preflights (OPTIONS with
Access-Control-Request-*) through the test client, then the call itself. The API, and only the
API, answers any origin by default (or the operator's CORS_ALLOWED_ORIGINS) for its reads and
the writes it documents for its clients, with a token or an API key, never with credentials."""

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from rest_framework.test import APIClient

from claims.services import api_key_create
from factcheck.env import envorigins
from tests.api.helpers import staff_client
from tests.factories import ClaimFactory, PublishedVerdictFactory

pytestmark = pytest.mark.django_db

TOOL = "https://newsroom-tool.example"


def preflight(path: str, method: str, headers: str = "", origin: str = TOOL) -> Any:
    """The OPTIONS request a browser sends before a call it may not make unasked."""
    asking = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers:
        asking["Access-Control-Request-Headers"] = headers
    return Client().options(path, headers=asking)


def listed(response: Any, header: str) -> set[str]:
    return {item.strip().lower() for item in response.get(header, "").split(",") if item.strip()}


@pytest.fixture(autouse=True)
def exports_elsewhere(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def test_a_page_elsewhere_may_post_an_export_with_its_api_key() -> None:
    asked = preflight("/api/v1/exports/", "POST", "authorization, content-type")

    assert asked.status_code == 200
    assert asked["Access-Control-Allow-Origin"] == "*"
    assert "post" in listed(asked, "Access-Control-Allow-Methods")
    assert {"authorization", "content-type"} <= listed(asked, "Access-Control-Allow-Headers")
    assert "Access-Control-Allow-Credentials" not in asked

    _, key = api_key_create(name="newsroom tool")
    client = APIClient(HTTP_AUTHORIZATION=f"Api-Key {key}", HTTP_ORIGIN=TOOL)
    response = client.post("/api/v1/exports/", {"language": "en"}, format="json")

    assert response.status_code == 202
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "location" in listed(response, "Access-Control-Expose-Headers")
    assert "Access-Control-Allow-Credentials" not in response


def test_the_staff_writes_the_api_documents_pass_their_preflight() -> None:
    claim = ClaimFactory.create()
    for path, method in [
        ("/api/v1/auth/token/", "POST"),
        ("/api/v1/auth/token/", "DELETE"),
        (f"/api/v1/claims/{claim.pk}/start_review/", "POST"),
        (f"/api/v1/claims/{claim.pk}/verdict", "PUT"),
        ("/api/v1/claims:spot", "POST"),
    ]:
        asked = preflight(path, method, "authorization, content-type")
        assert asked.status_code == 200, path
        assert method.lower() in listed(asked, "Access-Control-Allow-Methods"), path
        assert asked["Access-Control-Allow-Origin"] == "*", path

    # The call itself: a token in Authorization, no cookie.
    client = staff_client()
    response = client.post(
        f"/api/v1/claims/{claim.pk}/start_review/", {}, format="json", HTTP_ORIGIN=TOOL
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"


def test_conditional_reads_pass_their_preflight_and_expose_their_validators() -> None:
    verdict = PublishedVerdictFactory.create()
    asked = preflight(f"/api/v1/verdicts/{verdict.pk}/", "GET", "if-none-match")
    assert "if-none-match" in listed(asked, "Access-Control-Allow-Headers")

    response = APIClient().get(f"/api/v1/verdicts/{verdict.pk}/", HTTP_ORIGIN=TOOL)
    assert {"etag", "last-modified"} <= listed(response, "Access-Control-Expose-Headers")


def test_methods_and_headers_the_api_does_not_document_are_not_allowed() -> None:
    asked = preflight("/api/v1/claims/1/verdict", "PATCH", "x-csrftoken")
    assert "patch" not in listed(asked, "Access-Control-Allow-Methods")
    assert "x-csrftoken" not in listed(asked, "Access-Control-Allow-Headers")


@pytest.mark.parametrize("path", ["/admin/login/", "/", "/healthz"])
def test_pages_outside_the_api_allow_no_other_origin(path: str) -> None:
    asked = preflight(path, "POST", "content-type")
    assert "Access-Control-Allow-Origin" not in asked
    assert "Access-Control-Allow-Methods" not in asked


def test_the_operator_names_the_origins_allowed(settings: Any) -> None:
    settings.CORS_ALLOW_ALL_ORIGINS = False
    settings.CORS_ALLOWED_ORIGINS = [TOOL]

    allowed = preflight("/api/v1/exports/", "POST", "authorization, content-type")
    other = preflight("/api/v1/exports/", "POST", "authorization", origin="https://evil.example")
    read = APIClient().get("/api/v1/verdicts/", HTTP_ORIGIN=TOOL)

    assert allowed["Access-Control-Allow-Origin"] == TOOL
    assert "Access-Control-Allow-Origin" not in other
    assert read["Access-Control-Allow-Origin"] == TOOL
    assert "origin" in listed(read, "Vary")  # a shared cache keeps one answer per origin


def test_cors_allowed_origins_are_read_from_the_environment(monkeypatch: Any) -> None:
    monkeypatch.delenv("CORS_ALLOWED_ORIGINS", raising=False)
    assert envorigins("CORS_ALLOWED_ORIGINS", "*") == ["*"]
    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", f"{TOOL}, http://localhost:5173")
    assert envorigins("CORS_ALLOWED_ORIGINS", "*") == [TOOL, "http://localhost:5173"]
    for bad in ["newsroom-tool.example", f"{TOOL}/", f"{TOOL}/app", f"*,{TOOL}", "ftp://x.example"]:
        monkeypatch.setenv("CORS_ALLOWED_ORIGINS", bad)
        with pytest.raises(ImproperlyConfigured, match="CORS_ALLOWED_ORIGINS"):
            envorigins("CORS_ALLOWED_ORIGINS", "*")
