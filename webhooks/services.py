"""Writes on subscriptions and deliveries: create, rotate the secret, disable and enable,
replay. The admin and the staff API both call these."""

import base64
import secrets
from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from factcheck.errors import InvalidInput
from factcheck.links import UnsafeURL, web_url
from webhooks.models import Delivery, DeliveryStatus, EventType, Subscription


def secret_generate() -> str:
    """A new signing secret in the Standard Webhooks form: whsec_ and 32 random bytes, base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def subscription_check_url(url: str) -> str:
    """`url` if it is a URL deliveries may be sent to (factcheck/links.py: http(s), no
    credentials, read alike by every parser); InvalidInput otherwise. Its addresses are
    checked at each delivery, as every outbound request's are."""
    try:
        return web_url(url.strip()).url
    except UnsafeURL as exc:
        raise InvalidInput("url", str(exc)) from None


def subscription_check_types(event_types: Sequence[str]) -> list[str]:
    unknown = sorted(set(event_types) - set(EventType.values))
    if unknown or not event_types:
        raise InvalidInput(
            "event_types",
            f"Unknown event type: {', '.join(unknown)}." if unknown else "Choose an event type.",
        )
    return [t for t in EventType.values if t in event_types]


@transaction.atomic
def subscription_create(
    *, url: str, event_types: Sequence[str], description: str = "", actor: User | None = None
) -> tuple[Subscription, str]:
    """Create an active subscription; returns it and its secret (shown once to the caller)."""
    secret = secret_generate()
    subscription = Subscription.objects.create(
        url=subscription_check_url(url),
        event_types=subscription_check_types(event_types),
        description=description.strip(),
        secret=secret,
        created_by=actor,
    )
    return subscription, secret


@transaction.atomic
def subscription_update(
    *,
    subscription: Subscription,
    url: str | None = None,
    event_types: Sequence[str] | None = None,
    description: str | None = None,
    is_active: bool | None = None,
) -> Subscription:
    """Change what is given; switching it off parks its pending deliveries, switching it on
    releases them (subscription_enable)."""
    fields: dict[str, object] = {}
    if url is not None:
        fields["url"] = subscription_check_url(url)
    if event_types is not None:
        fields["event_types"] = subscription_check_types(event_types)
    if description is not None:
        fields["description"] = description.strip()
    if fields:
        Subscription.objects.filter(pk=subscription.pk).update(**fields, updated_at=timezone.now())
    if is_active is True:
        subscription_enable(subscription_id=subscription.pk)
    elif is_active is False and subscription.is_active:
        Subscription.objects.filter(pk=subscription.pk).update(is_active=False)
        Delivery.objects.filter(
            subscription_id=subscription.pk, status=DeliveryStatus.PENDING
        ).update(next_attempt_at=None)
    subscription.refresh_from_db()
    return subscription


@transaction.atomic
def subscription_rotate_secret(*, subscription: Subscription) -> str:
    """Give the subscription a new secret; the old one still signs beside it for
    WEBHOOK_SECRET_ROTATION_HOURS, so the consumer can switch without losing a request.
    Returns the new secret (shown once)."""
    secret = secret_generate()
    until = timezone.now() + timedelta(hours=settings.WEBHOOK_SECRET_ROTATION_HOURS)
    Subscription.objects.filter(pk=subscription.pk).update(
        previous_secret=F("secret"), previous_secret_until=until, secret=secret
    )
    subscription.refresh_from_db()
    return secret


@transaction.atomic
def subscription_disable(*, subscription_id: int, reason: str) -> bool:
    """Disable an active subscription, saying why; its pending deliveries wait (parked, no
    longer due) until it is enabled again. Returns whether it was active."""
    now = timezone.now()
    disabled = Subscription.objects.filter(pk=subscription_id, is_active=True).update(
        is_active=False, disabled_at=now, disabled_reason=reason, updated_at=now
    )
    if disabled:
        Delivery.objects.filter(
            subscription_id=subscription_id, status=DeliveryStatus.PENDING
        ).update(next_attempt_at=None)
    return bool(disabled)


@transaction.atomic
def subscription_enable(*, subscription_id: int) -> bool:
    """Enable a subscription again: its failure count starts over and its waiting deliveries
    are due now. Returns whether it was inactive."""
    now = timezone.now()
    enabled = Subscription.objects.filter(pk=subscription_id, is_active=False).update(
        is_active=True, disabled_at=None, disabled_reason="", consecutive_failures=0, updated_at=now
    )
    if enabled:
        Delivery.objects.filter(
            subscription_id=subscription_id,
            status=DeliveryStatus.PENDING,
            next_attempt_at__isnull=True,
        ).update(next_attempt_at=now)
    return bool(enabled)


@transaction.atomic
def subscription_count_failures(*, subscription_id: int, failures: int) -> None:
    """Add `failures` deliveries that gave up to the subscription's run of failures; at
    WEBHOOK_DISABLE_AFTER_FAILURES it is disabled."""
    Subscription.objects.filter(pk=subscription_id).update(
        consecutive_failures=F("consecutive_failures") + failures
    )
    limit = settings.WEBHOOK_DISABLE_AFTER_FAILURES
    if Subscription.objects.filter(pk=subscription_id, consecutive_failures__gte=limit).exists():
        subscription_disable(
            subscription_id=subscription_id,
            reason=f"{limit} deliveries in a row failed after every retry.",
        )


@transaction.atomic
def deliveries_replay(*, deliveries: QuerySet[Delivery]) -> int:
    """Send failed deliveries again, with a fresh retry schedule and the same webhook-id;
    returns how many. Those of a disabled subscription wait until it is enabled."""
    now = timezone.now()
    failed = deliveries.filter(status=DeliveryStatus.FAILED)
    replayed = failed.filter(subscription__is_active=True).update(
        status=DeliveryStatus.PENDING, replayed_after=F("attempts"), next_attempt_at=now
    )
    replayed += failed.filter(subscription__is_active=False).update(
        status=DeliveryStatus.PENDING, replayed_after=F("attempts"), next_attempt_at=None
    )
    if replayed:
        from webhooks.tasks import webhooks_deliver_soon

        transaction.on_commit(webhooks_deliver_soon, robust=True)
    return replayed
