"""Google Fact Check Tools' `claims:search`: Google's parameters and answer shapes, at our path
and at Google's own, so Google's client libraries work against this service."""

import base64
import re
from typing import Any

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.request import Request
from rest_framework.response import Response

from claims.api.serializers import FactCheckSearchSerializer
from claims.api.verdicts import VerdictLinks
from claims.claimreview import claimreview_organization_site
from claims.selectors import verdict_factcheck_search
from factcheck.api.errors import READ_ERRORS
from factcheck.api.params import int_param, page_size_param, single_param
from factcheck.api.views import PublicReadView
from factcheck.errors import BadParameter
from factcheck.links import web_url_or_empty

MAX_AGE_DAYS = 100_000
MAX_OFFSET = 10_000


def _page_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o{offset}".encode()).decode().rstrip("=")


# What _page_token writes: "o" and the offset in ASCII digits (int() alone would also take a
# sign, spaces, underscores and other scripts' digits).
_TOKEN_TEXT = re.compile(r"o(0|[1-9][0-9]{0,5})")


def _page_token_offset(token: str) -> int:
    """The offset a token of ours names; BadParameter for anything else, and for an offset past
    MAX_OFFSET (a token is as bounded as the `offset` parameter)."""
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("ascii")
    except ValueError:  # binascii.Error and UnicodeDecodeError are ValueErrors
        text = ""
    found = _TOKEN_TEXT.fullmatch(text)
    if found is None:
        raise BadParameter("Invalid pageToken: not a token this API issued.")
    offset = int(found.group(1))
    if offset > MAX_OFFSET:
        raise BadParameter(
            f"Invalid pageToken: results past the first {MAX_OFFSET:,} are not served."
        )
    return offset


def _factcheck_review(verdict: dict[str, Any]) -> dict[str, Any]:
    """One public verdict as a Fact Check Tools ClaimReview."""
    if verdict["publisher"]:
        publisher = verdict["publisher"]
        url = web_url_or_empty(verdict["review_url"]) or verdict["page_url"]
    else:
        publisher = {
            "name": settings.FACTCHECK_ORGANIZATION_NAME,
            "site": claimreview_organization_site(),
        }
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


def _integer(low: int, high: int) -> dict[str, Any]:
    return {"type": "integer", "minimum": low, "maximum": high}


@extend_schema(
    tags=["factchecktools"],
    parameters=[
        OpenApiParameter("query", str, description="Text to search for (web-search syntax)."),
        OpenApiParameter("languageCode", str, description="BCP-47 language, e.g. en-US."),
        OpenApiParameter("reviewPublisherSiteFilter", str, description="Review publisher's site."),
        OpenApiParameter(
            "maxAgeDays",
            _integer(0, MAX_AGE_DAYS),
            description="Reviews published in the last N days.",
        ),
        OpenApiParameter(
            "pageSize",
            _integer(1, settings.API_MAX_PAGE_SIZE),
            description="Claims per page (default 10).",
        ),
        OpenApiParameter("pageToken", str, description="nextPageToken of the previous page."),
        OpenApiParameter(
            "offset", _integer(0, MAX_OFFSET), description="Skip this many results (with no token)."
        ),
        OpenApiParameter("key", str, description="An API key (Google's clients send it)."),
        OpenApiParameter("alt", str, enum=["json"], description="Response format: json."),
    ],
    responses={200: FactCheckSearchSerializer, **READ_ERRORS},
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
        max_age = int_param(request, "maxAgeDays", default=0, low=0, high=MAX_AGE_DAYS)
        token = single_param(request, "pageToken")
        offset = (
            _page_token_offset(token)
            if token
            else int_param(request, "offset", default=0, low=0, high=MAX_OFFSET)
        )
        language = params.get("languageCode", "").split("-")[0].lower()

        rows = verdict_factcheck_search(
            query=query,
            language=language,
            publisher_site=site,
            max_age_days=max_age,
            offset=offset,
            limit=size + 1,  # one more tells whether there is a next page
        )
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
        if len(rows) > size and offset + size <= MAX_OFFSET:
            body["nextPageToken"] = _page_token(offset + size)
        return Response(body)


@extend_schema_view(get=extend_schema(operation_id="factchecktools_claims_search"))
class GoogleFactCheckSearchView(FactCheckSearchView):
    """`claims:search` at Google's own path, `/v1alpha1/claims:search`."""
