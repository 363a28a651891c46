"""The OpenAPI schema describes every public endpoint and validates; its docs are served
locally."""

from typing import Any

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from tests.api.helpers import PUBLIC_READ_PATHS

pytestmark = pytest.mark.django_db


def test_the_schema_describes_every_public_endpoint_and_docs_are_served_locally() -> None:
    client = APIClient()
    schema = client.get("/api/v1/schema/?format=json").json()
    for path in PUBLIC_READ_PATHS:
        assert path in schema["paths"], path
    names = {p["name"] for p in schema["paths"]["/api/v1/verdicts/"]["get"]["parameters"]}
    assert {"q", "rating", "updated_since", "cursor", "page_size", "published_after"} <= names
    docs = client.get("/api/v1/docs/").content.decode()
    assert "swagger-ui" in docs
    assert "cdn" not in docs.lower() and "/static/drf_spectacular_sidecar/" in docs


def test_the_schema_validates_without_warnings(tmp_path: Any) -> None:
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert "/v1alpha1/claims:search" in out.read_text()
