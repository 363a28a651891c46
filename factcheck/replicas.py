"""Read replicas: anonymous public reads go to a healthy streaming replica, everything else to
the primary.

The choice is made once per request, not per model: a public read view calls
`replica_reads_allow(request)` after authenticating its caller, and from then on every read of
that request goes to the replica it picked (`ReplicaRouter`). Writes, staff and logged-in users,
Celery tasks, the admin and management commands never call it, so they read the primary and see
their own writes. Each request starts on the primary again (`request_started`), and a streamed
response keeps its replica until it has been sent (`request_finished`).

A replica is used while it is healthy: in recovery, receiving WAL, and at most
API_SYNC_LAG_SECONDS behind in replay. Each process checks a replica with one query at most every
DATABASE_REPLICA_CHECK_SECONDS (a replica that refuses connections, every
`DOWN_RECHECK_SECONDS`), so the check costs the requests almost nothing.
"""

import random
import threading
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest

# A replica that refused a connection or failed its check is asked again after this long: a
# host that drops packets costs a connect timeout each time it is asked.
DOWN_RECHECK_SECONDS = 10.0

# A replica that looks lagging is asked again after this pause, before it is skipped.
RECHECK_PAUSE_SECONDS = 0.05

# One query on the replica. Caught up with the WAL it has received: no lag. Otherwise the lag
# is how long ago the last transaction it replayed committed (on the primary's clock): every
# commit before that moment is visible on the replica; none replayed since it started: behind
# without bound. `pg_stat_wal_receiver` has a row while the WAL receiver runs (its status is
# visible to roles with pg_read_all_stats).
LAG_SQL = """
SELECT pg_is_in_recovery(),
       EXISTS (SELECT FROM pg_stat_wal_receiver WHERE status IS NULL OR status = 'streaming'),
       CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
            ELSE coalesce(EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp()),
                          'infinity')
       END::float8
"""

# The newest moment up to which the replica holds every commit: now when it has replayed all
# it received, else the commit time of the last transaction it replayed. `settled()` counts its
# sync lag back from here on a replica.
REPLAYED_THROUGH_SQL = (
    "CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN now() "
    "ELSE coalesce(pg_last_xact_replay_timestamp(), '-infinity') END"
)


@dataclass
class ReplicaState:
    """What the last check of one replica found."""

    alias: str
    healthy: bool
    lag: float | None  # seconds behind in replay; None when it could not be asked
    problem: str  # why it is skipped; "" when healthy
    checked_at: float  # time.monotonic()


_states: dict[str, ReplicaState] = {}
_lock = threading.Lock()

# The replica alias this request's reads go to; None: the primary.
_reads_from: ContextVar[str | None] = ContextVar("replica_reads_from", default=None)


def replica_aliases() -> list[str]:
    return list(settings.DATABASE_REPLICAS)


def _check(alias: str) -> ReplicaState:
    """Ask `alias` how far behind it is (one query on its own connection, which stays open for
    the reads that follow)."""
    connection = connections[alias]
    try:
        with connection.cursor() as cursor:
            cursor.execute(LAG_SQL)
            in_recovery, receiving, lag = cursor.fetchone()
            if lag > settings.API_SYNC_LAG_SECONDS:
                # WAL that arrived a moment ago after a quiet spell makes a replica that is
                # replaying it look as far behind as its last commit is old: look once more.
                time.sleep(RECHECK_PAUSE_SECONDS)
                cursor.execute(LAG_SQL)
                in_recovery, receiving, lag = cursor.fetchone()
    except DatabaseError as exc:
        connection.close()
        problem = f"down: {exc.__class__.__name__}: {str(exc).strip()}"
        return ReplicaState(alias, False, None, problem, time.monotonic())
    problem = ""
    if not in_recovery:
        problem = "not a replica: it is out of recovery (promoted?)"
    elif not receiving:
        problem = "not receiving WAL from the primary"
    elif lag > settings.API_SYNC_LAG_SECONDS:
        problem = (
            f"lagging {lag:.1f}s behind (API_SYNC_LAG_SECONDS={settings.API_SYNC_LAG_SECONDS})"
        )
    return ReplicaState(alias, not problem, lag, problem, time.monotonic())


