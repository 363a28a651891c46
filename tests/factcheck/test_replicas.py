"""Read replicas (factcheck/replicas.py) against a real streaming replica: anonymous public reads
go to it while it is healthy; a lagging or stopped replica sends them to the primary; staff never
read from it; a consumer's `updated_since` sync never misses a change the replica has not
replayed yet.

The module's primary and replica are a PostgreSQL cluster of their own (tests/replica.py), and
for the length of this module Django's `default` connection points at that primary, with
`replica1` at its replica.
"""

import copy
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
from django.db import connections
from django.test.utils import override_settings
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families
from pytest_django.fixtures import Settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from claims.models import Verdict
from factcheck.replicas import LAG_SQL, replica_state, replica_states_forget
from tests.conftest import database_url
from tests.factories import PublishedVerdictFactory, staff_user
from tests.replica import StreamingPair, server_pg_bin, streaming_pair

REPLICA = "replica1"

# Transactional: every test commits, and ends by emptying the tables (on the primary, which the
# replica follows; the replica is a mirror of `default`, never flushed itself).
pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


@pytest.fixture(scope="module")
def pair(django_db_setup: None, django_db_blocker: Any) -> Iterator[StreamingPair]:
    """A primary with a copy of the test database and its streaming replica; `default` points
    at the primary and `replica1` at the replica until the module ends."""
    with django_db_blocker.unblock():
        default = connections["default"]
        folder = server_pg_bin(default, programs="pg_basebackup")
        made = streaming_pair(copy_of=database_url(default.settings_dict), bin=folder)
        saved = copy.deepcopy(default.settings_dict)
        default.close()
        default.settings_dict.update(
            NAME="factcheck", HOST="127.0.0.1", PORT=str(made.primary.port), USER="postgres"
        )
        default.settings_dict["PASSWORD"] = ""
        replica = copy.deepcopy(default.settings_dict)
        replica["PORT"] = str(made.replica.port)
        replica["OPTIONS"]["connect_timeout"] = 2
        replica["TEST"] = {**replica["TEST"], "MIRROR": "default"}
        connections.settings[REPLICA] = replica
        try:
            with override_settings(DATABASE_REPLICAS=[REPLICA]):
                replica_states_forget()
                yield made
        finally:
            connections[REPLICA].close()
            del connections[REPLICA]
            del connections.settings[REPLICA]
            default.close()
            default.settings_dict.clear()
            default.settings_dict.update(saved)
            replica_states_forget()
            made.remove()


@pytest.fixture(autouse=True)
def _replica_healthy(pair: StreamingPair, settings: Settings) -> Iterator[None]:
    """Each test starts with the replica running, replaying and caught up, checked afresh."""
    settings.API_ANON_RATE = ""
    settings.API_SYNC_LAG_SECONDS = 2
    settings.DATABASE_REPLICA_CHECK_SECONDS = 0  # look again on every request
    if not pair.replica.running():
        pair.replica.start()
    pair.resume_replay()
    pair.wait_replayed()
    wait_healthy()
    yield
    replica_states_forget()


def wait_healthy(timeout: float = 30) -> None:
    """Until a fresh check finds the replica healthy (caught up after a pause or a restart)."""
    deadline = time.monotonic() + timeout
    while True:
        replica_states_forget()
        state = replica_state(REPLICA)
        if state.healthy:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"the replica stayed unhealthy: {state.problem}")
        time.sleep(0.1)


def published(headline: str = "") -> Verdict:
    verdict = PublishedVerdictFactory.create(**({"headline": headline} if headline else {}))
    return verdict


class Served:
    """The queries each server received while the block ran, besides the replica's health
    checks (counted without connecting)."""

    def __init__(self) -> None:
        self.primary: list[str] = []
        self.replica: list[str] = []
        self._blocks: list[Any] = []

    def __enter__(self) -> "Served":
        for alias, queries in (("default", self.primary), (REPLICA, self.replica)):
            block = connections[alias].execute_wrapper(self._counter(queries))
            block.__enter__()
            self._blocks.append(block)
        return self

    def __exit__(self, *exc: Any) -> None:
        for block in reversed(self._blocks):
            block.__exit__(*exc)

    @staticmethod
    def _counter(queries: list[str]) -> Any:
        def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            if sql != LAG_SQL:
                queries.append(sql)
            return execute(sql, params, many, context)

        return count

    @property
    def by(self) -> str:
        """Who answered: "replica", "primary", "both" or "nobody"."""
        on_replica, on_primary = len(self.replica), len(self.primary)
        if on_replica and not on_primary:
            return "replica"
        if on_primary and not on_replica:
            return "primary"
        return "both" if on_primary else "nobody"


