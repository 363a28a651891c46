"""The public site: the latest verdicts with search and filters, and one page per verdict, for
readers and for newsrooms without a CMS integration. Read only, cacheable, one rule for what is
public (claims.selectors)."""

import math
from collections.abc import Callable
from functools import wraps
from typing import Any

import orjson
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import http_date
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from claims.claimreview import claimreview_build
from claims.selectors import (
    rating_list,
    verdict_is_public,
    verdict_public_get,
    verdict_public_latest,
)
from claims.site import (
    PAGE_SIZE,
    VerdictListForm,
    corrections_heading,
    corrections_shown,
    page_cursor,
    rating_tone,
    source_shown,
)
from factcheck.replicas import public_read
from factcheck.throttling import public_read_wait

# Inside <script>, "</script>" or "<!--" in the data would end the element early.
_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def _cacheable(response: HttpResponse) -> HttpResponse:
    """Public pages say nothing about who asks: any cache may keep them SITE_CACHE_SECONDS.
    ConditionalGetMiddleware adds the ETag and answers If-None-Match with 304."""
    response["Cache-Control"] = f"public, max-age={settings.SITE_CACHE_SECONDS}"
    return response


def throttled(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The view, within the per-client limit every public read has (factcheck.throttling):
    over it, a 429 page saying when to come back, with Retry-After."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        wait = public_read_wait(request)
        if wait is None:
            return view(request, *args, **kwargs)
        seconds = max(1, math.ceil(wait))
        response = render(
            request,
            "claims/too_many.html",
            {"seconds": seconds, "organization": _organization()},
            status=429,
        )
        response["Retry-After"] = str(seconds)
        return response

    return wrapped


@require_safe
@throttled
@public_read
def home(request: HttpRequest) -> HttpResponse:
    """The latest public verdicts, newest first, PAGE_SIZE a page (keyset: the `after` cursor),
    narrowed by a web search and by rating, claimant, source and date. A filter that does not
    parse is shown with its error and a 400, never silently dropped."""
    form = VerdictListForm(request.GET, ratings=rating_list())
    rows: list[dict[str, Any]] = []
    next_page = ""
    valid = form.is_valid()
    if valid:
        language = settings.LANGUAGE_CODE.split("-")[0]
        found = verdict_public_latest(limit=PAGE_SIZE + 1, language=language, **form.selection())
        rows = found[:PAGE_SIZE]
        if len(found) > PAGE_SIZE:
            next_page = _query(request, after=page_cursor(rows[-1]))
    for row in rows:
        row["tone"] = rating_tone(row["rating"])
    data = form.cleaned_data if valid else {}
    response = render(
        request,
        "claims/home.html",
        {
            "form": form,
            "verdicts": rows,
            "next_page": next_page,
            "first_page": _query(request, after=None),
            "paged": bool(data.get("after")),
            "searching": any(data.get(name) for name in ("q", "rating", "since", "until")),
            "claimant": _narrowed(request, rows, "claimant") if data.get("claimant") else None,
            "source": _narrowed(request, rows, "source") if data.get("source") else None,
            "hidden_errors": [
                f"{_HIDDEN_FIELDS[name]}: {' '.join(str(e) for e in form.errors[name])}"
                for name in _HIDDEN_FIELDS
                if name in form.errors
            ],
            "home_url": request.build_absolute_uri(reverse("site-home")),
            "organization": _organization(),
        },
        status=200 if valid else 400,
    )
    return _cacheable(response)


# Parameters the page's links set rather than its form fields: their errors are named apart.
_HIDDEN_FIELDS = {"claimant": "Claimant", "source": "Source", "after": "Page"}


def _query(request: HttpRequest, **changes: str | None) -> str:
    """This page's query string with `changes` (None drops a parameter): a link that keeps
    every other filter."""
    query = request.GET.copy()
    for name, value in changes.items():
        if value is None:
            query.pop(name, None)
        else:
            query[name] = value
    return f"?{query.urlencode()}" if query else reverse("site-home")


def _narrowed(request: HttpRequest, rows: list[dict[str, Any]], name: str) -> dict[str, str]:
    """The claimant or source the list is narrowed to: its name, read from the rows (no query
    of its own; every row has it), and the link that drops that filter."""
    label = f"#{request.GET[name]}"
    if rows:
        claim = rows[0]["claim"]
        if name == "claimant" and claim["claimant"]:
            label = claim["claimant"]["name"]
        elif name == "source":
            label = claim["source"]["title"] or label
    return {"label": label, "drop": _query(request, **{name: None, "after": None})}


def _organization() -> dict[str, str]:
    return {
        "name": settings.FACTCHECK_ORGANIZATION_NAME,
        "url": settings.FACTCHECK_ORGANIZATION_URL,
    }


@require_safe
@throttled
@public_read
def verdict_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One public verdict: the claim, its source, the rating and the review, its corrections and
    retraction note in order, the byline, OpenGraph and Twitter card metadata, and, while the
    verdict is in force, its ClaimReview JSON-LD (a retracted verdict's markup is withdrawn)."""
    verdict = verdict_public_get(pk=pk)
    if verdict is None:
        raise Http404(f"No published verdict #{pk}.")
    url = request.build_absolute_uri(reverse("verdict-page", args=[pk]))
    corrections = corrections_shown(verdict["corrections"])
    claimreview = None
    if verdict_is_public(verdict["status"], in_force=True):
        data = orjson.dumps(claimreview_build(verdict=verdict, url=url), default=str).decode()
        claimreview = mark_safe(data.translate(_SCRIPT_ESCAPES))
    response = render(
        request,
        "claims/verdict_page.html",
        {
            "verdict": verdict,
            "claimreview": claimreview,
            "url": url,
            "tone": rating_tone(verdict["rating"]),
            "corrections": corrections,
            "corrections_heading": corrections_heading(corrections),
            "source": source_shown(verdict["claim"]),
            "organization": _organization(),
        },
    )
    response["Last-Modified"] = http_date(verdict["updated_at"].timestamp())
    return _cacheable(response)
