"""A verdict's public page: the organisation, the author's name, the claim's source, the
corrections and retraction note in order, OpenGraph and Twitter card metadata, the canonical
URL and ClaimReview markup, cacheable; in static CSS without inline scripts or styles."""

import html
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client

from claims.models import Claim, Verdict
from tests.api.helpers import full_verdict, verdict_correct, verdict_retract
from tests.factories import (
    ClaimFactory,
    PublishedVerdictFactory,
    SourceFactory,
    UserFactory,
    imported_review,
)

pytestmark = pytest.mark.django_db


def page(verdict: Verdict) -> str:
    response = Client().get(f"/verdicts/{verdict.pk}/")
    assert response.status_code == 200
    return response.content.decode()


class _ElementText(HTMLParser):
    """The text of the element with one id, as a reader sees it: block elements apart."""

    BLOCKS = {"p", "li", "blockquote", "div", "h1", "h2", "ol", "ul", "figcaption", "footer"}
    VOID = {"meta", "link", "br", "img", "input"}

    def __init__(self, element_id: str) -> None:
        super().__init__()
        self.element_id = element_id
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        if self.depth:
            self.depth += 1
        elif dict(attrs).get("id") == self.element_id:
            self.depth = 1
        if self.depth and tag in self.BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID or not self.depth:
            return
        self.depth -= 1
        if tag in self.BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.parts.append(data)


def text_of(page_html: str, element_id: str) -> str:
    """The text of the element with `element_id`, whitespace collapsed."""
    parser = _ElementText(element_id)
    parser.feed(page_html)
    assert parser.parts, f"no #{element_id}"
    return " ".join("".join(parser.parts).split())


def meta(page_html: str, key: str) -> str:
    found = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">', page_html)
    assert found is not None, key
    return html.unescape(found.group(1))


def test_the_page_names_the_organisation_and_links_home(settings: Any) -> None:
    settings.FACTCHECK_ORGANIZATION_NAME = "Harbour Fact Desk"
    settings.FACTCHECK_ORGANIZATION_URL = "https://harbour.example/"
    shown = page(full_verdict())
    assert '<a class="brand" href="/" id="site-name">Harbour Fact Desk</a>' in shown
    assert '<a href="https://harbour.example/">Harbour Fact Desk</a>' in shown
    assert meta(shown, "og:site_name") == "Harbour Fact Desk"


@pytest.mark.parametrize(
    ("first", "last", "byline"),
    [
        ("Rita", "Reyes", "Rita Reyes"),
        ("Rita", "", "Rita"),
        ("", "Reyes", "Reyes"),
        ("", "", "rita7"),
    ],
)
def test_the_byline_is_the_authors_name_and_the_username_only_without_one(
    first: str, last: str, byline: str
) -> None:
    author = UserFactory.create(username="rita7", first_name=first, last_name=last)
    shown = page(PublishedVerdictFactory.create(author=author))
    assert text_of(shown, "author") == byline


def test_the_claims_source_is_shown_with_its_title_and_link() -> None:
    source = SourceFactory.create(
        title="Senate debate, evening session.",
        url="https://news.example/debate",
        publisher="Daily News",
    )
    claim = ClaimFactory.create(source=source, status=Claim.Status.PUBLISHED)
    shown = page(PublishedVerdictFactory.create(claim=claim))
    assert (
        '<a href="https://news.example/debate" rel="nofollow noopener noreferrer">'
        "Senate debate, evening session.</a>" in shown
    )
    assert "Daily News" in text_of(shown, "source")


def test_no_period_is_doubled_after_a_claim_or_title_ending_in_one() -> None:
    body = "The minister ended the campaign. Other words follow here."
    source = SourceFactory.create(title="The minister ended the campaign.", body=body, url="")
    claim = ClaimFactory.create(source=source, status=Claim.Status.PUBLISHED)
    verdict = PublishedVerdictFactory.create(claim=claim, headline="", summary="It is false.")
    shown = page(verdict)
    assert claim.text.endswith(".")
    visible = html.unescape(re.sub(r"<[^>]+>", " ", shown))
    assert ".." not in visible and ". ." not in visible
    # A document whose title is the claim's own words says nothing more: no source line.
    assert 'id="source"' not in shown


def test_corrections_and_the_retraction_note_are_listed_in_order() -> None:
    verdict = verdict_correct(verdict=full_verdict(), note="The date was 3 May, not 4 May.")
    verdict = verdict_correct(verdict=verdict, note="Added the ministry's answer.")
    verdict = verdict_retract(verdict=verdict, note="The quote was not the senator's.")
    shown = page(verdict)
    notes = text_of(shown, "corrections")
    assert re.fullmatch(
        r"Correction, .+ The date was 3 May, not 4 May\. "
        r"Correction, .+ Added the ministry's answer\. "
        r"Retraction, .+ The quote was not the senator's\.",
        notes,
    ), notes
    assert text_of(shown, "corrections-heading") == "Corrections and retraction"
    assert "This verdict was retracted." in shown
    assert "application/ld+json" not in shown


def test_opengraph_twitter_card_and_canonical_url_describe_the_verdict() -> None:
    verdict = full_verdict()
    shown = page(verdict)
    url = f"http://testserver/verdicts/{verdict.pk}/"
    assert f'<link rel="canonical" href="{url}">' in shown
    assert meta(shown, "og:url") == url
    assert meta(shown, "og:type") == "article"
    assert meta(shown, "og:title") == "No, the sky is not green"
    assert meta(shown, "og:description") == verdict.summary
    assert meta(shown, "twitter:card") == "summary"
    assert meta(shown, "twitter:title") == "No, the sky is not green"
    assert verdict.published_at is not None
    assert meta(shown, "article:published_time") == verdict.published_at.isoformat()
    assert 'type="application/ld+json"' in shown


def test_an_imported_review_is_credited_to_its_fact_checker_with_their_rating() -> None:
    review = imported_review(rating="Pants on Fire", headline="No, the moon is rock")
    shown = page(review)
    assert text_of(shown, "byline").startswith("Reviewed by Check Desk, published here by")
    assert 'href="https://checkdesk.example/reviews/moon"' in shown
    assert text_of(shown, "original-rating") == "Check Desk rated it “Pants on Fire”"
    assert 'id="author"' not in shown


def test_the_page_is_cacheable_with_last_modified_and_answers_304() -> None:
    verdict = full_verdict()
    client = Client()
    first = client.get(f"/verdicts/{verdict.pk}/")
    assert first["Cache-Control"] == "public, max-age=60"
    assert (
        client.get(f"/verdicts/{verdict.pk}/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    )
    again = client.get(f"/verdicts/{verdict.pk}/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 304


def test_public_pages_carry_no_inline_script_handler_or_style() -> None:
    verdict = full_verdict()
    for url in ("/", f"/verdicts/{verdict.pk}/"):
        shown = Client().get(url).content.decode()
        scripts = re.findall(r"<script([^>]*)>", shown)
        assert all('type="application/ld+json"' in attrs for attrs in scripts), url
        assert not re.search(r"\son[a-z]+=", shown), url
        assert "style=" not in shown and "<style" not in shown, url
        assert '<link rel="stylesheet" href="/static/claims/site.css">' in shown, url


def test_an_unknown_verdict_is_an_html_404_page() -> None:
    response = Client().get("/verdicts/999999/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
