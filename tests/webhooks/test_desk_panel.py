"""The admin home's panel of webhook subscriptions disabled after failures."""

import pytest
from django.test import Client

from tests.factories import staff_user
from webhooks.services import subscription_create, subscription_disable, subscription_enable

pytestmark = pytest.mark.django_db


def test_the_desk_shows_disabled_subscriptions_until_they_are_enabled() -> None:
    client = Client()
    client.force_login(staff_user("boss", superuser=True))
    subscription, _ = subscription_create(
        url="https://hooks.example.org/a", event_types=["verdict.published"], description="Bot"
    )
    assert 'id="panel-webhooks-disabled"' not in client.get("/admin/").content.decode()

    subscription_disable(subscription_id=subscription.pk, reason="The endpoint answered 410 Gone.")
    home = client.get("/admin/").content.decode()
    assert 'id="panel-webhooks-disabled"' in home
    assert "1 disabled" in home and "Bot" in home and "answered 410 Gone" in home

    subscription_enable(subscription_id=subscription.pk)
    assert 'id="panel-webhooks-disabled"' not in client.get("/admin/").content.decode()


def test_the_panel_is_not_shown_to_who_may_not_see_subscriptions() -> None:
    subscription, _ = subscription_create(
        url="https://hooks.example.org/a", event_types=["verdict.published"]
    )
    subscription_disable(subscription_id=subscription.pk, reason="Gone.")
    client = Client()
    client.force_login(staff_user("rita", "Reviewers"))

    assert 'id="panel-webhooks-disabled"' not in client.get("/admin/").content.decode()
