"""Public read endpoints: verdicts, claims, claimants, ratings, ClaimReview and claims:search.

Views parse parameters (django-filter, 400 naming a bad one), call a selector and render plain
dicts with orjson. Responses carry Last-Modified; ConditionalGetMiddleware adds the ETag and
answers If-None-Match / If-Modified-Since with 304.
"""

import base64
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import django_filters
import orjson
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date
from django_filters.fields import IsoDateTimeField
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import BasePagination
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from claims.api import serializers as out
from claims.api.auth import AnonymousThrottle, ApiKeyAuthentication, ApiKeyThrottle
from claims.claimreview import claimreview_build, claimreview_feed_item
from claims.exports import verdict_csv_lines
from claims.models import Claim, Claimant, Rating, Verdict
from claims.roles import user_is_staff
from claims.selectors import (
    claim_list,
    claimant_list,
    cursor_decode,
    cursor_encode,
    keyset_after,
    rating_list,
    verdict_public_get,
    verdict_public_iter,
    verdict_public_queryset,
    verdict_public_rows,
    verdict_search,
)
from factcheck.errors import BadParameter

# Every read can answer a bad parameter (400) or a throttled caller (429).
ERRORS = {400: out.ErrorSerializer, 401: out.ErrorSerializer, 429: out.ErrorSerializer}


class ORJSONRenderer(BaseRenderer):
    media_type = "application/json"
    format = "json"
    charset = None

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context=None):
        if data is None:
            return b""
        return orjson.dumps(data, default=str)


class CSVRenderer(BaseRenderer):
    """Selects `?format=csv`; the verdict list streams the CSV itself, other views refuse it."""

    media_type = "text/csv"
    format = "csv"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context=None):
        return orjson.dumps(data, default=str)


def is_staff(request: Request) -> bool:
    return user_is_staff(request.user)


def single_param(request: Request, name: str) -> str | None:
    """The one value of parameter `name`, or None when absent; given twice or empty is a 400."""
    values = request.query_params.getlist(name)
    if not values:
        return None
    if len(values) > 1:
        raise BadParameter(f"Invalid {name}: give it once.")
    if values[0] == "":
        raise BadParameter(f"Invalid {name}: give a value or leave the parameter out.")
    return values[0]


def parse_page_size(request: Request, *, default: int, name: str = "page_size") -> int:
    raw = single_param(request, name)
    if raw is None:
        return default
    try:
        size = int(raw)
    except ValueError:
        raise BadParameter(f"Invalid {name}: {raw!r} is not an integer.") from None
    if not 1 <= size <= settings.API_MAX_PAGE_SIZE:
        raise BadParameter(f"Invalid {name}: must be between 1 and {settings.API_MAX_PAGE_SIZE}.")
    return size


def settled(queryset: QuerySet) -> QuerySet:
    """Rows changed at least API_SYNC_LAG_SECONDS ago. `updated_at` is stamped before its
    transaction commits, so a row can appear after a consumer has paged past its time; serving
    only rows older than any write transaction lasts makes "every change exactly once" hold
    under concurrent writes. Details are not delayed."""
    if settings.API_SYNC_LAG_SECONDS <= 0:
        return queryset
    cutoff = timezone.now() - timedelta(seconds=settings.API_SYNC_LAG_SECONDS)
    # The cutoff as an InitPlan, `(SELECT $n)`: PostgreSQL cannot see its value when planning,
    # so its estimate is the same whether the plan is made for this value or for any. That
    # lets a prepared page query run on its generic plan instead of being planned afresh each
    # time (it saw "every row is older than now" and judged the generic plan dearer): planning
    # took longer (1.6 ms) than running the query. The index still serves the comparison.
    return queryset.filter(updated_at__lt=RawSQL("SELECT %s::timestamptz", (cutoff,)))


class KeysetPagination(BasePagination):
    """Cursor pagination on a unique ascending key (updated_at, id): pages never skip or repeat a
    row, and a deep page costs what the first one does (an index range scan from the cursor).
    It never counts the table."""

    page_size = 50

    def __init__(self, fields: tuple[str, ...] = ("updated_at", "id")) -> None:
        self.fields = fields
        self.next_url: str | None = None

    def paginate_queryset(self, queryset: QuerySet, request: Request, view=None) -> list[dict]:
        size = parse_page_size(request, default=self.page_size)
        token = single_param(request, "cursor")
        if token:
            position = cursor_decode(token=token, fields=self.fields)
            queryset = keyset_after(queryset=queryset, fields=self.fields, values=position)
        rows = self.fetch(queryset[: size + 1])
        if len(rows) > size:
            rows = rows[:size]
            last = tuple(rows[-1][field] for field in self.fields)
            url = request.build_absolute_uri()
            self.next_url = replace_query_param(url, "cursor", cursor_encode(last))
        return rows

    def fetch(self, queryset: QuerySet) -> list[dict[str, Any]]:
        """The rows of one page (`queryset` already sliced)."""
        return list(queryset)

    def get_paginated_response(self, data: list) -> Response:
        return Response({"next": self.next_url, "results": data})

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {"type": "string", "format": "uri", "nullable": True},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": "cursor",
                "in": "query",
                "required": False,
                "description": "The `next` link's cursor: continue after the last row seen.",
                "schema": {"type": "string"},
            },
            {
                "name": "page_size",
                "in": "query",
                "required": False,
                "description": f"Rows per page, 1..{settings.API_MAX_PAGE_SIZE} (default 50).",
                "schema": {"type": "integer", "minimum": 1, "maximum": settings.API_MAX_PAGE_SIZE},
            },
        ]


class VerdictPagination(KeysetPagination):
    def fetch(self, queryset: QuerySet) -> list[dict[str, Any]]:
        return verdict_public_rows(verdicts=queryset)


