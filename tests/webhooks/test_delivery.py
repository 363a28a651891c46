"""Delivery rules against a real receiver on 127.0.0.1: retries with backoff and jitter, 410
and a run of failures disable the subscription, replay, secret rotation, no redirects, refused
private addresses, and a long answer cut off."""

from datetime import timedelta

import pytest
from django.contrib.admin.sites import site
from django.test import Client
from django.utils import timezone
from django.utils.html import escape
from pytest_django.fixtures import Settings

from claims import workflow
from tests.factories import staff_user
from tests.webhooks.conftest import awaiting_approval, subscribe
from tests.webhooks.receiver import Receiver
from webhooks.delivery import deliveries_deliver_due, retry_delay
from webhooks.models import Attempt, Delivery, DeliveryStatus, Subscription
from webhooks.services import (
    deliveries_replay,
    subscription_enable,
    subscription_rotate_secret,
)

pytestmark = pytest.mark.django_db


def publish_one() -> None:
    claim, editor = awaiting_approval()
    workflow.perform("publish", claim, editor)


def test_retries_wait_four_times_longer_each_time_with_jitter(settings: Settings) -> None:
    settings.WEBHOOK_RETRY_BASE = 15
    for attempts, base in [(1, 15), (2, 60), (3, 240), (7, 15 * 4**6)]:
        delays = [retry_delay(attempts) for _ in range(200)]
        assert base * 0.75 <= min(delays) < max(delays) <= base * 1.25
    total = sum(15 * 4 ** (n - 1) for n in range(1, 8))  # the seven retries of eight attempts
    assert 20 * 3600 < total < 26 * 3600  # about a day


def test_a_failed_attempt_is_logged_and_retried_later(
    webhook_settings: Settings, receiver: Receiver
) -> None:
    subscribe(receiver)
    receiver.status, receiver.answer = 503, b"busy, come back later"
    publish_one()

    before = timezone.now()
    deliveries_deliver_due()
    after = timezone.now()

    attempt = Attempt.objects.get()
    assert (attempt.number, attempt.status_code, attempt.succeeded) == (1, 503, False)
    assert attempt.response == "busy, come back later"
    assert attempt.duration_ms >= 0
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and delivery.next_attempt_at is not None
    # WEBHOOK_RETRY_BASE = 1 s with ±25% jitter, counted from when the round recorded it.
    assert before + timedelta(seconds=0.75) <= delivery.next_attempt_at
    assert delivery.next_attempt_at <= after + timedelta(seconds=1.25)


def test_a_410_disables_the_subscription(webhook_settings: Settings, receiver: Receiver) -> None:
    subscription = subscribe(receiver)
    receiver.status = 410
    publish_one()

    deliveries_deliver_due()

    subscription.refresh_from_db()
    assert not subscription.is_active
    assert "410" in subscription.disabled_reason
    assert Delivery.objects.get().status == DeliveryStatus.FAILED


def test_a_run_of_failed_deliveries_disables_the_subscription_and_the_admin_says_so(
    webhook_settings: Settings, receiver: Receiver
) -> None:
    webhook_settings.WEBHOOK_MAX_ATTEMPTS = 1
    webhook_settings.WEBHOOK_DISABLE_AFTER_FAILURES = 2
    subscription = subscribe(receiver)
    receiver.status = 500
    publish_one()
    deliveries_deliver_due()
    first = Subscription.objects.get()
    assert first.is_active and first.consecutive_failures == 1

    publish_one()
    deliveries_deliver_due()

    subscription.refresh_from_db()
    assert not subscription.is_active
    assert subscription.disabled_reason == "2 deliveries in a row failed after every retry."
    client = Client()
    client.force_login(staff_user("admin", superuser=True))
    page = client.get("/admin/webhooks/subscription/", follow=True).content.decode()
    assert "1 webhook subscription(s) disabled after failures" in page
    assert site.is_registered(Subscription)


