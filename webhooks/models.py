"""Webhooks: subscriptions, the events written with the change that causes them (the outbox),
one delivery per event and subscription, and every attempt to deliver it.

webhooks/outbox.py writes events and deliveries in the transaction of the change;
webhooks/delivery.py sends what is due and records each attempt.
"""

from typing import TypeAlias

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q


class EventType(models.TextChoices):
    VERDICT_PUBLISHED = "verdict.published", "A verdict is published"
    VERDICT_CORRECTED = "verdict.corrected", "A published verdict is corrected"
    VERDICT_RETRACTED = "verdict.retracted", "A published verdict is retracted"
    CLAIM_CREATED = "claim.created", "A claim is created (one event a claim: many on import)"
    IMPORT_FINISHED = "import.finished", "An import run finishes"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"  # due at next_attempt_at
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"  # every attempt failed, or the subscription answered 410


class Subscription(models.Model):
    """An endpoint that receives the events it asks for, signed with its secret."""

    # Checked by factcheck.links.web_url (webhooks.services), as every URL from outside.
    url = models.CharField(
        "URL",
        max_length=2000,
        help_text="Where events are POSTed: an https URL on the public internet (hosts named in "
        "WEBHOOK_ALLOWED_HOSTS may be private).",
    )
    event_types = ArrayField(
        models.CharField(max_length=40, choices=EventType.choices),
        help_text="The events this endpoint receives.",
    )
    description = models.CharField(max_length=300, blank=True)
    is_active = models.BooleanField(
        default=True,
        help_text="Inactive subscriptions receive nothing; their pending deliveries wait.",
    )
    # whsec_<base64>: the Standard Webhooks form. Kept readable (signing needs it); shown once.
    secret = models.CharField(max_length=100, editable=False)
    # During a rotation the old secret signs too, until previous_secret_until.
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_until = models.DateTimeField(null=True, blank=True, editable=False)
    # Deliveries that gave up in a row (WEBHOOK_DISABLE_AFTER_FAILURES disables it).
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    disabled_at = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_reason = models.CharField(max_length=300, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # a user's subscriptions are never looked up
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(event_types__contained_by=EventType.values),
                name="subscription_event_types_known",
                violation_error_message="Unknown event type.",
            ),
        ]

    def __str__(self) -> str:
        return self.description or self.url


class Event(models.Model):
    """One thing that happened, as its JSON body: written in the transaction of the change."""

    Type: TypeAlias = EventType

    type = models.CharField(max_length=40, choices=EventType.choices)
    # The verdict a verdict.* event is about, and its place among that verdict's events (1, 2,
    # ...). Plain columns: an event is a record of what was sent, kept whatever becomes of the
    # verdict.
    verdict_id = models.BigIntegerField(null=True, blank=True)
    sequence = models.PositiveIntegerField(null=True, blank=True)
    # {"type", "timestamp", "data"}: the request body, byte for byte, of every attempt.
    body = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(type__in=EventType.values),
                name="event_type_known",
                violation_error_message="Unknown event type.",
            ),
            # The next sequence number of a verdict reads max(sequence) through this index.
            models.UniqueConstraint(
                fields=["verdict_id", "sequence"],
                condition=Q(verdict_id__isnull=False),
                name="event_verdict_sequence_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} #{self.pk}"

    @property
    def webhook_id(self) -> str:
        """The `webhook-id` header: the same on every attempt and every subscription."""
        return f"msg_{self.pk}"


class Delivery(models.Model):
    """One event on its way to one subscription."""

    Status: TypeAlias = DeliveryStatus

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    status = models.CharField(
        max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    # Attempts made before it was last replayed: the retry schedule starts again from there.
    replayed_after = models.PositiveIntegerField(default=0)
    # When it is due: the next retry, or the end of the lease of the worker sending it now
    # (a worker that dies mid-send leaves it due again when the lease ends).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values),
                name="delivery_status_known",
                violation_error_message="Unknown delivery status.",
            ),
            # Also serves "a subscription's deliveries" (replay, the admin's list).
            models.UniqueConstraint(
                fields=["subscription", "event"], name="delivery_subscription_event_unique"
            ),
        ]
        indexes = [
            # The due deliveries, oldest first (delivery.deliveries_claim_due).
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(status="pending"),
                name="delivery_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.subscription_id} ({self.status})"


class Attempt(models.Model):
    """One POST of a delivery, and what came of it."""

    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="attempt_log", db_index=False
    )
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    succeeded = models.BooleanField()
    response = models.TextField(blank=True, help_text="The first bytes of the answer.")
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["delivery_id", "number"]
        constraints = [
            # Also serves "a delivery's attempts" (the admin's delivery page).
            models.UniqueConstraint(fields=["delivery", "number"], name="attempt_number_unique"),
        ]

    def __str__(self) -> str:
        return f"Attempt {self.number} of delivery #{self.delivery_id}"
