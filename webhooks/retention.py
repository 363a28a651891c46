"""How long webhook history is kept: finished deliveries, their attempts and the events nothing
needs any more are deleted WEBHOOK_RETENTION_DAYS after they happened (beat runs
webhooks.tasks.webhooks_prune_task; `manage.py prune_webhooks` runs it by hand).

What is never deleted, whatever its age:
- a pending delivery (due, waiting for its subscription to be enabled, or being sent), its
  attempts and its event: nothing is lost that was not sent;
- a finished delivery with an attempt within the retention (a replay of an old one);
- the latest event of each verdict: the next one's `sequence` is one more than the largest
  stored (outbox.verdict_event_record), so that row is what keeps numbers from repeating. An
  event is deleted only while a later one of its verdict exists, and that later one is never
  the latest deleted: however runs interleave, the largest number stays.

Work goes in chunks of PRUNE_BATCH rows, walked in id order, each chunk its own short
transaction taking row locks with SKIP LOCKED, so pruning never holds a long lock, never builds
one huge transaction and never waits for (or stalls) a worker sending a delivery. Ids grow with
time, so the walk stops at the first chunk with nothing older than the retention.
"""

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from factcheck.db import ImportBusy, import_lock

# Rows looked at per statement: a chunk's deletes take milliseconds, their locks as long.
PRUNE_BATCH = 1000

# One chunk of deliveries: those finished and last tried before the cutoff go, with their
# attempts (deleted first: the attempt's foreign key has no ON DELETE CASCADE).
_PRUNE_DELIVERIES = """
WITH chunk AS (
    SELECT id, created_at FROM webhooks_delivery
    WHERE id > %(after)s ORDER BY id LIMIT %(limit)s
), gone AS (
    SELECT d.id FROM webhooks_delivery d JOIN chunk USING (id)
    WHERE d.status <> 'pending' AND d.created_at < %(cutoff)s
      AND NOT EXISTS (
          SELECT 1 FROM webhooks_attempt a
          WHERE a.delivery_id = d.id AND a.started_at >= %(cutoff)s
      )
    FOR UPDATE OF d SKIP LOCKED
), attempts AS (
    DELETE FROM webhooks_attempt a USING gone WHERE a.delivery_id = gone.id RETURNING a.id
), deliveries AS (
    DELETE FROM webhooks_delivery d USING gone WHERE d.id = gone.id RETURNING d.id
)
SELECT (SELECT max(id) FROM chunk),
       (SELECT count(*) FROM chunk WHERE created_at < %(cutoff)s),
       (SELECT count(*) FROM deliveries),
       (SELECT count(*) FROM attempts)
"""

# One chunk of events: those older than the cutoff that no delivery refers to any more, except
# the latest of each verdict.
_PRUNE_EVENTS = """
WITH chunk AS (
    SELECT id, created_at FROM webhooks_event
    WHERE id > %(after)s ORDER BY id LIMIT %(limit)s
), gone AS (
    SELECT e.id FROM webhooks_event e JOIN chunk USING (id)
    WHERE e.created_at < %(cutoff)s
      AND NOT EXISTS (SELECT 1 FROM webhooks_delivery d WHERE d.event_id = e.id)
      AND (
          e.verdict_id IS NULL
          OR EXISTS (
              SELECT 1 FROM webhooks_event later
              WHERE later.verdict_id = e.verdict_id AND later.sequence > e.sequence
          )
      )
    FOR UPDATE OF e SKIP LOCKED
), events AS (
    DELETE FROM webhooks_event e USING gone WHERE e.id = gone.id RETURNING e.id
)
SELECT (SELECT max(id) FROM chunk),
       (SELECT count(*) FROM chunk WHERE created_at < %(cutoff)s),
       (SELECT count(*) FROM events),
       0
"""


@dataclass
class Pruned:
    """What one pruning deleted, and whether it finished (False: it ran out of time, or
    another pruning was running)."""

    events: int = 0
    deliveries: int = 0
    attempts: int = 0
    complete: bool = True


def retention_cutoff(*, now: datetime | None = None) -> datetime | None:
    """The time before which finished history is deleted; None when WEBHOOK_RETENTION_DAYS is
    0 (kept forever)."""
    if not settings.WEBHOOK_RETENTION_DAYS:
        return None
    return (now or timezone.now()) - timedelta(days=settings.WEBHOOK_RETENTION_DAYS)


def retention_note() -> str:
    """How long history is kept, in the admin's words."""
    days = settings.WEBHOOK_RETENTION_DAYS
    if not days:
        return "Webhook history is kept forever (WEBHOOK_RETENTION_DAYS is 0)."
    return (
        f"Delivered and failed deliveries, with their attempts, are kept for {days} days after "
        "their last attempt (WEBHOOK_RETENTION_DAYS), so replay reaches back that far; pending "
        "ones are kept until they are sent."
    )


def _walk(sql: str, *, cutoff: datetime, batch: int, end: float | None) -> tuple[int, int, bool]:
    """Run the chunk statement `sql` from the lowest id on; returns the rows of both kinds it
    deleted, and whether it reached the end."""
    after, first, second = 0, 0, 0
    while end is None or time.monotonic() < end:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, {"after": after, "limit": batch, "cutoff": cutoff})
            last, old, deleted, also = cursor.fetchone()
        first, second = first + deleted, second + also
        if last is None or not old:
            return first, second, True
        after = last
    return first, second, False


def webhooks_prune(
    *, now: datetime | None = None, batch: int = PRUNE_BATCH, seconds: float | None = None
) -> Pruned:
    """Delete the webhook history older than WEBHOOK_RETENTION_DAYS (see the module's
    docstring for what is kept), in chunks of `batch` rows, each committed on its own; stop
    after about `seconds` when given (the next run goes on from there). Runs one at a time: while
    another pruning runs, returns at once, deleting nothing.

    Precondition: not inside a transaction (each chunk commits, or the locks would add up)."""
    cutoff = retention_cutoff(now=now)
    if cutoff is None:
        return Pruned()
    end = time.monotonic() + seconds if seconds is not None else None
    pruned = Pruned()
    try:
        with import_lock("webhooks-prune"):
            pruned.deliveries, pruned.attempts, done = _walk(
                _PRUNE_DELIVERIES, cutoff=cutoff, batch=batch, end=end
            )
            # Events go after their deliveries: an event is kept while a delivery refers to it.
            if done:
                pruned.events, _, done = _walk(_PRUNE_EVENTS, cutoff=cutoff, batch=batch, end=end)
    except ImportBusy:
        done = False
    pruned.complete = done
    return pruned
