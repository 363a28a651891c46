"""The staff webhooks API: editors only; the secret is answered once, at creation and at each
rotation; deliveries and their attempts; replay."""

import pytest
from pytest_django.fixtures import Settings
from rest_framework.test import APIClient

from claims import workflow
from tests.api.helpers import staff_client
from tests.webhooks.conftest import awaiting_approval
from tests.webhooks.receiver import Receiver
from webhooks.delivery import deliveries_deliver_due
from webhooks.models import Subscription

pytestmark = pytest.mark.django_db


def test_only_editors_manage_webhooks() -> None:
    assert staff_client("Reviewers").get("/api/v1/webhooks/").status_code == 403
    assert APIClient().get("/api/v1/webhooks/").status_code == 401


def test_a_subscription_created_over_the_api_answers_its_secret_once(
    webhook_settings: Settings, receiver: Receiver
) -> None:
    editor = staff_client("Editors")

    created = editor.post(
        "/api/v1/webhooks/",
        {"url": receiver.url, "event_types": ["verdict.published"], "description": "Desk"},
        format="json",
    )

    assert created.status_code == 201, created.json()
    secret = created.json()["secret"]
    assert secret.startswith("whsec_")
    pk = created.json()["id"]
    assert "secret" not in editor.get(f"/api/v1/webhooks/{pk}/").json()
    assert all("secret" not in s for s in editor.get("/api/v1/webhooks/").json())

    receiver.secrets.append(secret)
    claim, user = awaiting_approval()
    workflow.perform("publish", claim, user)
    deliveries_deliver_due()
    assert len(receiver.received) == 1

    rotated = editor.post(f"/api/v1/webhooks/{pk}/rotate-secret").json()
    assert rotated["secret"] != secret
    deliveries = editor.get(f"/api/v1/webhooks/{pk}/deliveries/").json()
    assert deliveries[0]["status"] == "delivered"
    assert deliveries[0]["attempt_log"][0]["status_code"] == 200


def test_a_refused_url_or_event_type_is_a_400_naming_it() -> None:
    editor = staff_client("Editors")

    bad_url = editor.post(
        "/api/v1/webhooks/",
        {"url": "ftp://example.org/x", "event_types": ["verdict.published"]},
        format="json",
    )
    bad_type = editor.post(
        "/api/v1/webhooks/",
        {"url": "https://example.org/x", "event_types": ["verdict.deleted"]},
        format="json",
    )

    assert bad_url.status_code == 400 and "url" in bad_url.json()["detail"]
    assert bad_type.status_code == 400 and "event_types" in bad_type.json()["detail"]
    assert not Subscription.objects.exists()


def test_switching_a_subscription_off_and_on_over_the_api(webhook_settings: Settings) -> None:
    editor = staff_client("Editors")
    pk = editor.post(
        "/api/v1/webhooks/",
        {"url": "https://example.org/hook", "event_types": ["verdict.published"]},
        format="json",
    ).json()["id"]

    off = editor.patch(f"/api/v1/webhooks/{pk}/", {"is_active": False}, format="json")
    assert off.json()["is_active"] is False
    on = editor.patch(f"/api/v1/webhooks/{pk}/", {"is_active": True}, format="json")
    assert on.json()["is_active"] is True
    assert editor.post(f"/api/v1/webhooks/{pk}/replay").json() == {"replayed": 0}
