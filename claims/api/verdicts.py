"""Public verdicts: the list (JSON pages, or every matching verdict as CSV), one verdict, its
schema.org ClaimReview and the ClaimReview DataFeed.

Views parse parameters (django-filter, 400 naming a bad one), call a selector and render its
plain dicts with orjson. Responses carry Last-Modified; ConditionalGetMiddleware adds the ETag
and answers If-None-Match / If-Modified-Since with 304.
"""

from collections.abc import Iterator
from typing import Any

import django_filters
import orjson
from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from claims.api.serializers import VerdictSerializer
from claims.claimreview import claimreview_build, claimreview_feed_item
from claims.exports import verdict_csv_lines
from claims.models import Verdict
from claims.selectors import (
    verdict_is_public,
    verdict_public_get,
    verdict_public_iter,
    verdict_public_queryset,
    verdict_public_rows,
    verdict_search,
)
from factcheck.api.errors import READ_ERRORS, ErrorSerializer
from factcheck.api.filters import StrictFilterSet, UtcDateTimeFilter
from factcheck.api.pagination import KeysetPagination, settled
from factcheck.api.params import page_size_param
from factcheck.api.renderers import CSVRenderer, ORJSONRenderer
from factcheck.api.views import PublicReadView
from factcheck.errors import DomainError


class VerdictLinks:
    """Adds a verdict's absolute URLs, on the request's host, or on `site` (the service's
    public address, for webhook payloads, which have no request). Built once per request:
    reversing and absolutising three URLs for every row costs a third of the list page's
    time."""

    def __init__(self, request: Request | None = None, *, site: str = "") -> None:
        # Reverse with a placeholder id once; each row then only formats strings.
        def template(name: str) -> str:
            path = reverse(name, args=[0])
            url = request.build_absolute_uri(path) if request is not None else site + path
            return url.replace("/0/", "/{}/", 1)

        self.api = template("api-verdict-detail")
        self.claimreview = template("api-verdict-claimreview")
        self.page = template("verdict-page")

    def __call__(self, verdict: dict[str, Any]) -> dict[str, Any]:
        pk = verdict["id"]
        verdict["url"] = self.api.format(pk)
        verdict["claimreview_url"] = self.claimreview.format(pk)
        verdict["page_url"] = self.page.format(pk)
        return verdict


def verdict_or_404(request: Request, pk: int) -> dict[str, Any]:
    """The public verdict `pk` with its links; 404 when there is none."""
    verdict = verdict_public_get(pk=pk)
    if verdict is None:
        raise NotFound(f"No published verdict #{pk}.")
    return VerdictLinks(request)(verdict)


def ld_json(data: Any, *, status: int = 200) -> HttpResponse:
    return HttpResponse(
        orjson.dumps(data, default=str), content_type="application/ld+json", status=status
    )


class VerdictFilter(StrictFilterSet):
    rating = django_filters.CharFilter(field_name="rating__slug", help_text="A rating's slug.")
    claimant = django_filters.NumberFilter(
        field_name="claim__claimant_id", help_text="Claimant id."
    )
    source = django_filters.NumberFilter(field_name="claim__source_id", help_text="Source id.")
    language = django_filters.CharFilter(
        field_name="claim__language", help_text="The claim's language, e.g. en."
    )
    published_after = UtcDateTimeFilter(
        field_name="published_at",
        lookup_expr="gte",
        help_text="Only verdicts published at or after this time (ISO 8601).",
    )
    published_before = UtcDateTimeFilter(
        field_name="published_at",
        lookup_expr="lt",
        help_text="Only verdicts published before this time (ISO 8601).",
    )
    updated_since = UtcDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text="Only verdicts changed at or after this time (ISO 8601): incremental sync.",
    )
    q = django_filters.CharFilter(
        method="search", help_text="Full-text search over the claim and the verdict."
    )

    class Meta:
        model = Verdict
        fields: list[str] = []

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        language = (self.data or {}).get("language", "")
        return verdict_search(queryset=queryset, q=value, language=language)


class TooLargeToStream(DomainError):
    """More verdicts match than `?format=csv` streams in a request: a worker writes the file."""

    status_code = 413
    code = "export_required"


class VerdictPagination(KeysetPagination):
    def fetch(self, queryset: QuerySet) -> list[dict[str, Any]]:
        return verdict_public_rows(verdicts=queryset)


