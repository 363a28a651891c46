"""Webhook subscriptions and their deliveries in the admin: create (the secret is shown once),
rotate the secret, enable a disabled subscription, replay failed deliveries (one, a selection,
or all of a subscription's), and every attempt's log; both lists say how long that history is
kept (webhooks/retention.py). The home's panel of disabled subscriptions is admin_desk.py."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from factcheck.errors import DomainError
from webhooks import admin_desk  # noqa: F401  (registers the home's panel)
from webhooks.models import Attempt, Delivery, EventType, Subscription
from webhooks.retention import retention_note
from webhooks.services import (
    deliveries_replay,
    subscription_check_types,
    subscription_check_url,
    subscription_create,
    subscription_enable,
    subscription_rotate_secret,
)


class SubscriptionForm(forms.ModelForm):
    event_types = forms.MultipleChoiceField(
        choices=EventType.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Subscription
        fields = ["url", "event_types", "description", "is_active"]

    def clean_url(self) -> str:
        try:
            return subscription_check_url(self.cleaned_data["url"])
        except DomainError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_event_types(self) -> list[str]:
        try:
            return subscription_check_types(self.cleaned_data["event_types"])
        except DomainError as exc:
            raise forms.ValidationError(str(exc)) from None


class DisabledFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("disabled", "Disabled after failures"), ("active", "Active")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "disabled":
            return queryset.filter(is_active=False, disabled_at__isnull=False)
        if self.value() == "active":
            return queryset.filter(is_active=True)
        return queryset


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    form = SubscriptionForm
    list_display = ["url", "description", "event_types", "is_active", "disabled_reason"]
    list_filter = [DisabledFilter]
    search_fields = ["url", "description"]
    readonly_fields = [
        "consecutive_failures",
        "disabled_at",
        "disabled_reason",
        "previous_secret_until",
        "created_at",
    ]
    actions = ["rotate_secret", "enable", "replay_failed"]

    class Media:
        css = {"all": ["webhooks/admin.css"]}

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        disabled = Subscription.objects.filter(is_active=False, disabled_at__isnull=False).count()
        if disabled:
            messages.warning(
                request,
                f"{disabled} webhook subscription(s) disabled after failures: see their reason, "
                "fix the endpoint, then enable them (their waiting deliveries go out then).",
            )
        extra = {"subtitle": retention_note(), **(extra_context or {})}
        return super().changelist_view(request, extra)

    def save_model(self, request: HttpRequest, obj: Subscription, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        created, secret = subscription_create(
            url=obj.url,
            event_types=obj.event_types,
            description=obj.description,
            actor=request.user,  # type: ignore[arg-type]
        )
        obj.pk = created.pk
        obj.refresh_from_db()
        messages.warning(
            request,
            f"The signing secret of “{obj}” is {secret} — copy it now: it is not shown again.",
        )

    @admin.action(
        description="Rotate the signing secret (the old one signs for a while)",
        permissions=["change"],
    )
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[Subscription]) -> None:
        for subscription in queryset:
            secret = subscription_rotate_secret(subscription=subscription)
            messages.warning(
                request,
                f"The new signing secret of “{subscription}” is {secret} — copy it now: it is "
                "not shown again. The old one signs beside it until "
                f"{subscription.previous_secret_until:%Y-%m-%d %H:%M} UTC.",
            )

    @admin.action(description="Enable (deliveries that waited go out)", permissions=["change"])
    def enable(self, request: HttpRequest, queryset: QuerySet[Subscription]) -> None:
        enabled = sum(subscription_enable(subscription_id=s.pk) for s in queryset)
        messages.success(request, f"{enabled} subscription(s) enabled.")

    @admin.action(description="Replay all failed deliveries", permissions=["change"])
    def replay_failed(self, request: HttpRequest, queryset: QuerySet[Subscription]) -> None:
        replayed = deliveries_replay(deliveries=Delivery.objects.filter(subscription__in=queryset))
        messages.success(request, f"{replayed} failed deliveries will be sent again.")


class AttemptInline(admin.TabularInline):
    model = Attempt
    fields = readonly_fields = (
        "number",
        "started_at",
        "duration_ms",
        "status_code",
        "succeeded",
        "response",
        "error",  # why an attempt got no answer: refused address, unresolved host, timeout
    )
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "event", "subscription", "status", "attempts", "next_attempt_at"]
    list_filter = ["status"]
    list_select_related = ["event", "subscription"]
    show_full_result_count = False
    fields = readonly_fields = (
        "event",
        "subscription",
        "status",
        "attempts",
        "next_attempt_at",
        "last_status_code",
        "delivered_at",
        "created_at",
    )
    inlines = [AttemptInline]
    actions = ["replay"]

    class Media:
        css = {"all": ["webhooks/admin.css"]}

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        extra = {"subtitle": retention_note(), **(extra_context or {})}
        return super().changelist_view(request, extra)

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Delivery | None = None,
    ) -> HttpResponse:
        """A delivery's page is a record to read: every field is the sender's, so it offers no
        Save or Delete (the change permission is for the list's Replay action), and it names
        the endpoint rather than its id."""
        context.update(
            title="Delivery", show_save=False, show_save_and_continue=False, show_delete=False
        )
        if obj is not None:
            context["subtitle"] = f"{obj.event} to {obj.subscription} ({obj.get_status_display()})"
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.action(description="Replay (send again, same webhook-id)", permissions=["change"])
    def replay(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        replayed = deliveries_replay(deliveries=queryset)
        messages.success(request, f"{replayed} failed deliveries will be sent again.")