def replica_state(alias: str) -> ReplicaState:
    """The state of `alias`, checked again if the last check is older than the check interval
    (longer after a failed connection)."""
    now = time.monotonic()
    with _lock:
        state = _states.get(alias)
        if state is not None:
            if state.lag is None:
                fresh = now - state.checked_at < DOWN_RECHECK_SECONDS
            else:
                fresh = now - state.checked_at < settings.DATABASE_REPLICA_CHECK_SECONDS
            if fresh:
                return state
        state = _states[alias] = _check(alias)
        return state


def replica_states() -> list[ReplicaState]:
    """Every configured replica's state (checked again where due)."""
    return [replica_state(alias) for alias in replica_aliases()]


def replica_states_forget() -> None:
    """Check every replica again before its next use."""
    with _lock:
        _states.clear()


def replica_choose() -> str | None:
    """A healthy replica, at random among the healthy ones, or None."""
    healthy = [state.alias for state in replica_states() if state.healthy]
    if not healthy:
        return None
    alias = random.choice(healthy)
    connection = connections[alias]
    try:
        # The backend's check of a kept connection (no round trip unless the server said
        # something), made here whatever Django did at the request's start: a replica stopped
        # since its last check fails here, not in the view.
        if connection.connection is not None and not connection.is_usable():
            connection.close()
        connection.ensure_connection()
    except DatabaseError as exc:
        connection.close()
        with _lock:
            problem = f"down: {exc.__class__.__name__}: {str(exc).strip()}"
            _states[alias] = ReplicaState(alias, False, None, problem, time.monotonic())
        return None
    return alias


def replica_reads_allow(request: HttpRequest) -> str | None:
    """Send the rest of this request's reads to a healthy replica when it is a GET or HEAD by a
    caller who is not logged in (anonymous, or an API key: public data only). Returns the
    replica's alias, or None when the reads stay on the primary."""
    if request.method not in ("GET", "HEAD") or not replica_aliases():
        return None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return None  # staff read their own writes
    alias = replica_choose()
    _reads_from.set(alias)
    return alias


def replica_reads_from() -> str | None:
    """The replica this request reads from, or None for the primary."""
    return _reads_from.get()


def read_connection() -> BaseDatabaseWrapper:
    """The connection for this request's hand-written reads (the ORM asks ReplicaRouter): the
    replica the request reads from, or the primary."""
    return connections[_reads_from.get() or DEFAULT_DB_ALIAS]


def _primary_again(**kwargs: Any) -> None:
    _reads_from.set(None)


request_started.connect(_primary_again, dispatch_uid="factcheck.replicas.started")
request_finished.connect(_primary_again, dispatch_uid="factcheck.replicas.finished")


def public_read(view: Callable[..., Any]) -> Callable[..., Any]:
    """A plain Django view whose reads may go to a replica (replica_reads_allow)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        replica_reads_allow(request)
        return view(request, *args, **kwargs)

    return wrapped


class ReplicaRouter:
    """Reads of a request that `replica_reads_allow` sent to a replica go there; every write,
    and every other read, goes to the primary (`default`)."""

    def db_for_read(self, model: type, **hints: Any) -> str | None:
        return _reads_from.get()

    def db_for_write(self, model: type, **hints: Any) -> str:
        # Explicit: without an answer Django writes a row back to the database it was read from.
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        aliases = {DEFAULT_DB_ALIAS, *replica_aliases()}
        if obj1._state.db in aliases and obj2._state.db in aliases:
            return True  # the same data
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        if db in replica_aliases():
            return False  # replicas get the primary's schema through replication
        return None
