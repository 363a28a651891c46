"""The public HTML page of a verdict, for newsrooms without a CMS integration."""

import orjson
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from claims.claimreview import claimreview_build
from claims.selectors import verdict_is_public, verdict_public_get
from factcheck.replicas import public_read

# Inside <script>, "</script>" or "<!--" in the data would end the element early.
_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


@require_safe
@public_read
def verdict_page(request: HttpRequest, pk: int) -> HttpResponse:
    verdict = verdict_public_get(pk=pk)
    if verdict is None:
        raise Http404(f"No published verdict #{pk}.")
    url = request.build_absolute_uri(reverse("verdict-page", args=[pk]))
    claimreview = None
    if verdict_is_public(verdict["status"], in_force=True):
        data = orjson.dumps(claimreview_build(verdict=verdict, url=url), default=str).decode()
        claimreview = mark_safe(data.translate(_SCRIPT_ESCAPES))
    response = render(
        request,
        "claims/verdict_page.html",
        {"verdict": verdict, "claimreview": claimreview, "url": url},
    )
    response["Cache-Control"] = "public, max-age=60"
    return response