def test_replayed_deliveries_arrive_under_their_first_id(
    webhook_settings: Settings, receiver: Receiver
) -> None:
    webhook_settings.WEBHOOK_MAX_ATTEMPTS = 1
    subscribe(receiver)
    receiver.status = 500
    publish_one()
    deliveries_deliver_due()
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED

    receiver.status = 200
    assert deliveries_replay(deliveries=Delivery.objects.all()) == 1
    deliveries_deliver_due()

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert receiver.ids() == [f"msg_{delivery.event_id}"]
    assert list(delivery.attempt_log.values_list("number", "succeeded")) == [
        (1, False),
        (2, True),
    ]


def test_a_disabled_subscription_gets_what_waited_once_enabled(
    webhook_settings: Settings, receiver: Receiver
) -> None:
    subscription = subscribe(receiver)
    receiver.status = 410
    publish_one()
    deliveries_deliver_due()
    receiver.status = 200
    Delivery.objects.update(status=DeliveryStatus.PENDING)  # as if it had not been tried yet
    assert deliveries_deliver_due() == 0  # disabled: nothing goes out

    subscription_enable(subscription_id=subscription.pk)
    deliveries_deliver_due()

    assert len(receiver.received) == 1


def test_during_a_rotation_the_old_and_the_new_secret_both_sign(
    webhook_settings: Settings, receiver: Receiver
) -> None:
    subscription = subscribe(receiver)
    old = receiver.secrets[0]
    new = subscription_rotate_secret(subscription=subscription)
    assert new != old and new.startswith("whsec_")

    for secret in (old, new):  # a consumer that has switched, and one that has not yet
        receiver.secrets[:] = [secret]
        publish_one()
        deliveries_deliver_due()

    assert len(receiver.received) == 2 and receiver.refused == []
    assert len(receiver.received[0].headers["webhook-signature"].split(" ")) == 2


def test_a_redirect_is_not_followed(webhook_settings: Settings, receiver: Receiver) -> None:
    subscribe(receiver)
    receiver.status = 302
    publish_one()

    deliveries_deliver_due()

    attempt = Attempt.objects.get()
    assert not attempt.succeeded
    assert "redirect" in attempt.error


def test_a_private_address_is_refused_unless_allowed(
    webhook_settings: Settings, receiver: Receiver
) -> None:
    webhook_settings.WEBHOOK_ALLOWED_HOSTS = []
    webhook_settings.IMPORT_ALLOW_PRIVATE_NETWORKS = True  # the feeds' switch is not the hooks'
    subscribe(receiver)
    publish_one()

    deliveries_deliver_due()

    attempt = Attempt.objects.get()
    assert "WEBHOOK_ALLOWED_HOSTS" in attempt.error
    assert receiver.received == []


def test_an_editor_reads_why_each_attempt_failed_on_the_deliverys_page(
    webhook_settings: Settings, receiver: Receiver, client: Client
) -> None:
    webhook_settings.WEBHOOK_ALLOWED_HOSTS = []
    subscribe(receiver)
    publish_one()
    deliveries_deliver_due()
    attempt = Attempt.objects.get()
    client.force_login(staff_user("ed2", "Editors"))

    page = client.get(f"/admin/webhooks/delivery/{attempt.delivery_id}/change/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "Attempts" in html
    assert attempt.error and escape(attempt.error) in html
    # A record to read, naming its endpoint: nothing to save or delete.
    subscription = Subscription.objects.get()
    assert "<h1>Delivery</h1>" in html and "Change delivery" not in html
    assert escape(f"to {subscription} (Pending)") in html
    assert 'name="_save"' not in html and 'name="_continue"' not in html
    assert "deletelink" not in html


def test_a_long_answer_is_cut_off(webhook_settings: Settings, receiver: Receiver) -> None:
    webhook_settings.WEBHOOK_MAX_RESPONSE_BYTES = 1000
    subscribe(receiver)
    receiver.answer = b"x" * 5000
    publish_one()

    deliveries_deliver_due()

    attempt = Attempt.objects.get()
    assert not attempt.succeeded
    assert "5,000 bytes, over 1,000" in attempt.error


def test_a_slow_answer_is_cut_off(webhook_settings: Settings, receiver: Receiver) -> None:
    webhook_settings.WEBHOOK_TIMEOUT = 1
    subscribe(receiver)
    receiver.delay = 3
    publish_one()

    deliveries_deliver_due()

    attempt = Attempt.objects.get()
    assert not attempt.succeeded
    assert attempt.duration_ms < 2500
