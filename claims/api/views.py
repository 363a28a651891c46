"""Public read endpoints: verdicts, claims, claimants, ratings, ClaimReview and claims:search.

Views parse parameters (django-filter, 400 naming a bad one), call a selector and render plain
dicts with orjson. Responses carry Last-Modified; ConditionalGetMiddleware adds the ETag and
answers If-None-Match / If-Modified-Since with 304.
"""

import base64
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import django_filters
import orjson
from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from claims.api import serializers as out
from claims.claimreview import claimreview_build, claimreview_feed_item
from claims.exports import verdict_csv_lines
from claims.models import Claim, Claimant, Rating, Verdict
from claims.roles import user_is_staff
from claims.selectors import (
    claim_list,
    claimant_list,
    rating_list,
    verdict_public_get,
    verdict_public_iter,
    verdict_public_queryset,
    verdict_public_rows,
    verdict_search,
)
from factcheck.api.errors import READ_ERRORS, ErrorSerializer
from factcheck.api.filters import StrictFilterSet, UtcDateTimeFilter
from factcheck.api.pagination import IdPagination, KeysetPagination, settled
from factcheck.api.params import int_param, page_size_param, single_param
from factcheck.api.renderers import CSVRenderer, ORJSONRenderer
from factcheck.api.views import PublicReadView
from factcheck.errors import BadParameter


def is_staff(request: Request) -> bool:
    return user_is_staff(request.user)


class VerdictPagination(KeysetPagination):
    def fetch(self, queryset: QuerySet) -> list[dict[str, Any]]:
        return verdict_public_rows(verdicts=queryset)


class VerdictLinks:
    """Adds a verdict's absolute URLs. Built once per request: reversing and absolutising three
    URLs per row was a third of the list page's time."""

    def __init__(self, request: Request) -> None:
        # Reverse with a placeholder id once; each row then only formats strings.
        def template(name: str) -> str:
            return request.build_absolute_uri(reverse(name, args=[0])).replace("/0/", "/{}/", 1)

        self.api = template("api-verdict-detail")
        self.claimreview = template("api-verdict-claimreview")
        self.page = template("verdict-page")

    def __call__(self, verdict: dict[str, Any]) -> dict[str, Any]:
        pk = verdict["id"]
        verdict["url"] = self.api.format(pk)
        verdict["claimreview_url"] = self.claimreview.format(pk)
        verdict["page_url"] = self.page.format(pk)
        return verdict


def verdict_links(request: Request, verdict: dict[str, Any]) -> dict[str, Any]:
    return VerdictLinks(request)(verdict)


class VerdictFilter(StrictFilterSet):
    rating = django_filters.CharFilter(field_name="rating__slug", help_text="A rating's slug.")
    claimant = django_filters.NumberFilter(
        field_name="claim__claimant_id", help_text="Claimant id."
    )
    source = django_filters.NumberFilter(field_name="claim__source_id", help_text="Source id.")
    language = django_filters.CharFilter(
        field_name="claim__language", help_text="The claim's language, e.g. en."
    )
    published_after = UtcDateTimeFilter(field_name="published_at", lookup_expr="gte")
    published_before = UtcDateTimeFilter(field_name="published_at", lookup_expr="lt")
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
        return verdict_search(queryset=queryset, q=value, language=self.data.get("language", ""))


@extend_schema(
    tags=["verdicts"],
    responses={
        (200, "application/json"): out.VerdictSerializer(many=True),
        (200, "text/csv"): OpenApiTypes.STR,
        **READ_ERRORS,
    },
)
class VerdictListView(PublicReadView):
    """Published and retracted verdicts, oldest change first. Page with `next` from
    `updated_since` to see every change (corrections and retractions included) exactly once.
    `?format=csv` streams every matching verdict as CSV."""

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
            page_size_param(request, default=self.paginator.page_size)
            queryset = self.paginator.after_cursor(queryset, request)
            lines = verdict_csv_lines(verdicts=verdict_public_iter(queryset=queryset))
            response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = 'attachment; filename="verdicts.csv"'
            return response
        verdicts = self.paginate_queryset(queryset)
        self.note_modified(verdicts)
        links = VerdictLinks(request)
        return self.get_paginated_response([links(v) for v in verdicts])