def public_paths(verdict: Verdict) -> list[str]:
    return [
        "/api/v1/verdicts/",
        f"/api/v1/verdicts/{verdict.pk}/",
        f"/api/v1/verdicts/{verdict.pk}/claimreview",
        "/api/v1/claimreview-feed",
        "/api/v1/claims/",
        "/api/v1/claims:search?query=sky",
        f"/verdicts/{verdict.pk}/",
    ]


def get(client: APIClient, path: str) -> Any:
    response: Any = client.get(path)
    if response.streaming:
        b"".join(response.streaming_content)  # a streamed body's queries run while it is sent
    return response


def test_anonymous_public_reads_go_to_a_healthy_replica(pair: StreamingPair) -> None:
    verdict = published()
    pair.wait_replayed()
    client = APIClient()
    for path in public_paths(verdict):
        with Served() as served:
            response = get(client, path)
        assert response.status_code == 200, path
        assert served.by == "replica", path


def test_api_key_consumers_read_from_the_replica_too(pair: StreamingPair) -> None:
    from claims.services import api_key_create

    verdict = published()
    _, key = api_key_create(name="platform")
    pair.wait_replayed()
    client = APIClient(HTTP_AUTHORIZATION=f"Api-Key {key}")
    with Served() as served:
        response = get(client, f"/api/v1/verdicts/{verdict.pk}/")
    assert response.status_code == 200
    # The key is looked up on the primary (authentication comes first), the verdict read on
    # the replica.
    assert len(served.replica) > 0


def test_staff_reads_never_go_to_the_replica(pair: StreamingPair) -> None:
    verdict = published()
    editor = staff_user("replica-editor", "Editors")
    token = Token.objects.create(user=editor)
    pair.wait_replayed()
    by_token = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")
    by_session = APIClient()
    by_session.force_login(editor)
    for client in (by_token, by_session):
        for path in public_paths(verdict):
            if client is by_token and not path.startswith("/api/"):
                continue  # a token signs API requests only; the HTML page sees an anonymous caller
            with Served() as served:
                response = get(client, path)
            assert response.status_code == 200, path
            assert len(served.replica) == 0, path


def test_staff_read_their_own_writes_while_the_replica_is_behind(pair: StreamingPair) -> None:
    editor = staff_user("replica-reader", "Editors")
    pair.pause_replay()
    verdict = published()
    pair.wait_received()
    client = APIClient()
    client.force_login(editor)
    assert client.get(f"/api/v1/verdicts/{verdict.pk}/").status_code == 200


