"""Schemathesis against our own OpenAPI schema: generated requests to every public read endpoint
never get a server error, and every answer matches the schema (status code, content type, body);
generated bodies to every staff endpoint, sent with a staff token, never get a server error.
A few examples per operation keep `make test` fast; `make fuzz` (which CI runs) sets
FUZZ_EXAMPLES for a deeper run."""

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import positive_data_acceptance

from factcheck.wsgi import application
from tests.factories import ClaimantFactory, ClaimFactory, PublishedVerdictFactory, staff_user

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES") or 15)


@pytest.fixture
def published(db: None, settings: Any) -> Iterator[None]:
    settings.API_ANON_RATE = ""  # hundreds of requests from one address
    PublishedVerdictFactory.create(claim=ClaimFactory.create(claimant=ClaimantFactory.create()))
    PublishedVerdictFactory.create()
    # Calling the WSGI app directly sends request_finished, which would close the test's
    # connection (Django's test client disconnects the same handler).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.include(method="GET").parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_generated_requests_get_valid_answers_and_no_server_errors(
    case: schemathesis.Case, published: None
) -> None:
    # Every check but "schema-valid requests are accepted": some valid-looking values are rightly
    # refused with 400 naming them, for rules OpenAPI 3.0 cannot state: a cursor or pageToken
    # must be one this API issued, claims:search needs `query` or `reviewPublisherSiteFilter`,
    # and an empty parameter is a mistake rather than "no filter".
    case.call_and_validate(excluded_checks=[positive_data_acceptance])


@pytest.fixture
def staff_token(published: None) -> str:
    user = staff_user("rita", "Reviewers", "Editors")
    return Token.objects.create(user=user).key


@schema.include(method=["POST", "PUT"]).parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_generated_bodies_to_staff_endpoints_get_no_server_errors(
    case: schemathesis.Case, staff_token: str
) -> None:
    # Their 4xx answers (a claim in another status, an unknown action) are the workflow's to
    # decide; what is checked here is that nothing a client sends breaks the server.
    case.call_and_validate(
        headers={"Authorization": f"Token {staff_token}"}, checks=[not_a_server_error]
    )
