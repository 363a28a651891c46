"""Polling feeds: RSS/Atom entries and their linked pages, ClaimReview feeds, failures counted."""

import pytest
from django_celery_beat.models import PeriodicTask

from claims.models import Claim
from factcheck.fetch import FetchUnavailable
from sources.imports.feeds import feed_poll
from sources.models import Feed, ImportRun, Source
from tests.conftest import DATA
from tests.local_http import Handler
from tests.sources.conftest import PAGE, command_json, rss

pytestmark = pytest.mark.django_db


def test_feed_poll_imports_entries_and_linked_pages_and_records_the_outcome(server: str) -> None:
    Handler.routes = {
        "/feed.xml": (200, "application/rss+xml", rss(server)),
        "/budget": (200, "text/html", PAGE.encode()),
        "/short": (200, "text/html", b"<html><body><p>Short page.</p></body></html>"),
    }
    feed = Feed.objects.create(url=f"{server}/feed.xml", language="en")

    run = feed_poll(feed=feed)

    budget = Source.objects.get(url=f"{server}/budget")
    assert "spending rose by 3 percent" in budget.body
    assert "Copyright" not in budget.body and "Home | About" not in budget.body
    assert budget.claims.count() >= 7
    assert Source.objects.filter(url=f"{server}/short").exists()
    gone = [i for i in run.items if i["status"] == "failed"]
    assert gone[0]["path"] == f"{server}/gone" and "HTTP 404" in gone[0]["error"]
    feed.refresh_from_db()
    assert feed.last_success_at is not None and feed.consecutive_failures == 0

    claims = Claim.objects.count()
    again = feed_poll(feed=feed)
    assert Claim.objects.count() == claims
    assert again.items_unchanged == 2


def test_feed_poll_counts_consecutive_failures(server: str) -> None:
    Handler.routes = {"/feed.xml": (503, "text/plain", b"down")}
    feed = Feed.objects.create(url=f"{server}/feed.xml")
    for expected in (1, 2):
        with pytest.raises(FetchUnavailable):
            feed_poll(feed=feed)
        assert feed.consecutive_failures == expected
    assert "HTTP 503" in feed.last_error
    Handler.routes = {"/feed.xml": (200, "text/html", b"<html>not a feed</html>")}
    run = feed_poll(feed=feed)
    assert run.status == ImportRun.Status.FAILED
    assert feed.consecutive_failures == 3


def test_import_feed_command_registers_schedules_and_polls(server: str) -> None:
    Handler.routes = {
        "/feed.xml": (200, "application/rss+xml", rss(server)),
        "/budget": (200, "text/html", PAGE.encode()),
        "/short": (200, "text/html", b"<html><body><p>Short page.</p></body></html>"),
    }
    summary, code = command_json("import_feed", f"{server}/feed.xml", "--interval", "600")

    assert code == 1  # /gone is a 404
    assert summary["sources_created"] == 2
    feed = Feed.objects.get()
    assert PeriodicTask.objects.get(args=f"[{feed.pk}]").interval.every == 600


@pytest.mark.parametrize(("trusted", "status"), [(True, "published"), (False, "pending")])
def test_a_claimreview_feeds_trust_decides_whether_its_reviews_publish(
    server: str, trusted: bool, status: str
) -> None:
    Handler.routes = {
        "/reviews.html": (200, "text/html", (DATA / "claimreview_page.html").read_bytes())
    }
    url = f"{server}/reviews.html"
    feed = Feed.objects.create(url=url, kind=Feed.Kind.CLAIMREVIEW, trusted=trusted)

    run = feed_poll(feed=feed)

    assert (run.trusted, run.claims_created) == (trusted, 1)
    assert Claim.objects.get().status == status
