"""The admin home's panel of webhook subscriptions disabled after failures (factcheck/desk.py):
who is no longer told, and why. The table is small (one row per endpoint)."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from factcheck.desk import Panel, desk_panel_register, desk_rows_and_count
from webhooks.models import Subscription

SHOWN = 5


def disabled_subscriptions(request: HttpRequest) -> dict[str, Any] | None:
    """The latest subscriptions disabled after failures, for whoever may see subscriptions;
    None (no panel) when there is none."""
    if not request.user.has_perm("webhooks.view_subscription"):
        return None
    disabled = Subscription.objects.filter(is_active=False, disabled_at__isnull=False)
    latest, count = desk_rows_and_count(disabled.order_by("-disabled_at", "-id"), SHOWN)
    if not latest:
        return None
    link = reverse("admin:webhooks_subscription_changelist") + "?state=disabled"
    return {"subscriptions": latest, "count": count, "link": link}


desk_panel_register(
    Panel(
        "webhooks-disabled",
        "Webhook subscriptions disabled",
        "admin/webhooks/desk_panel.html",
        disabled_subscriptions,
        60,
    )
)