def wait_lagging(seconds: float, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while (replica_state(REPLICA).lag or 0) <= seconds:
        if time.monotonic() > deadline:
            raise TimeoutError(f"the replica never fell {seconds}s behind")
        time.sleep(0.1)


def test_a_lagging_replica_is_skipped_until_it_catches_up(
    pair: StreamingPair, settings: Settings
) -> None:
    settings.API_SYNC_LAG_SECONDS = 1
    pair.pause_replay()
    verdict = published()
    pair.wait_received()
    wait_lagging(1)
    state = replica_state(REPLICA)
    assert not state.healthy and "behind" in state.problem

    client = APIClient()
    with Served() as served:
        response = get(client, f"/api/v1/verdicts/{verdict.pk}/")
    assert response.status_code == 200
    assert served.by == "primary"

    pair.resume_replay()
    pair.wait_replayed()
    wait_healthy()
    with Served() as served:
        response = get(client, f"/api/v1/verdicts/{verdict.pk}/")
    assert response.status_code == 200
    assert served.by == "replica"


def test_a_replica_that_stops_is_skipped_with_no_error_and_used_again_when_back(
    pair: StreamingPair, settings: Settings
) -> None:
    verdict = published()
    pair.wait_replayed()
    client = APIClient()
    with Served() as served:
        assert get(client, f"/api/v1/verdicts/{verdict.pk}/").status_code == 200
    assert served.by == "replica"

    # The process still trusts its last check when the replica stops: the request notices the
    # closed connection before its first query.
    settings.DATABASE_REPLICA_CHECK_SECONDS = 600
    pair.replica.stop()
    for path in public_paths(verdict):
        with Served() as served:
            response = get(client, path)
        assert response.status_code == 200, path
        assert served.by == "primary", path
    state = replica_state(REPLICA)
    assert not state.healthy and state.problem.startswith("down")

    pair.replica.start()
    pair.wait_replayed()
    wait_healthy()
    with Served() as served:
        assert get(client, f"/api/v1/verdicts/{verdict.pk}/").status_code == 200
    assert served.by == "replica"


def sync(client: APIClient, since: datetime, seen: list[tuple[int, str]]) -> datetime:
    """A consumer's sync: pages of /api/v1/verdicts/ from `updated_since`, following `next` to
    the end; returns its next `updated_since` (the latest change it saw)."""
    url: str | None = f"/api/v1/verdicts/?page_size=1&updated_since={quote(since.isoformat())}"
    while url:
        page = client.get(url).json()
        assert "results" in page, page
        for row in page["results"]:
            seen.append((row["id"], row["headline"]))
            since = max(since, datetime.fromisoformat(row["updated_at"]))
        url = page["next"]
    return since


def stamp(pair: StreamingPair, conn: psycopg.Connection, verdict: Verdict, at: datetime) -> None:
    conn.execute(
        "UPDATE claims_verdict SET headline = headline || ' (corrected)', updated_at = %s"
        " WHERE id = %s",
        [at, verdict.pk],
    )


def test_a_consumers_sync_never_misses_a_change_the_replica_has_not_replayed(
    pair: StreamingPair, settings: Settings
) -> None:
    """Two write transactions, each stamped `updated_at` a little before it commits (as every
    write does; API_SYNC_LAG_SECONDS exceeds the longest): B is stamped first and commits last,
    after the replica stops replaying; D commits before. On the replica D's change is visible
    and B's is not, though both are older than the sync lag."""
    settings.API_SYNC_LAG_SECONDS = 3
    start = timezone.now() - timedelta(minutes=5)
    b, d = published("B"), published("D")
    Verdict.objects.filter(pk__in=[b.pk, d.pk]).update(updated_at=start + timedelta(seconds=1))
    pair.wait_replayed()
    client, seen = APIClient(), list[tuple[int, str]]()
    since = sync(client, start, seen)
    assert {headline for _, headline in seen} >= {"B", "D"}

    now = timezone.now()
    with (
        psycopg.connect(pair.primary.url()) as slow,
        psycopg.connect(pair.primary.url(), autocommit=True) as quick,
    ):
        stamp(pair, slow, b, now - timedelta(seconds=2.5))  # B: stamped, not committed
        stamp(pair, quick, d, now - timedelta(seconds=2.0))  # D: committed
        pair.wait_replayed()
        pair.pause_replay()
        slow.commit()  # B: committed, received by the replica, not replayed
    pair.wait_received()
    while timezone.now() < now + timedelta(seconds=1.2):  # both older than the sync lag
        time.sleep(0.05)
    state = replica_state(REPLICA)
    assert state.healthy, state.problem  # less than the sync lag behind: the replica answers

    with Served() as served:
        since = sync(client, since, seen)
    assert served.by == "replica"

    pair.resume_replay()
    pair.wait_replayed()
    time.sleep(settings.API_SYNC_LAG_SECONDS + 0.5)
    sync(client, since, seen)
    assert (b.pk, "B (corrected)") in seen
    assert (d.pk, "D (corrected)") in seen


def test_metrics_show_each_replicas_lag_and_health(pair: StreamingPair, settings: Settings) -> None:
    settings.METRICS_TOKEN = "replica-metrics"
    settings.API_SYNC_LAG_SECONDS = 1
    client = APIClient(HTTP_AUTHORIZATION="Bearer replica-metrics")

    def samples() -> dict[str, float]:
        text = client.get("/metrics").content.decode()
        return {
            sample.name: sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
            if sample.labels == {"replica": REPLICA}
        }

    assert samples() == {"factcheck_replica_lag_seconds": 0, "factcheck_replica_healthy": 1}
    pair.pause_replay()
    published()
    pair.wait_received()
    wait_lagging(1)
    lagging = samples()
    assert lagging["factcheck_replica_lag_seconds"] > 1
    assert lagging["factcheck_replica_healthy"] == 0
