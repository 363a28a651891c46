"""ClaimReview documents (DataFeed, JSON, HTML with JSON-LD) imported as reviewed claims."""

from pathlib import Path

import pytest

from claims.models import Claim, Verdict
from sources.imports.claimreview import source_import_claimreview
from tests.conftest import DATA
from tests.sources.conftest import command_json

pytestmark = pytest.mark.django_db


def test_import_claimreview_datafeed_tolerates_real_feed_quirks() -> None:
    summary, code = command_json("import_claimreview", str(DATA / "claimreview_datafeed.json"))

    assert code == 1
    assert summary["claims_created"] == 2
    errors = sorted(f["error"] for f in summary["files"] if f["status"] == "failed")
    assert errors == [
        "claimReviewed is missing or empty",
        "datePublished is not a date: 'not a date at all'",
    ]
    cheese = Verdict.objects.get(review_url="https://checker.example/reviews/1")
    assert cheese.rating is not None and cheese.rating.slug == "pants-on-fire"
    assert cheese.original_rating == "Pants on Fire!"
    assert (cheese.publisher_name, cheese.publisher_site) == ("Checker", "checker.example")
    assert cheese.claim.claimant is not None and cheese.claim.claimant.name == "Wallace"
    assert str(cheese.claim.claim_date) == "2024-03-01"
    assert cheese.claim.source.origin == "https://news.example/cheese"
    numeric = Verdict.objects.get(review_url="https://checker.example/reviews/2")
    assert numeric.original_rating == "2"
    # 2 of 1..5 scaled onto our 1..6
    assert numeric.rating is not None and numeric.rating.slug == "false"
    assert numeric.claim.claimant is not None and numeric.claim.claimant.name == "Senator Smith"


def test_import_claimreview_from_html_json_ld_and_again_creates_nothing() -> None:
    raw = (DATA / "claimreview_page.html").read_bytes()
    run = source_import_claimreview(raw=raw, origin="page.html", trusted=True)
    assert run.claims_created == 1
    verdict = Verdict.objects.get()
    assert verdict.rating is not None and verdict.rating.slug == "false"
    assert verdict.claim.language == "es"

    again = source_import_claimreview(raw=raw, origin="page.html", trusted=True)
    assert (again.claims_created, again.items_unchanged) == (0, 1)
    assert Claim.objects.count() == 1


def test_import_claimreview_rejects_a_document_without_reviews(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"@type": "WebPage"}')
    summary, code = command_json("import_claimreview", str(path))
    assert code == 1
    assert summary["files"][0]["error"] == "no ClaimReview objects found"
