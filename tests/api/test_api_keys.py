"""API keys: stored hashed, checked, shown once in the admin; throttling by address or by key."""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from claims.models import ApiKey
from claims.services import api_key_create, api_key_hash
from tests.factories import (
    UserFactory,
)

pytestmark = pytest.mark.django_db


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
    client.force_login(UserFactory.create(is_staff=True, is_superuser=True))
    response = client.post(
        "/admin/claims/apikey/add/",
        {"name": "Platform X", "rate": "100/minute", "expires_at_0": "", "expires_at_1": ""},
        follow=True,
    )
    assert response.status_code == 200
    shown = re.search(r"is (fc_[\w-]+) — copy it now", response.content.decode())
    assert shown is not None
    assert re.search(
        r"The API key “<a [^>]+>Platform X[^<]*</a>” was added", response.content.decode()
    )
    api_key = ApiKey.objects.get(name="Platform X")
    assert api_key.key_hash == api_key_hash(shown.group(1))
    assert api_key.prefix == shown.group(1)[:11]
    listed = client.get("/admin/claims/apikey/").content.decode()
    assert shown.group(1) not in listed