def verdict_or_404(pk: int) -> dict[str, Any]:
    verdict = verdict_public_get(pk=pk)
    if verdict is None:
        raise NotFound(f"No published verdict #{pk}.")
    return verdict


@extend_schema(
    tags=["verdicts"], responses={200: out.VerdictSerializer, 404: ErrorSerializer, **READ_ERRORS}
)
class VerdictDetailView(PublicReadView):
    """One published or retracted verdict."""

    def get(self, request: Request, pk: int) -> Response:
        verdict = verdict_links(request, verdict_or_404(pk))
        self.last_modified = verdict["updated_at"]
        return Response(verdict)


def ld_json(data: Any, *, status: int = 200) -> HttpResponse:
    return HttpResponse(orjson.dumps(data, default=str), content_type="application/ld+json")


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
        verdict = verdict_links(request, verdict_or_404(pk))
        if verdict["status"] == Verdict.Status.RETRACTED:
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
        return settled(verdict_public_queryset().filter(status=Verdict.Status.PUBLISHED))

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


@extend_schema(
    tags=["claims"],
    responses={200: out.ClaimSerializer(many=True), **READ_ERRORS},
)
class ClaimListView(PublicReadView):
    """Claims: anonymous callers see claims with a published or retracted verdict; staff (a token
    of a Reviewer, Editor or staff user) see all, filterable by `status` and `assignee`."""

    filterset_class = ClaimFilter
    pagination_class = KeysetPagination

    def get_queryset(self) -> QuerySet:
        return settled(claim_list(staff=is_staff(self.request)))

    def get(self, request: Request) -> Response:
        staff = is_staff(request)
        rows = self.paginate_queryset(self.filter_queryset(settled(claim_list(staff=staff))))
        self.note_modified(rows)
        claims = []
        for row in rows:
            claimant_id, claimant_name = row.pop("claimant_id"), row.pop("claimant_name")
            row["claimant"] = {"id": claimant_id, "name": claimant_name} if claimant_id else None
            if not staff:
                row["assignee_id"] = None
            row["verdict_url"] = (
                request.build_absolute_uri(reverse("api-verdict-detail", args=[row["verdict_id"]]))
                if row["verdict_id"]
                else None
            )
            claims.append(row)
        return self.get_paginated_response(claims)


@extend_schema(tags=["claims"], responses={200: out.ClaimantSerializer(many=True), **READ_ERRORS})
class ClaimantListView(PublicReadView):
    """Claimants (anonymous callers: those of public claims), by id."""

    queryset = Claimant.objects.none()  # for the schema; rows come from the selector

    pagination_class = IdPagination

    def get(self, request: Request) -> Response:
        rows = self.paginate_queryset(claimant_list(staff=is_staff(request)))
        return self.get_paginated_response(rows)


@extend_schema(tags=["claims"], responses={200: out.RatingSerializer(many=True), **READ_ERRORS})
class RatingListView(PublicReadView):
    """The published rating scale (methodology transparency), in order."""

    queryset = Rating.objects.none()  # for the schema; rows come from the selector

    def get(self, request: Request) -> Response:
        return Response(rating_list())


# --- Fact Check Tools-style search ---------------------------------------------------------------


OPENAPI_COUNT = {"type": "integer", "minimum": 0, "maximum": 100_000}
OPENAPI_OFFSET = {"type": "integer", "minimum": 0, "maximum": 10_000}
OPENAPI_PAGE_SIZE = {"type": "integer", "minimum": 1, "maximum": 500}


def _organization_site() -> str:
    return urlsplit(settings.FACTCHECK_ORGANIZATION_URL).hostname or ""


def _page_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o{offset}".encode()).decode().rstrip("=")


def _page_token_offset(token: str) -> int:
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        if not text.startswith("o"):
            raise ValueError(text)
        return int(text[1:])
    except (ValueError, UnicodeDecodeError):
        raise BadParameter("Invalid pageToken: not a token this API issued.") from None


