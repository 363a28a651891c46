"""Hostile values for every query parameter and every JSON body field the OpenAPI schema names:
each is answered, 2xx or 4xx in the API's JSON error shape, and never with a server error.

The schema is read from the API itself, so an endpoint or parameter added later is covered
without touching this file. Schemathesis (test_schema_fuzz.py) generates values from the
schema's types; these are the values an attacker picks by hand."""

import json
from functools import cache
from typing import Any
from urllib.parse import urlencode

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import ClaimantFactory, ClaimFactory, PublishedVerdictFactory, staff_user

pytestmark = pytest.mark.django_db

# As they arrive in a query string (APIClient percent-encodes them).
QUERY_VALUES = [
    "",
    "\x00",
    "a\x00b",
    "-1",
    "0",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "2026-13-45",
    "9999-12-31T23:59:59+99:00",
    "' OR 1=1 --",
    "%s%n{0}",
    "../../etc/passwd",
    "javascript:alert(1)",
    "\u202e\ufeff\U0001f600",
    "x" * 6000,
]
STAFF_QUERY_VALUES = ["", "\x00", "-1", "x" * 6000]
# Percent-encoded as they are: a lone surrogate's bytes, bytes that are not UTF-8, a bare "%".
RAW_QUERY_VALUES = ["%ED%B3%BF", "%FF%FE", "%", "%zz", "a%00"]
# As JSON values in a body, one field at a time.
BODY_VALUES: list[Any] = [
    None,
    "",
    "\x00",
    -1,
    2**70,
    1.5e308,
    True,
    [],
    {},
    [[[[["deep"]]]]],
    {"$gt": ""},
    "x" * 100_000,
    "javascript:alert(1)",
]


@cache
def _schema_text() -> str:
    return APIClient().get("/api/v1/schema/?format=json").content.decode()


def _schema() -> dict[str, Any]:
    return json.loads(_schema_text())


@pytest.fixture
def world(settings: Any) -> dict[str, Any]:
    settings.API_ANON_RATE = ""  # hundreds of requests from one address
    settings.EXPORTS_MAX_PENDING = 10_000  # every accepted body is an export of its own
    verdict = PublishedVerdictFactory.create(
        claim=ClaimFactory.create(claimant=ClaimantFactory.create())
    )
    user = staff_user("rita", "Reviewers", "Editors")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    # An anonymous caller's export (from the test client's address), for the exports' paths.
    export = APIClient().post("/api/v1/exports/", {}, format="json").json()["id"]
    return {"id": verdict.pk, "claim": verdict.claim_id, "export": export, "client": client}


def _path(template: str, world: dict[str, Any], action: str = "reject") -> str:
    if "/exports/" in template:
        pk = world["export"]
    else:
        pk = world["claim"] if "/claims/" in template else world["id"]
    return template.replace("{id}", str(pk)).replace("{action}", action)


def _assert_answered(response: Any, what: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code}"
    if response.status_code >= 400:
        body = response.json()
        assert body.get("detail") and body.get("code"), f"{what}: {body}"


def test_every_query_parameter_survives_hostile_values(world: dict[str, Any]) -> None:
    client = world["client"]
    anonymous = APIClient()
    checked = 0
    for template, methods in _schema()["paths"].items():
        operation = methods.get("get")
        if operation is None:
            continue
        path = _path(template, world)
        names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
        for name in [*names, "unknown"]:
            base = {"query": "sky"} if "claims:search" in path and name != "query" else {}
            if path.endswith("/match") and name != "text":
                base = {"text": "sky"}
            for value in QUERY_VALUES:
                response = anonymous.get(path, {**base, name: value})
                _assert_answered(response, f"GET {path} {name}={value[:20]!r}")
                checked += 1
            for value in STAFF_QUERY_VALUES:  # a staff token takes other paths (no caching)
                response = client.get(path, {**base, name: value})
                _assert_answered(response, f"GET {path} {name}={value[:20]!r} (staff)")
            for raw in RAW_QUERY_VALUES:
                query = "&".join(filter(None, [urlencode(base), f"{name}={raw}"]))
                response = anonymous.get(f"{path}?{query}")
                _assert_answered(response, f"GET {path} {name}={raw}")
            # Given twice.
            response = anonymous.get(path, {**base, name: ["1", "2"]})
            _assert_answered(response, f"GET {path} {name} twice")
    assert checked > 500


def test_every_json_body_field_survives_hostile_values(world: dict[str, Any]) -> None:
    client = world["client"]
    schema = _schema()
    components = schema["components"]["schemas"]
    checked = 0
    for template, methods in schema["paths"].items():
        for method, operation in methods.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" not in content:
                continue
            ref = content["application/json"]["schema"].get("$ref", "")
            fields = list(components.get(ref.rsplit("/", 1)[-1], {}).get("properties", {}))
            fields = fields or ["reason", "note", "rating", "summary", "citations", "to"]
            for action in ("reject", "start_review", "publish", "mark_duplicate", "correct"):
                path = _path(template, world, action)
                for field in [*fields, "unknown"]:
                    for value in BODY_VALUES:
                        response = getattr(client, method)(path, {field: value}, format="json")
                        _assert_answered(response, f"{method.upper()} {path} {field}")
                        checked += 1
                if "{action}" not in template:
                    break
    assert checked > 300
