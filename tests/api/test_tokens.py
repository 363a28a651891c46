"""Staff API tokens expire, die with a password change and can be revoked by their holder."""

from datetime import timedelta

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.e2e.browser import PASSWORD
from tests.factories import UserFactory, staff_user

pytestmark = pytest.mark.django_db
TOKEN = "/api/v1/auth/token/"


def sign_in(username: str = "rita") -> str:
    response = APIClient().post(TOKEN, {"username": username, "password": PASSWORD}, format="json")
    assert response.status_code == 200
    return str(response.json()["token"])


def with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_token_expires_after_its_lifetime() -> None:
    staff_user("rita", "Reviewers")
    key = sign_in()
    client = with_token(key)
    assert client.get("/api/v1/verdicts/").status_code == 200
    assert client.get("/api/v1/verdicts/").headers["Cache-Control"].startswith("private")

    Token.objects.filter(key=key).update(
        created=Token.objects.get(key=key).created - timedelta(hours=25)
    )
    expired = client.get("/api/v1/verdicts/")

    assert expired.status_code == 401
    assert expired.json()["detail"] == "Token expired: get a new one from POST /api/v1/auth/token/."
    assert not Token.objects.filter(key=key).exists()
    assert sign_in() != key  # signing in again issues a new one


def test_signing_in_reports_when_the_token_expires() -> None:
    staff_user("rita", "Reviewers")
    response = APIClient().post(TOKEN, {"username": "rita", "password": PASSWORD}, format="json")
    token = Token.objects.get(key=response.json()["token"])
    assert response.json()["expires"] == (token.created + timedelta(hours=24)).isoformat().replace(
        "+00:00", "Z"
    )


def test_a_password_change_revokes_the_token() -> None:
    user = staff_user("rita", "Reviewers")
    key = sign_in()
    user.set_password("a new long passphrase nobody guesses")
    user.save()
    assert with_token(key).get("/api/v1/verdicts/").status_code == 401


def test_a_password_changed_in_the_admin_revokes_the_token() -> None:
    staff_user("rita", "Reviewers")
    key = sign_in()
    admin = UserFactory.create(username="boss", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    rita = admin.__class__.objects.get(username="rita")
    new = "another long passphrase nobody guesses"
    response = client.post(
        f"/admin/auth/user/{rita.pk}/password/", {"password1": new, "password2": new}
    )
    assert response.status_code == 302, response.content[:500]
    assert with_token(key).get("/api/v1/verdicts/").status_code == 401


def test_the_holder_revokes_their_own_token() -> None:
    staff_user("rita", "Reviewers")
    key = sign_in()
    client = with_token(key)
    assert client.delete(TOKEN).status_code == 204
    assert client.get("/api/v1/verdicts/").status_code == 401
    assert APIClient().delete(TOKEN).status_code == 401
