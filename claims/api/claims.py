"""Public claims, claimants and the rating scale. Anonymous callers see what published work
shows; staff (claims/roles.py) see every claim and claimant."""

from collections.abc import Callable
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from claims.api.serializers import ClaimantSerializer, ClaimSerializer, RatingSerializer
from claims.models import Claim, Claimant, Rating
from claims.roles import user_is_staff
from claims.selectors import claim_list, claimant_list, rating_list
from factcheck.api.errors import READ_ERRORS
from factcheck.api.filters import StrictFilterSet, UtcDateTimeFilter
from factcheck.api.pagination import IdPagination, KeysetPagination, settled
from factcheck.api.views import PublicReadView


class ClaimFilter(StrictFilterSet):
    status = django_filters.ChoiceFilter(choices=Claim.Status.choices, help_text="Staff only.")
    assignee = django_filters.NumberFilter(field_name="assignee_id", help_text="User id (staff).")
    language = django_filters.CharFilter()
    claimant = django_filters.NumberFilter(field_name="claimant_id")
    source = django_filters.NumberFilter(field_name="source_id")
    updated_since = UtcDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Claim
        fields: list[str] = []


@extend_schema(tags=["claims"], responses={200: ClaimSerializer(many=True), **READ_ERRORS})
class ClaimListView(PublicReadView):
    """Claims: anonymous callers see claims with a published or retracted verdict; staff (a token
    of a Reviewer, Editor or staff user) see all, filterable by `status` and `assignee`."""

    filterset_class = ClaimFilter
    pagination_class = KeysetPagination

    def get_queryset(self) -> QuerySet:
        return settled(claim_list(staff=user_is_staff(self.request.user)))

    def get(self, request: Request) -> Response:
        staff = user_is_staff(request.user)  # the roles are read once per request
        rows = self.keyset.page(self.filter_queryset(self.get_queryset()), request)
        self.note_modified(rows)
        claims = [
            claim_render(row, staff=staff, absolute=request.build_absolute_uri) for row in rows
        ]
        return self.get_paginated_response(claims)


def claim_render(row: dict[str, Any], *, staff: bool, absolute: Callable[[str], str]) -> dict:
    """A row of `claim_list` as the API shows it (ClaimSerializer), `absolute` making a path
    an absolute URL: the list's rows, and the claims of webhook events."""
    claimant_id, claimant_name = row.pop("claimant_id"), row.pop("claimant_name")
    row["claimant"] = {"id": claimant_id, "name": claimant_name} if claimant_id else None
    if not staff:
        row["assignee_id"] = None
    verdict_id = row["verdict_id"]
    row["verdict_url"] = (
        absolute(reverse("api-verdict-detail", args=[verdict_id])) if verdict_id else None
    )
    return row


@extend_schema(tags=["claims"], responses={200: ClaimantSerializer(many=True), **READ_ERRORS})
class ClaimantListView(PublicReadView):
    """Claimants (anonymous callers: those of public claims), by id."""

    queryset = Claimant.objects.none()  # for the schema; rows come from the selector
    pagination_class = IdPagination

    def get(self, request: Request) -> Response:
        rows = self.keyset.page(claimant_list(staff=user_is_staff(request.user)), request)
        return self.get_paginated_response(rows)


@extend_schema(tags=["claims"], responses={200: RatingSerializer(many=True), **READ_ERRORS})
class RatingListView(PublicReadView):
    """The published rating scale (methodology transparency), in order."""

    queryset = Rating.objects.none()  # for the schema; rows come from the selector

    def get(self, request: Request) -> Response:
        return Response(rating_list())
