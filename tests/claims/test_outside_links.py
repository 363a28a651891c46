"""Stored XSS through URLs from outside: a `javascript:` ClaimReview url or RSS link that reached
the database (stored before the importers checked URLs, or typed in by hand) is never rendered
as a link, never handed on in JSON-LD, and every page carries a Content-Security-Policy that
would not run an inline script anyway."""

import re
from typing import Any

import orjson
import pytest
from django.core.cache import cache
from django.template import Context, Template
from django.test import Client
from django.urls import reverse

from claims.models import Citation, ClaimMatch, Verdict
from sources.models import Source
from tests.factories import ClaimFactory, PublishedVerdictFactory, imported_review

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "javascript:alert(document.cookie)",
    "JavaScript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "http://127.0.0.1\\@example.org/",
]
SCRIPT_HREF = re.compile(r"""href\s*=\s*["']?\s*(javascript|data|vbscript):""", re.IGNORECASE)


@pytest.fixture(autouse=True)
def _api_reads_at_once(settings: Any) -> None:
    settings.API_SYNC_LAG_SECONDS = 0  # lists show a change at once, not after the sync lag
    cache.clear()  # no throttle counts from an earlier test


def assert_strict_csp(response: object) -> None:
    policy = response["Content-Security-Policy"]  # type: ignore[index]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_safe_url_renders_a_hostile_url_as_plain_text(payload: str) -> None:
    template = Template(
        "{% load safe_links %}{% with href=url|safe_url %}{% if href %}"
        '<a href="{{ href }}">x</a>{% else %}{{ url }}{% endif %}{% endwith %}'
    )
    html = template.render(Context({"url": payload}))
    assert "<a " not in html


def test_safe_url_keeps_a_plain_web_url() -> None:
    url = "https://checkdesk.example/reviews/moon?x=1"
    assert Template("{% load safe_links %}{{ url|safe_url }}").render(Context({"url": url})) == (
        "https://checkdesk.example/reviews/moon?x=1"
    )


def test_checked_before_panel_shows_a_javascript_review_url_as_text(admin_client: Client) -> None:
    earlier = imported_review()
    Verdict.objects.filter(pk=earlier.pk).update(review_url=PAYLOADS[0])
    claim = ClaimFactory.create()
    ClaimMatch.objects.create(
        claim=claim,
        matched=earlier.claim,
        kind=ClaimMatch.Kind.DUPLICATE,
        score=1.0,
        status=ClaimMatch.Status.CONFIRMED,
    )

    response = admin_client.get(reverse("admin:claims_claim_change", args=[claim.pk]))

    html = response.content.decode()
    panel = html.split('id="claim-matches"')[1]
    assert "Checked before:" in panel
    assert "review: javascript:alert(document.cookie)" in panel
    assert not SCRIPT_HREF.search(html)
    assert_strict_csp(response)


def test_imported_review_page_shows_a_javascript_review_url_as_text(admin_client: Client) -> None:
    verdict = imported_review()
    Verdict.objects.filter(pk=verdict.pk).update(review_url=PAYLOADS[0])

    response = admin_client.get(reverse("admin:claims_claim_change", args=[verdict.claim_id]))

    html = response.content.decode()
    review = html.split('id="verdict-review-url">')[1].split("</dd>")[0]
    assert review == "javascript:alert(document.cookie)"
    assert not SCRIPT_HREF.search(html)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_verdict_page_never_links_a_hostile_source_or_citation(
    client: Client, payload: str
) -> None:
    verdict = PublishedVerdictFactory.create()
    # An RSS entry's link becomes the claim's source URL.
    Source.objects.filter(pk=verdict.claim.source_id).update(url=payload, title="")
    Citation.objects.create(verdict=verdict, url=payload, quote="Quoted.")

    response = client.get(reverse("verdict-page", args=[verdict.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert not SCRIPT_HREF.search(html)
    assert f'href="{payload}' not in html
    data = orjson.loads(html.split('<script type="application/ld+json">')[1].split("</script>")[0])
    appearance = data["itemReviewed"]["appearance"][0]
    assert "url" not in appearance
    assert data["url"].startswith("http://testserver/verdicts/")
    assert_strict_csp(response)


def test_claimreview_of_an_imported_review_never_carries_a_javascript_url(client: Client) -> None:
    verdict = imported_review()
    Verdict.objects.filter(pk=verdict.pk).update(review_url=PAYLOADS[0])
    Source.objects.filter(pk=verdict.claim.source_id).update(url=PAYLOADS[0])

    response = client.get(reverse("api-verdict-claimreview", args=[verdict.pk]))

    data = response.json()
    assert data["url"].startswith("http://testserver/")
    assert "url" not in data["itemReviewed"]["appearance"][0]
    assert "javascript:" not in response.content.decode()
    feed = client.get(reverse("api-claimreview-feed"))
    body = b"".join(feed.streaming_content).decode()  # type: ignore[attr-defined]
    assert verdict.claim.text in body
    assert "javascript:" not in body


def test_fact_check_search_never_answers_a_javascript_review_url(client: Client) -> None:
    verdict = imported_review("The moon is made of green cheese.")
    Verdict.objects.filter(pk=verdict.pk).update(review_url=PAYLOADS[0])

    response = client.get(reverse("api-claims-search"), {"query": "moon cheese"})

    [claim] = response.json()["claims"]
    assert claim["claimReview"][0]["url"].startswith("http://testserver/")


@pytest.mark.parametrize(
    "path", ["/admin/login/", "/api/v1/docs/", "/api/v1/verdicts/", "/healthz"]
)
def test_every_response_carries_the_content_security_policy(client: Client, path: str) -> None:
    response = client.get(path)
    assert_strict_csp(response)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
