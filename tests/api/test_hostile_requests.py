"""Requests written to break the server: forged page tokens, bodies nested thousands of levels
deep or holding what PostgreSQL cannot store, unknown objects on the workflow endpoints, and
request lines from the match endpoint's longest text up to absurd. Each gets a 4xx in the API's
JSON error shape, never a 500."""

import base64

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from claims.api.factchecktools import MAX_OFFSET
from tests.factories import PublishedVerdictFactory, UserFactory, staff_user

pytestmark = pytest.mark.django_db
SEARCH = "/api/v1/claims:search"


def token(text: bytes) -> str:
    return base64.urlsafe_b64encode(text).decode().rstrip("=")


@pytest.mark.parametrize(
    "page_token",
    [
        token(b"o-1"),  # a negative offset
        token(b"o99999999999999999999999"),  # beyond a bigint
        token(f"o{MAX_OFFSET + 1}".encode()),  # past the cap the offset parameter has
        token(b"o+5"),
        token(b"o 5"),
        token(b"o5_000"),
        token("o\u0665".encode()),  # an Arabic-Indic digit five, which int() accepts
        token(b"o\xff"),
        token(b"o"),
        "====",
        "o5",
        "%00",
    ],
)
def test_a_forged_page_token_answers_400_naming_it(page_token: str) -> None:
    PublishedVerdictFactory.create()
    response = APIClient().get(SEARCH, {"query": "sky", "pageToken": page_token})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_parameter"
    assert response.json()["detail"].startswith("Invalid pageToken")


def test_a_token_at_the_offset_cap_is_still_served() -> None:
    PublishedVerdictFactory.create()
    start = token(f"o{MAX_OFFSET}".encode())
    assert APIClient().get(SEARCH, {"query": "sky", "pageToken": start}).status_code == 200


def staff_client(*groups: str) -> APIClient:
    user = staff_user("rita", *groups)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def nested(depth: int) -> bytes:
    return b'{"username": ' + b"[" * depth + b"]" * depth + b"}"


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (nested(100_000), "nested"),
        (nested(33), "nested deeper than 32"),
        (b'{"username": "rita", "password": NaN}', "NaN"),
        (b'{"username": "\\ud800", "password": "x"}', "a lone surrogate"),
        (b'{"username": "rita", "password": 1e400}', "infinity"),
        (b'{"username": "rita"', "truncated"),
        (b"\xff\xfe{}", "not UTF-8"),
    ],
)
def test_a_hostile_json_body_answers_400_on_every_json_endpoint(body: bytes, why: str) -> None:
    claim = PublishedVerdictFactory.create().claim
    client = staff_client("Reviewers", "Editors")
    for method, path in (
        ("post", "/api/v1/auth/token/"),
        ("post", f"/api/v1/claims/{claim.pk}/reject/"),
        ("put", f"/api/v1/claims/{claim.pk}/verdict"),
    ):
        response = getattr(client, method)(path, body, content_type="application/json")
        assert response.status_code == 400, (why, path, response.content[:200])
        assert response.json()["code"] == "parse_error", (why, path)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"username": "rita", "password": "a\\u0000b"}', "password"),
        (b'{"username": "rita", "a\\u0000": "x"}', "a key"),
        (b'{"reason": "ok", "x": {"y": ["\\u0000"]}}', "x.y"),
    ],
)
def test_a_nul_in_a_body_answers_400_naming_the_field(body: bytes, field: str) -> None:
    claim = PublishedVerdictFactory.create().claim
    client = staff_client("Reviewers", "Editors")
    for path in ("/api/v1/auth/token/", f"/api/v1/claims/{claim.pk}/reject/"):
        response = client.post(path, body, content_type="application/json")
        assert response.status_code == 400
        assert response.json() == {
            "detail": f"JSON parse error - {field} contains a NUL character.",
            "code": "parse_error",
        }


def test_a_shallow_body_still_works() -> None:
    UserFactory.create(username="ed", is_staff=True)
    response = APIClient().post(
        "/api/v1/auth/token/",
        b'{"username": "ed", "password": "correct horse battery staple", "x": [[[1]]]}',
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["token"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/claims/999999/start_review/"),
        ("get", "/api/v1/claims/999999/verdict"),
        ("put", "/api/v1/claims/999999/verdict"),
        ("get", "/api/v1/claims/999999/events/"),
    ],
)
def test_a_workflow_404_carries_its_code(method: str, path: str) -> None:
    client = staff_client("Reviewers", "Editors")
    response = getattr(client, method)(path, {}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_match_endpoints_longest_text_fits_in_the_request_line() -> None:
    # 5,000 four-byte characters: 60,000 bytes percent-encoded.
    text = "vaccines " + "\U0001f600" * 4991
    assert len(text) == 5000
    response = APIClient().get("/api/v1/claims/match", {"text": text})
    assert response.status_code == 200, response.content[:300]


@pytest.mark.parametrize("path", ["/api/v1/claims/match", "/v1alpha1/claims:search"])
def test_a_longer_request_line_answers_414_in_json(path: str) -> None:
    response = APIClient().get(path, {"text": "x" * 70_000, "query": "y"})
    assert response.status_code == 414
    assert response.json() == {
        "detail": "Request line longer than 65,536 bytes: send less.",
        "code": "uri_too_long",
    }
