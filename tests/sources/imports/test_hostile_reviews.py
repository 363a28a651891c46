"""ClaimReview documents and feeds holding hostile items beside good ones: script URLs are
refused per item, unstorable characters are cleaned, nesting is bounded, and every good item
is stored once."""

import json

import pytest

from claims.models import Claim, Verdict
from sources.imports.claimreview import source_import_claimreview
from sources.imports.feeds import feed_poll
from sources.models import Feed, ImportRun, Source
from tests.local_http import Handler

pytestmark = pytest.mark.django_db


def review(n: int, text: str, url: str, **extra: object) -> dict[str, object]:
    return {
        "@type": "ClaimReview",
        "url": url,
        "claimReviewed": text,
        "author": {"@type": "Organization", "name": "Checker", "url": "https://checker.example"},
        "reviewRating": {"@type": "Rating", "alternateName": "False"},
        **extra,
    }


def test_script_urls_and_unstorable_text_in_claimreview_items_fail_or_are_cleaned_per_item() -> (
    None
):
    items = [
        review(1, "The moon is made of cheese.", "https://checker.example/1"),
        review(2, "Click me.", "javascript:alert(document.cookie)"),
        review(3, "Click me too.", " JavaScript:alert(1)"),
        review(4, "Or me.", "data:text/html,<script>alert(1)</script>"),
        review(
            5,
            "An appearance that runs script.",
            "https://checker.example/5",
            itemReviewed={"@type": "Claim", "appearance": {"url": "javascript:alert(1)"}},
        ),
        review(6, "Taxes\u0000 rose by \ud800 half.", "https://checker.example/6"),
        review(7, "A claim " * 1000, "https://checker.example/7"),
        review(8, "Crime fell by 5%.", "https://checker.example/8"),
    ]
    raw = json.dumps({"@type": "DataFeed", "dataFeedElement": items}).encode()

    run = source_import_claimreview(raw=raw, origin="feed.json", trusted=True)

    assert run.status == ImportRun.Status.PARTIAL and run.finished_at is not None
    assert (run.claims_created, run.items_failed) == (3, 5)
    errors = [i["error"] for i in run.items if i["status"] == "failed"]
    assert errors[0].startswith("review URL refused: 'javascript:alert(document.cookie)'")
    assert errors[1].startswith("review URL refused: 'JavaScript:alert(1)': only http and https")
    assert errors[2].startswith("review URL refused: 'data:text/html")
    assert errors[3].startswith("appearance URL refused: 'javascript:alert(1)'")
    assert errors[4] == "the claim is 7,999 characters long, over 5,000"
    assert set(Claim.objects.values_list("text", flat=True)) == {
        "The moon is made of cheese.",
        "Taxes rose by \ufffd half.",
        "Crime fell by 5%.",
    }
    assert set(Verdict.objects.values_list("review_url", flat=True)) == {
        "https://checker.example/1",
        "https://checker.example/6",
        "https://checker.example/8",
    }

    again = source_import_claimreview(raw=raw, origin="feed.json", trusted=True)
    assert (again.claims_created, again.items_unchanged, again.items_failed) == (0, 3, 5)


@pytest.mark.parametrize("depth", [100, 100_000])
def test_claimreview_json_nested_too_deep_fails_the_document_with_the_reason(depth: int) -> None:
    raw = b"[" * depth + b"]" * depth

    run = source_import_claimreview(raw=raw, origin="deep.json", trusted=True)

    assert run.status == ImportRun.Status.FAILED and run.finished_at is not None
    assert run.items[0]["error"] == "invalid JSON: nested deeper than 64 levels"


def test_a_claimreview_item_with_an_integer_too_long_to_read_fails_the_document() -> None:
    raw = b'[{"@type": "ClaimReview", "n": ' + b"9" * 5000 + b"}]"

    run = source_import_claimreview(raw=raw, origin="digits.json", trusted=True)

    assert run.status == ImportRun.Status.FAILED
    assert run.items[0]["error"].startswith("invalid JSON: ")


def feed(base: str, entries: list[tuple[str, str]]) -> bytes:
    body = "".join(
        f"<item><title>{title}</title><link>{link}</link><description>"
        f"{'The budget rose by 3 percent last year, the minister said. ' * 10}"
        "</description></item>"
        for title, link in entries
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel>{body}</channel></rss>'.encode()


def test_script_links_in_a_feed_are_refused_per_entry_and_good_entries_are_stored(
    server: str,
) -> None:
    entries = [
        ("Good", f"{server}/good"),
        ("Script", "javascript:alert(document.cookie)"),
        ("Data", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="),
        ("Backslash", f"http://127.0.0.1:{server.rsplit(':', 1)[1]}\\@8.8.8.8/x"),
    ]
    Handler.routes = {"/feed.xml": (200, "application/rss+xml", feed(server, entries))}
    source_feed = Feed.objects.create(url=f"{server}/feed.xml")

    run = feed_poll(feed=source_feed)

    assert run.status == ImportRun.Status.PARTIAL and run.finished_at is not None
    errors = [i["error"] for i in run.items if i["status"] == "failed"]
    assert len(errors) == 3
    assert errors[0].startswith("link refused: 'javascript:alert(document.cookie)'")
    assert errors[1].startswith("link refused: 'data:text/html")
    assert "backslash" in errors[2]
    assert list(Source.objects.values_list("url", flat=True)) == [f"{server}/good"]
    assert [path for _m, path, _h in Handler.requests] == ["/feed.xml"]