def _factcheck_review(verdict: dict[str, Any]) -> dict[str, Any]:
    if verdict["publisher"]:
        publisher = verdict["publisher"]
        url = verdict["review_url"] or verdict["page_url"]
    else:
        publisher = {"name": settings.FACTCHECK_ORGANIZATION_NAME, "site": _organization_site()}
        url = verdict["page_url"]
    review: dict[str, Any] = {
        "publisher": publisher,
        "url": url,
        "textualRating": verdict["rating"]["label"]
        if verdict["rating"]
        else verdict["original_rating"],
    }
    if verdict["headline"]:
        review["title"] = verdict["headline"]
    if verdict["published_at"]:
        review["reviewDate"] = verdict["published_at"].isoformat().replace("+00:00", "Z")
    if verdict["claim"]["language"]:
        review["languageCode"] = verdict["claim"]["language"]
    return review


@extend_schema(
    tags=["factchecktools"],
    parameters=[
        OpenApiParameter("query", str, description="Text to search for (web-search syntax)."),
        OpenApiParameter("languageCode", str, description="BCP-47 language, e.g. en-US."),
        OpenApiParameter("reviewPublisherSiteFilter", str, description="Review publisher's site."),
        OpenApiParameter(
            "maxAgeDays", OPENAPI_COUNT, description="Reviews published in the last N days."
        ),
        OpenApiParameter(
            "pageSize", OPENAPI_PAGE_SIZE, description="Claims per page (default 10)."
        ),
        OpenApiParameter("pageToken", str, description="nextPageToken of the previous page."),
        OpenApiParameter(
            "offset", OPENAPI_OFFSET, description="Skip this many results (with no token)."
        ),
        OpenApiParameter("key", str, description="An API key (Google's clients send it)."),
        OpenApiParameter("alt", str, enum=["json"], description="Response format: json."),
    ],
    responses={200: out.FactCheckSearchSerializer, **READ_ERRORS},
)
class FactCheckSearchView(PublicReadView):
    """Google Fact Check Tools `claims:search`, answered from our published verdicts, newest
    review first, so clients written for Google's API work against this one."""

    def get(self, request: Request) -> Response:
        params = request.query_params
        query = params.get("query", "").strip()
        site = params.get("reviewPublisherSiteFilter", "").strip().lower()
        if not query and not site:
            raise BadParameter("Invalid query: give query or reviewPublisherSiteFilter.")
        if params.get("alt", "json") != "json":
            raise BadParameter("Invalid alt: only json is supported.")
        size = page_size_param(request, default=10, name="pageSize")
        max_age = int_param(request, "maxAgeDays", default=0, low=0, high=100_000)
        token = single_param(request, "pageToken")
        offset = (
            _page_token_offset(token)
            if token
            else int_param(request, "offset", default=0, low=0, high=10_000)
        )
        language = params.get("languageCode", "").split("-")[0].lower()

        verdicts = verdict_public_queryset().filter(status=Verdict.Status.PUBLISHED)
        if query:
            verdicts = verdict_search(queryset=verdicts, q=query, language=language)
        if language:
            verdicts = verdicts.filter(claim__language=language)
        if site:
            if site == _organization_site():
                verdicts = verdicts.filter(origin=Verdict.Origin.OWN)
            else:
                verdicts = verdicts.filter(publisher_site__iexact=site)
        if max_age:
            verdicts = verdicts.filter(published_at__gte=timezone.now() - timedelta(days=max_age))
        rows = verdict_public_rows(
            verdicts=verdicts.order_by("-published_at", "-id")[offset : offset + size + 1]
        )
        more = len(rows) > size
        claims: dict[int, dict[str, Any]] = {}
        links = VerdictLinks(request)
        for verdict in rows[:size]:
            links(verdict)
            claim = verdict["claim"]
            entry = claims.get(claim["id"])
            if entry is None:
                entry = claims[claim["id"]] = {"text": claim["text"], "claimReview": []}
                if claim["claimant"]:
                    entry["claimant"] = claim["claimant"]["name"]
                if claim["claim_date"]:
                    entry["claimDate"] = f"{claim['claim_date'].isoformat()}T00:00:00Z"
            entry["claimReview"].append(_factcheck_review(verdict))
        body: dict[str, Any] = {}
        if claims:
            body["claims"] = list(claims.values())
        if more:
            body["nextPageToken"] = _page_token(offset + size)
        return Response(body)


@extend_schema_view(get=extend_schema(operation_id="factchecktools_claims_search"))
class GoogleFactCheckSearchView(FactCheckSearchView):
    """`claims:search` at Google's own path, `/v1alpha1/claims:search`."""
