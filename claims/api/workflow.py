"""The editorial workflow over the API, for staff clients: a token, verdict drafts, the actions of
the workflow table, a claim's history.

The views validate input, call claims/workflow.py or claims/verdicts.py and render the result;
those decide who may do what (403) and when (409). Errors leave through the one handler in
factcheck/api/errors.py.
"""

from collections.abc import Callable
from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from claims import verdicts, workflow
from claims.api.tokens import (
    ExpiringTokenAuthentication,
    token_expires_at,
    token_issue,
    token_revoke,
)
from claims.api.workflow_serializers import (
    ActionInputSerializer,
    ClaimEventSerializer,
    ClaimStaffSerializer,
    TokenInputSerializer,
    VerdictInputSerializer,
    VerdictStaffSerializer,
)
from claims.models import Claim, ClaimEvent, Verdict
from claims.roles import user_is_reviewer
from claims.selectors import verdict_is_public
from factcheck.api.errors import ErrorSerializer
from factcheck.errors import Forbidden, InvalidInput


def _render_claim(pk: int) -> Response:
    claim = Claim.objects.select_related("assignee", "claimant").get(pk=pk)
    return Response(ClaimStaffSerializer(claim).data)


def _with_details(verdict: Verdict | None) -> Verdict | None:
    """`verdict` again, with what VerdictStaffSerializer renders."""
    if verdict is None:
        return None
    return (
        Verdict.objects.filter(pk=verdict.pk)
        .select_related("rating", "author", "approver")
        .prefetch_related("citations")
        .first()
    )


# What a staff endpoint may answer besides success (each in the one JSON error shape).
STAFF_ERRORS = {code: ErrorSerializer for code in (400, 401, 403, 404, 409)}


def _run(call: Callable[[], Any]) -> Any:
    """Call the workflow; a missing or wrong input it reports becomes a 400 naming the field."""
    try:
        return call()
    except InvalidInput as error:
        raise serializers.ValidationError({error.field: [str(error)]}) from error


class TokenView(APIView):
    """POST {"username", "password"} → {"token", "expires"}: send it as `Authorization: Token
    <token>` until it expires (API_TOKEN_TTL_HOURS). DELETE with the token revokes it."""

    serializer_class = TokenInputSerializer  # for the OpenAPI schema

    @extend_schema(
        tags=["staff"],
        request=TokenInputSerializer,
        responses={200: OpenApiTypes.OBJECT, 400: ErrorSerializer},
    )
    def post(self, request: Request) -> Response:
        credentials = TokenInputSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=credentials.validated_data["username"],
            password=credentials.validated_data["password"],
        )
        if user is None:
            return Response(
                {
                    "detail": "Unable to log in with this username and password.",
                    "code": "invalid_credentials",
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        token = token_issue(user=user)
        return Response({"token": token.key, "expires": token_expires_at(token)})

    @extend_schema(tags=["staff"], request=None, responses={204: None, 401: ErrorSerializer})
    def delete(self, request: Request) -> Response:
        """Revokes the caller's token (sent as `Authorization: Token …`)."""
        assert isinstance(request.user, User)  # IsAuthenticated, with a token
        token_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _revoking(self) -> bool:
        # The schema generator asks without a request.
        return getattr(self.request, "method", None) == "DELETE"

    def get_authenticators(self) -> list[Any]:
        # Signing in needs no credentials; revoking needs the token being revoked.
        if self._revoking():
            return [ExpiringTokenAuthentication()]
        return []

    def get_permissions(self) -> list[Any]:
        if self._revoking():
            return [permissions.IsAuthenticated()]
        return [permissions.AllowAny()]


class ClaimActionView(APIView):
    """POST /claims/{id}/{action}/ → the claim after the action."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=["staff"],
        parameters=[
            OpenApiParameter("action", str, OpenApiParameter.PATH, enum=list(workflow.ACTIONS))
        ],
        request=OpenApiTypes.OBJECT,
        responses={200: ClaimStaffSerializer, **STAFF_ERRORS},
    )
    def post(self, request: Request, pk: int, action: str) -> Response:
        claim = get_object_or_404(Claim, pk=pk)
        data = ActionInputSerializer(data=request.data, action=workflow.ACTIONS[action])
        data.is_valid(raise_exception=True)
        _run(lambda: workflow.perform(action, claim, request.user, **data.inputs()))
        return _render_claim(claim.pk)


class ClaimVerdictView(APIView):
    """GET the claim's verdict (ours or imported: verdicts.verdict_on_record); PUT our draft
    (the assignee, while in review)."""

    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    serializer_class = VerdictInputSerializer  # for the OpenAPI schema

    @extend_schema(tags=["staff"], responses={200: VerdictStaffSerializer, **STAFF_ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        claim = get_object_or_404(Claim, pk=pk)
        verdict = _with_details(verdicts.verdict_on_record(claim))
        public = verdict is not None and verdict_is_public(verdict.status)
        if not public and not user_is_reviewer(request.user):
            # Drafts are newsroom-internal; do not even say whether one exists.
            if not request.user.is_authenticated:
                return Response(
                    {"detail": "No published verdict for this claim.", "code": "not_found"},
                    status=status.HTTP_404_NOT_FOUND,
                )
            raise Forbidden("Only reviewers and editors may read verdict drafts.")
        if verdict is None:
            return Response(
                {"detail": f"Claim #{claim.pk} has no verdict yet.", "code": "not_found"},
                status=status.HTTP_404_NOT_FOUND,
            )
        return Response(VerdictStaffSerializer(verdict).data)

    @extend_schema(
        tags=["staff"],
        request=VerdictInputSerializer,
        responses={200: VerdictStaffSerializer, **STAFF_ERRORS},
    )
    def put(self, request: Request, pk: int) -> Response:
        claim = get_object_or_404(Claim, pk=pk)
        data = VerdictInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        verdict = _run(
            lambda: verdicts.verdict_save_draft(
                claim=claim,
                actor=request.user,
                content=verdicts.verdict_input(data.validated_data),
                version=data.validated_data["version"],
            )
        )
        return Response(VerdictStaffSerializer(_with_details(verdict)).data)


class ClaimEventsView(APIView):
    """GET /claims/{id}/events/: the claim's history, oldest first (reviewers and editors)."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ClaimEventSerializer  # for the OpenAPI schema

    @extend_schema(tags=["staff"], responses={200: ClaimEventSerializer(many=True), **STAFF_ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        if not user_is_reviewer(request.user):
            raise Forbidden("Only reviewers and editors may read a claim's history.")
        claim = get_object_or_404(Claim, pk=pk)
        events = ClaimEvent.objects.filter(claim=claim).select_related("actor")
        return Response(ClaimEventSerializer(events.order_by("created_at", "id"), many=True).data)


ACTION_PATTERN = "|".join(workflow.ACTIONS)
