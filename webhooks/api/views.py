"""The staff webhooks API (editors): subscriptions, their secret, their deliveries, replay.

Views validate input, call webhooks/services.py and render; errors leave through the one
handler in factcheck/api/errors.py.
"""

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from claims.roles import user_is_editor
from factcheck.api.errors import ErrorSerializer
from factcheck.errors import InvalidInput
from webhooks.api.serializers import (
    DeliverySerializer,
    ReplayedSerializer,
    SecretSerializer,
    SubscriptionInputSerializer,
    SubscriptionSerializer,
    SubscriptionWithSecretSerializer,
)
from webhooks.models import Delivery, DeliveryStatus, Subscription
from webhooks.services import (
    deliveries_replay,
    subscription_create,
    subscription_rotate_secret,
    subscription_update,
)

ERRORS = {code: ErrorSerializer for code in (400, 401, 403, 404)}
# Deliveries listed per request, newest first.
DELIVERIES_SHOWN = 100


class IsEditor(permissions.BasePermission):
    message = "Only editors may manage webhooks."

    def has_permission(self, request: Request, view: Any) -> bool:
        return user_is_editor(request.user)


class EditorView(APIView):
    permission_classes = [permissions.IsAuthenticated, IsEditor]


def _input(request: Request, *, partial: bool = False) -> dict[str, Any]:
    given = SubscriptionInputSerializer(data=request.data, partial=partial)
    given.is_valid(raise_exception=True)
    return dict(given.validated_data)


def _service(call: Any) -> Any:
    try:
        return call()
    except InvalidInput as error:
        raise serializers.ValidationError({error.field: [str(error)]}) from error


class SubscriptionListView(EditorView):
    """GET: every subscription (secrets are never shown again). POST: a new one, answered
    with its secret, once."""

    @extend_schema(tags=["webhooks"], responses={200: SubscriptionSerializer(many=True), **ERRORS})
    def get(self, request: Request) -> Response:
        return Response(SubscriptionSerializer(Subscription.objects.all(), many=True).data)

    @extend_schema(
        tags=["webhooks"],
        request=SubscriptionInputSerializer,
        responses={201: SubscriptionWithSecretSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        given = _input(request)
        actor = request.user if request.user.is_authenticated else None
        subscription, secret = _service(
            lambda: subscription_create(
                url=given["url"],
                event_types=given["event_types"],
                description=given.get("description", ""),
                actor=actor,
            )
        )
        data = {**SubscriptionSerializer(subscription).data, "secret": secret}
        return Response(data, status=status.HTTP_201_CREATED)


class SubscriptionDetailView(EditorView):
    @extend_schema(tags=["webhooks"], responses={200: SubscriptionSerializer, **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        return Response(SubscriptionSerializer(get_object_or_404(Subscription, pk=pk)).data)

    @extend_schema(
        tags=["webhooks"],
        request=SubscriptionInputSerializer,
        responses={200: SubscriptionSerializer, **ERRORS},
    )
    def patch(self, request: Request, pk: int) -> Response:
        subscription = get_object_or_404(Subscription, pk=pk)
        given = _input(request, partial=True)
        _service(lambda: subscription_update(subscription=subscription, **given))
        return Response(SubscriptionSerializer(subscription).data)

    @extend_schema(tags=["webhooks"], responses={204: None, **ERRORS})
    def delete(self, request: Request, pk: int) -> Response:
        get_object_or_404(Subscription, pk=pk).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class SubscriptionRotateView(EditorView):
    """POST: a new secret, answered once; the old one signs beside it for
    WEBHOOK_SECRET_ROTATION_HOURS."""

    @extend_schema(tags=["webhooks"], request=None, responses={200: SecretSerializer, **ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        subscription = get_object_or_404(Subscription, pk=pk)
        secret = subscription_rotate_secret(subscription=subscription)
        return Response(
            {"secret": secret, "previous_secret_until": subscription.previous_secret_until}
        )


class DeliveryListView(EditorView):
    """The subscription's latest deliveries with their attempts; `?status=failed` (or pending,
    delivered) narrows them. Delivered and failed ones are kept WEBHOOK_RETENTION_DAYS after
    their last attempt."""

    @extend_schema(tags=["webhooks"], responses={200: DeliverySerializer(many=True), **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        subscription = get_object_or_404(Subscription, pk=pk)
        deliveries = Delivery.objects.filter(subscription=subscription)
        wanted = request.query_params.get("status")
        if wanted:
            if wanted not in DeliveryStatus.values:
                raise serializers.ValidationError({"status": [f"One of {DeliveryStatus.values}."]})
            deliveries = deliveries.filter(status=wanted)
        latest = (
            deliveries.select_related("event")
            .prefetch_related("attempt_log")
            .order_by("-id")[:DELIVERIES_SHOWN]
        )
        return Response(DeliverySerializer(latest, many=True).data)


class ReplayView(EditorView):
    """POST: send every failed delivery of the subscription again (same webhook-id): those
    still kept, whose last attempt is at most WEBHOOK_RETENTION_DAYS old."""

    @extend_schema(tags=["webhooks"], request=None, responses={200: ReplayedSerializer, **ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        subscription = get_object_or_404(Subscription, pk=pk)
        replayed = deliveries_replay(deliveries=Delivery.objects.filter(subscription=subscription))
        return Response({"replayed": replayed})
