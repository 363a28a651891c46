"""Throttles an attacker cannot walk around: a rotating X-Forwarded-For header, guessed
passwords on the token endpoint and the admin's login form, and a flood of password checks."""

from typing import Any

import psycopg
import pytest
from django.db import connection
from django.test import Client, override_settings
from rest_framework.test import APIClient

from factcheck.logins import _LOCK_SPACE
from tests.api.helpers import PUBLIC_READ_PATHS
from tests.conftest import database_url
from tests.e2e.browser import PASSWORD
from tests.factories import PublishedVerdictFactory, UserFactory

pytestmark = pytest.mark.django_db
TOKEN = "/api/v1/auth/token/"


@override_settings(API_ANON_RATE="5/minute")
def test_a_rotating_forwarded_for_header_is_throttled_by_the_connecting_address() -> None:
    client = APIClient()
    codes = [
        client.get("/api/v1/ratings/", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
        for n in range(8)
    ]
    assert codes == [200] * 5 + [429] * 3


@override_settings(API_ANON_RATE="3/minute", TRUSTED_PROXIES=["127.0.0.1"])
def test_behind_a_trusted_proxy_each_client_has_its_own_budget() -> None:
    client = APIClient()

    def get(address: str) -> int:
        # The client may prepend what it likes; the proxy appends the address it saw.
        forwarded = f"6.6.6.{len(address)}, {address}"
        return client.get("/api/v1/ratings/", HTTP_X_FORWARDED_FOR=forwarded).status_code

    assert [get("198.51.100.1") for _ in range(3)] == [200] * 3
    assert [get("198.51.100.2") for _ in range(3)] == [200] * 3
    assert get("198.51.100.1") == 429


@override_settings(API_ANON_RATE="1/minute")
@pytest.mark.parametrize("path", [*PUBLIC_READ_PATHS, "/api/v1/claims/match?text=sky"])
def test_every_public_read_is_throttled(path: str) -> None:
    verdict = PublishedVerdictFactory.create()
    url = path.replace("{id}", str(verdict.pk))
    if "claims:search" in url:
        url += "?query=sky"
    client = APIClient()
    assert client.get(url).status_code == 200
    throttled = client.get(url, HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert throttled.status_code == 429
    assert throttled.json()["code"] == "throttled"


def test_a_username_longer_than_any_account_is_refused_as_bad_input() -> None:
    answer = APIClient().post(TOKEN, {"username": "u" * 300, "password": "x"}, format="json")
    assert answer.status_code == 400
    assert "username" in answer.json()["detail"]


def _token(client: APIClient, username: str, password: str, address: str = "") -> Any:
    extra: dict[str, Any] = {"HTTP_X_FORWARDED_FOR": address} if address else {}
    return client.post(TOKEN, {"username": username, "password": password}, **extra)


@override_settings(AXES_FAILURE_LIMIT=5)
def test_guessing_a_password_locks_the_account_out_with_a_clear_429() -> None:
    UserFactory.create(username="ed", is_staff=True)
    client = APIClient()
    codes = [_token(client, "ed", f"guess-{n}").status_code for n in range(5)]
    assert codes == [400] * 4 + [429]  # the fifth failure locks the account out

    locked = _token(client, "ed", PASSWORD)

    assert locked.status_code == 429
    assert locked.json()["code"] == "too_many_sign_in_failures"
    assert "try again in 15 minutes" in locked.json()["detail"]
    assert int(locked["Retry-After"]) == 15 * 60
    assert "token" not in locked.json()


@override_settings(AXES_FAILURE_LIMIT=5, TRUSTED_PROXIES=["127.0.0.1"])
def test_an_account_is_locked_whichever_addresses_the_guesses_come_from() -> None:
    UserFactory.create(username="ed", is_staff=True)
    client = APIClient()
    for n in range(4):
        assert _token(client, "ed", "guess", f"198.51.100.{n}").status_code == 400
    assert _token(client, "ed", "guess", "198.51.100.4").status_code == 429
    assert _token(client, "ed", PASSWORD, "198.51.100.200").status_code == 429
    # Another account from another address is untouched.
    UserFactory.create(username="rita", is_staff=True)
    assert _token(client, "rita", PASSWORD, "198.51.100.201").status_code == 200


@override_settings(AXES_FAILURE_LIMIT=5)
def test_an_address_is_locked_whichever_accounts_it_guesses() -> None:
    UserFactory.create(username="rita", is_staff=True)
    client = APIClient()
    for n in range(4):
        assert _token(client, f"user{n}", "guess", f"203.0.113.{n}").status_code == 400
    assert _token(client, "user4", "guess").status_code == 429
    assert _token(client, "rita", PASSWORD).status_code == 429


@override_settings(AXES_FAILURE_LIMIT=3)
def test_the_admin_login_form_answers_a_locked_out_address_with_a_429_page() -> None:
    UserFactory.create(username="ed", is_staff=True)
    client = Client()
    for _ in range(2):
        page = client.post("/admin/login/", {"username": "ed", "password": "guess"})
        assert page.status_code == 200  # the form again, with its error
    assert client.post("/admin/login/", {"username": "ed", "password": "x"}).status_code == 429
    locked = client.post("/admin/login/", {"username": "ed", "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_sign_in_finding_every_slot_taken_is_refused_before_any_hashing() -> None:
    UserFactory.create(username="ed", is_staff=True)
    client = APIClient()
    with psycopg.connect(database_url(connection.settings_dict), autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s, 0)", [_LOCK_SPACE])  # another web process
        busy = _token(client, "ed", PASSWORD)
        assert busy.status_code == 429
        assert busy.json()["code"] == "sign_ins_busy"
        assert busy["Retry-After"] == "1"
        admin = Client().post("/admin/login/", {"username": "ed", "password": PASSWORD})
        assert admin.status_code == 429 and "try again in a second" in admin.content.decode()
        other.execute("SELECT pg_advisory_unlock(%s, 0)", [_LOCK_SPACE])
    assert _token(client, "ed", PASSWORD).status_code == 200
