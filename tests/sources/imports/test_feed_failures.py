"""A feed whose polls fail shows it: every failure is counted on the feed with its error,
whether the address refuses the connection, is one we refuse to fetch, or the poll breaks."""

import socket

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from sources.imports import feeds
from sources.imports.feeds import feed_poll
from sources.models import Feed
from sources.tasks import feed_poll_task

pytestmark = pytest.mark.django_db


def refused_url() -> str:
    """An http URL on this machine where nothing listens: the connection is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/feed.xml"


@pytest.mark.parametrize("kind", [Feed.Kind.RSS, Feed.Kind.CLAIMREVIEW])
def test_every_retry_of_a_poll_refused_by_its_address_counts_a_failure(
    kind: str, settings: Settings
) -> None:
    settings.IMPORT_ALLOW_PRIVATE_NETWORKS = True
    feed = Feed.objects.create(url=refused_url(), kind=kind)

    feed_poll_task.apply(args=[feed.pk])  # the task retries; each attempt is a failure

    feed.refresh_from_db()
    retries = feed_poll_task.max_retries
    assert feed.consecutive_failures == retries + 1
    assert "refused" in feed.last_error.lower() or "connect" in feed.last_error.lower()
    assert feed.last_success_at is None


def test_a_feed_at_an_address_we_refuse_to_fetch_counts_a_failure() -> None:
    feed = Feed.objects.create(url="http://127.0.0.1/feed.xml")  # private networks are off

    feed_poll(feed=feed)

    feed.refresh_from_db()
    assert feed.consecutive_failures == 1
    assert "private or loopback" in feed.last_error


def test_a_poll_that_breaks_still_counts_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(**kwargs: object) -> None:
        raise RuntimeError("parser bug")

    monkeypatch.setattr(feeds, "import_run_start", broken)
    feed = Feed.objects.create(url="https://feeds.example/feed.xml")

    with pytest.raises(RuntimeError):
        feed_poll(feed=feed)

    feed.refresh_from_db()
    assert feed.consecutive_failures == 1 and "parser bug" in feed.last_error


def test_the_feed_list_shows_the_failures_and_the_last_error(
    admin_client: Client, settings: Settings
) -> None:
    settings.IMPORT_ALLOW_PRIVATE_NETWORKS = True
    feed = Feed.objects.create(url=refused_url())
    feed_poll_task.apply(args=[feed.pk])
    feed.refresh_from_db()

    listed = admin_client.get("/admin/sources/feed/").content.decode()

    row = listed[listed.index(feed.url) :]
    row = row[: row.index("</tr>")]
    assert f'<td class="field-consecutive_failures">{feed.consecutive_failures}</td>' in row