class IdPagination(KeysetPagination):
    def __init__(self) -> None:
        super().__init__(fields=("id",))


class NamedFilterBackend(DjangoFilterBackend):
    """django-filter, applied when the request names one of the filter set's parameters. One
    that names none would filter nothing (every filter skips an absent value), but building and
    validating its form was a tenth of a list page: the first page of a full sync and every
    `next` page after it name only `cursor` and `page_size`."""

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None or not any(
            name in request.query_params for name in filterset_class.base_filters
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)


class PublicReadView(GenericAPIView):
    """Reads anyone may make: API keys, staff tokens, sessions; throttled; cacheable."""

    filter_backends = [NamedFilterBackend]
    authentication_classes = [ApiKeyAuthentication, TokenAuthentication, SessionAuthentication]
    permission_classes = [AllowAny]
    throttle_classes = [AnonymousThrottle, ApiKeyThrottle]
    renderer_classes = [ORJSONRenderer]
    last_modified: datetime | None = None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # PostgreSQL text cannot hold NUL: refuse it here, naming the parameter, for every
        # parameter (the free-text ones reach SQL without a form field's own check).
        for name, values in request.query_params.lists():
            if any("\x00" in value for value in values):
                raise BadParameter(f"Invalid {name}: contains a NUL character.")
        single_param(request, "format")  # empty or given twice: 400, not the default silently
        super().initial(request, *args, **kwargs)

    def perform_content_negotiation(self, request: Request, force: bool = False):
        try:
            return super().perform_content_negotiation(request, force)
        except Http404:  # DRF's answer to an unknown ?format=
            formats = ", ".join(r.format for r in self.get_renderers())
            raise BadParameter(f"Invalid format: use one of {formats}.") from None

    def finalize_response(self, request: Request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code < 400 and request.method in ("GET", "HEAD"):
            if getattr(request, "user", None) is not None and request.user.is_authenticated:
                response["Cache-Control"] = "private, no-cache"
            else:
                response["Cache-Control"] = f"public, max-age={settings.API_CACHE_SECONDS}"
            if self.last_modified is not None:
                response["Last-Modified"] = http_date(self.last_modified.timestamp())
        patch_vary_headers(response, ("Accept", "Authorization", "Cookie"))
        return response

    def note_modified(self, rows: list[dict[str, Any]], field: str = "updated_at") -> None:
        if rows:
            self.last_modified = max(row[field] for row in rows)


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


class UtcDateTimeField(IsoDateTimeField):
    """ISO 8601, converted to UTC: PostgreSQL refuses offsets beyond ±15:59, and a moment near
    year 1 or 9999 may not exist in UTC at all, so both become a 400 here instead of a 500."""

    def to_python(self, value: Any) -> datetime | None:
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(UTC)
        except OverflowError:
            raise ValidationError("Out of range once converted to UTC.", code="invalid") from None


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


class StrictFilterSet(django_filters.FilterSet):
    """A parameter given with an empty value is a mistake (400 naming it), not "no filter"."""

    def get_form_class(self) -> type:
        # The form class depends only on the filter set's class (no filter here depends on the
        # request), so it is built once per process: django-filter builds it, labels and all,
        # on every request, which was a tenth of a verdict list page's time. Each request still
        # gets its own form instance and fields.
        form_class = type(self).__dict__.get("_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            type(self)._form_class = form_class
        return form_class

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for name in self.filters:
            if name not in self.data:
                continue
            if len(self.data.getlist(name)) > 1:
                self.form.add_error(name, "Give it once.")
                valid = False
            elif self.data[name] == "":
                self.form.add_error(name, "Give a value or leave the parameter out.")
                valid = False
        return valid


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
        **ERRORS,
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
            parse_page_size(request, default=KeysetPagination.page_size)
            token = single_param(request, "cursor")
            if token:
                position = cursor_decode(token=token, fields=("updated_at", "id"))
                queryset = keyset_after(
                    queryset=queryset, fields=("updated_at", "id"), values=position
                )
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
    tags=["verdicts"], responses={200: out.VerdictSerializer, 404: out.ErrorSerializer, **ERRORS}
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
        404: out.ErrorSerializer,
        410: out.ErrorSerializer,
        **ERRORS,
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
    responses={(200, "application/ld+json"): OpenApiTypes.OBJECT, **ERRORS},
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
    responses={200: out.ClaimSerializer(many=True), **ERRORS},
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


@extend_schema(tags=["claims"], responses={200: out.ClaimantSerializer(many=True), **ERRORS})
class ClaimantListView(PublicReadView):
    """Claimants (anonymous callers: those of public claims), by id."""

    queryset = Claimant.objects.none()  # for the schema; rows come from the selector

    pagination_class = IdPagination

    def get(self, request: Request) -> Response:
        rows = self.paginate_queryset(claimant_list(staff=is_staff(request)))
        return self.get_paginated_response(rows)


@extend_schema(tags=["claims"], responses={200: out.RatingSerializer(many=True), **ERRORS})
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


def _int_param(request: Request, name: str, *, default: int, low: int, high: int) -> int:
    raw = single_param(request, name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(f"Invalid {name}: {raw!r} is not an integer.") from None
    if not low <= value <= high:
        raise BadParameter(f"Invalid {name}: must be between {low} and {high}.")
    return value


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
    responses={200: out.FactCheckSearchSerializer, **ERRORS},
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
        size = _int_param(request, "pageSize", default=10, low=1, high=settings.API_MAX_PAGE_SIZE)
        max_age = _int_param(request, "maxAgeDays", default=0, low=0, high=100_000)
        token = single_param(request, "pageToken")
        offset = (
            _page_token_offset(token)
            if token
            else _int_param(request, "offset", default=0, low=0, high=10_000)
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