def stream_csv_check(request: Request, verdicts: QuerySet) -> None:
    """Raises TooLargeToStream when more than EXPORTS_STREAM_MAX_ROWS verdicts match: streaming
    them could outlast the web worker's timeout (a cut-off file, a worker held meanwhile).
    Counts at most one row more than the limit."""
    limit = settings.EXPORTS_STREAM_MAX_ROWS
    if verdicts[: limit + 1].count() > limit:
        url = request.build_absolute_uri(reverse("api-export-list"))
        raise TooLargeToStream(
            f"More than {limit:,} verdicts match: too many to stream. POST the same filters as "
            f"a JSON object to {url} and download the file when it is ready, or narrow the "
            "filters."
        )


@extend_schema(
    tags=["verdicts"],
    responses={
        (200, "application/json"): VerdictSerializer(many=True),
        (200, "text/csv"): OpenApiTypes.STR,
        (413, "application/json"): ErrorSerializer,
        # Errors are JSON, a CSV request's too (PublicReadView).
        **{(status, "application/json"): error for status, error in READ_ERRORS.items()},
    },
)
class VerdictListView(PublicReadView):
    """Published and retracted verdicts, oldest change first. Page with `next` from
    `updated_since` to see every change (corrections and retractions included) exactly once.
    `?format=csv` streams every matching verdict as CSV, up to EXPORTS_STREAM_MAX_ROWS
    (more: 413 `export_required`, and POST /api/v1/exports/ makes the file)."""

    filterset_class = VerdictFilter
    pagination_class = VerdictPagination
    renderer_classes = [ORJSONRenderer, CSVRenderer]

    def get_queryset(self) -> QuerySet:
        return settled(verdict_public_queryset())

    def get(self, request: Request) -> Response | StreamingHttpResponse:
        queryset = self.filter_queryset(self.get_queryset())
        if request.accepted_renderer.format == "csv":
            # A CSV is never paged, but the paging parameters are still checked (400 naming
            # them), and a cursor starts the export after the row it names.
            page_size_param(request, default=self.keyset.page_size)
            queryset = self.keyset.after_cursor(queryset, request)
            stream_csv_check(request, queryset)
            lines = verdict_csv_lines(verdicts=verdict_public_iter(queryset=queryset))
            response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = 'attachment; filename="verdicts.csv"'
            return response
        verdicts = self.keyset.page(queryset, request)
        self.note_modified(verdicts)
        links = VerdictLinks(request)
        return self.get_paginated_response([links(v) for v in verdicts])


@extend_schema(
    tags=["verdicts"], responses={200: VerdictSerializer, 404: ErrorSerializer, **READ_ERRORS}
)
class VerdictDetailView(PublicReadView):
    """One published or retracted verdict."""

    def get(self, request: Request, pk: int) -> Response:
        verdict = verdict_or_404(request, pk)
        self.last_modified = verdict["updated_at"]
        return Response(verdict)


@extend_schema(
    tags=["claimreview"],
    responses={
        (200, "application/ld+json"): OpenApiTypes.OBJECT,
        404: ErrorSerializer,
        410: ErrorSerializer,
        **READ_ERRORS,
    },
)
class ClaimReviewView(PublicReadView):
    """The verdict as schema.org ClaimReview (JSON-LD). A retracted verdict is gone (410): per
    Google's guidance its markup is withdrawn."""

    def get(self, request: Request, pk: int) -> HttpResponse | Response:
        verdict = verdict_or_404(request, pk)
        if not verdict_is_public(verdict["status"], in_force=True):
            return Response(
                {"detail": f"Verdict #{pk} was retracted.", "code": "retracted"}, status=410
            )
        self.last_modified = verdict["updated_at"]
        return ld_json(claimreview_build(verdict=verdict, url=verdict["page_url"]))


class FeedFilter(StrictFilterSet):
    updated_since = UtcDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Verdict
        fields: list[str] = []


@extend_schema(
    tags=["claimreview"],
    responses={(200, "application/ld+json"): OpenApiTypes.OBJECT, **READ_ERRORS},
)
class ClaimReviewFeedView(PublicReadView):
    """Every published verdict as a schema.org DataFeed of ClaimReviews, streamed."""

    filterset_class = FeedFilter

    def get_queryset(self) -> QuerySet:
        return settled(verdict_public_queryset(in_force=True))

    def get(self, request: Request) -> StreamingHttpResponse:
        queryset = self.filter_queryset(self.get_queryset())
        links = VerdictLinks(request)

        def chunks() -> Iterator[bytes]:
            yield b'{"@context":"https://schema.org","@type":"DataFeed","dataFeedElement":['
            for n, verdict in enumerate(verdict_public_iter(queryset=queryset)):
                links(verdict)
                review = claimreview_build(verdict=verdict, url=verdict["page_url"])
                item = orjson.dumps(claimreview_feed_item(review=review), default=str)
                yield item if n == 0 else b"," + item
            yield b"]}"

        return StreamingHttpResponse(chunks(), content_type="application/ld+json")
