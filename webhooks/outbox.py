"""The outbox: events written in the transaction of the change that causes them.

Each `*_record` function is called by the code that makes the change, inside its transaction:
claims/workflow.py when a verdict is published, corrected or retracted; the importers when
they create claims; sources/imports/runs.py when a run finishes. It writes the event (its body
is the request body every attempt sends) and one pending delivery per active subscription that
wants its type, and asks a worker to deliver once the transaction commits. A rollback takes the
event with it; a crash after the commit loses nothing (beat's sweep delivers what is due).
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from webhooks.models import Event, EventType, Subscription

# One pending delivery per event and subscription that wants its type, due now.
_FAN_OUT = """
INSERT INTO webhooks_delivery (event_id, subscription_id, status, attempts, replayed_after,
    next_attempt_at, created_at)
SELECT e.id, s.id, 'pending', 0, 0, %(now)s, %(now)s
FROM unnest(%(events)s::bigint[]) AS e(id)
CROSS JOIN webhooks_subscription AS s
WHERE s.is_active AND %(type)s = ANY(s.event_types)
"""


def event_body(*, type: str, at: datetime, data: dict[str, Any]) -> str:
    """The request body of an event: {"type", "timestamp", "data"}, encoded as the API encodes
    its answers (orjson)."""
    return orjson.dumps({"type": type, "timestamp": at, "data": data}, default=str).decode()


def _fan_out(*, type: str, events: Sequence[int], now: datetime) -> int:
    """Write the deliveries of `events` (all of `type`); queue delivery after the commit."""
    with connection.cursor() as cursor:
        cursor.execute(_FAN_OUT, {"events": list(events), "type": type, "now": now})
        written = cursor.rowcount
    if written:
        from webhooks.tasks import webhooks_deliver_soon  # the tasks import the sender

        # robust: a broker that is down must not fail the change; the sweep delivers later.
        transaction.on_commit(webhooks_deliver_soon, robust=True)
    return written


def _wanted(type: str) -> bool:
    return Subscription.objects.filter(is_active=True, event_types__contains=[type]).exists()


def verdict_event_record(*, type: str, verdict_id: int) -> Event | None:
    """Record a verdict.* event: `data` is the verdict as GET /api/v1/verdicts/{id}/ shows it,
    with `claimreview` (its ClaimReview while it is in force, else null) and `sequence` (1 for
    the verdict's first event, then 2, ...). Written whether or not anyone subscribes, so that
    sequence numbers have no gaps. None if the verdict is not public.

    Precondition: called in the transaction of the change, after the verdict row is written,
    and with the claim's row locked (the workflow's compare-and-set), so two events of one
    verdict never take the same number.
    """
    from claims.api.verdicts import VerdictLinks
    from claims.claimreview import claimreview_build
    from claims.selectors import verdict_is_public, verdict_public_get

    verdict = verdict_public_get(pk=verdict_id)
    if verdict is None:
        return None
    VerdictLinks(site=settings.SITE_URL)(verdict)
    in_force = verdict_is_public(verdict["status"], in_force=True)
    last = Event.objects.filter(verdict_id=verdict_id).aggregate(last=Max("sequence"))["last"]
    sequence = (last or 0) + 1
    data = {
        **verdict,
        "claimreview": claimreview_build(verdict=verdict, url=verdict["page_url"])
        if in_force
        else None,
        "sequence": sequence,
    }
    now = timezone.now()
    event = Event.objects.create(
        type=type,
        verdict_id=verdict_id,
        sequence=sequence,
        body=event_body(type=type, at=now, data=data),
        created_at=now,
    )
    _fan_out(type=type, events=[event.pk], now=now)
    return event


def claims_created_record(*, claim_ids: Sequence[int]) -> int:
    """Record one claim.created event per claim of `claim_ids`, `data` the claim as the staff
    view of GET /api/v1/claims/ shows it; returns how many. Only while an active subscription
    wants them (an import creates thousands of claims). Precondition: called in the
    transaction that created the claims."""
    if not claim_ids or not _wanted(EventType.CLAIM_CREATED):
        return 0
    from claims.api.claims import claim_render
    from claims.selectors import claim_list

    site = settings.SITE_URL
    now = timezone.now()
    rows = claim_list(staff=True).filter(id__in=list(claim_ids)).order_by("id")
    events = Event.objects.bulk_create(
        Event(
            type=EventType.CLAIM_CREATED,
            body=event_body(
                type=EventType.CLAIM_CREATED,
                at=now,
                data=claim_render(dict(row), staff=True, absolute=lambda path: site + path),
            ),
            created_at=now,
        )
        for row in rows.iterator(chunk_size=2000)
    )
    _fan_out(type=EventType.CLAIM_CREATED, events=[e.pk for e in events], now=now)
    return len(events)


def import_run_data(run: Any) -> dict[str, Any]:
    """An import run as import.finished shows it: what it read, when, and its totals (its
    per-item results stay in the admin's run page)."""
    return {
        "id": run.pk,
        "kind": run.kind,
        "origin": run.origin,
        "status": run.status,
        "trusted": run.trusted,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "sources_created": run.sources_created,
        "claims_created": run.claims_created,
        "items_unchanged": run.items_unchanged,
        "items_failed": run.items_failed,
    }


def import_finished_record(*, run: Any) -> Event | None:
    """Record import.finished for `run` (an ImportRun just marked finished), while an active
    subscription wants it. Precondition: called in the transaction that finished it."""
    if not _wanted(EventType.IMPORT_FINISHED):
        return None
    now = timezone.now()
    event = Event.objects.create(
        type=EventType.IMPORT_FINISHED,
        body=event_body(type=EventType.IMPORT_FINISHED, at=now, data=import_run_data(run)),
        created_at=now,
    )
    _fan_out(type=EventType.IMPORT_FINISHED, events=[event.pk], now=now)
    return event
