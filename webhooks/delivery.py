"""Sending what is due: claim a batch of due deliveries, POST them signed, record each attempt.

A round claims up to WEBHOOK_BATCH due deliveries in one statement (`FOR UPDATE SKIP LOCKED`,
so workers never take the same one) and leases them: their `next_attempt_at` moves past the
time the round may take, so a worker killed mid-round leaves them due again when the lease
ends, to be sent again with the same `webhook-id` (at-least-once). The POSTs go out from
WEBHOOK_CONCURRENCY threads that touch no database: the events of one verdict in order from
one thread, other verdicts' in parallel. The results are written in one transaction: delivered;
retried later with exponential backoff and jitter; failed for good after WEBHOOK_MAX_ATTEMPTS
(and the subscription disabled after WEBHOOK_DISABLE_AFTER_FAILURES of those in a row); a 410
disables the subscription at once.
"""

import logging
import math
import random
import time
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from factcheck.fetch import FetchError, fetch
from webhooks.models import Attempt, Delivery, DeliveryStatus, Subscription
from webhooks.services import subscription_count_failures, subscription_disable

logger = logging.getLogger(__name__)

# Of an answer, what an attempt keeps in its log.
RESPONSE_EXCERPT = 500
# How much later than retries run each other, at most: ±25%.
JITTER = 0.25


@dataclass(frozen=True)
class Outgoing:
    """One claimed delivery: what to send, where, signed with which secrets."""

    delivery_id: int
    number: int  # this attempt's number (1 for the first)
    group: tuple[int, int]  # (subscription, verdict or -event): sent in order within a group
    url: str
    secrets: tuple[str, ...]
    webhook_id: str
    body: str


@dataclass(frozen=True)
class Outcome:
    delivery_id: int
    number: int
    started_at: datetime
    duration_ms: int
    status_code: int | None
    succeeded: bool
    response: str
    error: str


_CLAIM_DUE = """
WITH due AS (
    SELECT d.id FROM webhooks_delivery d
    JOIN webhooks_subscription s ON s.id = d.subscription_id AND s.is_active
    WHERE d.status = 'pending' AND d.next_attempt_at <= %(now)s
    ORDER BY d.next_attempt_at, d.id
    LIMIT %(limit)s
    FOR UPDATE OF d SKIP LOCKED
)
UPDATE webhooks_delivery d SET attempts = d.attempts + 1, next_attempt_at = %(lease)s
FROM due, webhooks_event e, webhooks_subscription s
WHERE d.id = due.id AND e.id = d.event_id AND s.id = d.subscription_id
RETURNING d.id, d.attempts, s.id, coalesce(e.verdict_id, -e.id), e.id, e.body, s.url, s.secret,
    CASE WHEN s.previous_secret_until > %(now)s THEN s.previous_secret ELSE '' END
"""


def lease_seconds() -> float:
    """How long a round may take at most: its POSTs, WEBHOOK_CONCURRENCY at a time, each within
    WEBHOOK_TIMEOUT, and a margin for writing the results."""
    rounds = math.ceil(settings.WEBHOOK_BATCH / max(1, settings.WEBHOOK_CONCURRENCY))
    return settings.WEBHOOK_TIMEOUT * (rounds + 2) + 10


@transaction.atomic
def deliveries_claim_due(*, limit: int) -> list[Outgoing]:
    """Take up to `limit` due deliveries of active subscriptions, oldest first, and lease them
    to the caller (see the module's docstring); their attempt counts go up by one."""
    now = timezone.now()
    lease = now + timedelta(seconds=lease_seconds())
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM_DUE, {"now": now, "lease": lease, "limit": limit})
        rows = cursor.fetchall()
    rows.sort(key=lambda row: row[4])  # by event, the order they happened in
    return [
        Outgoing(
            delivery_id=pk,
            number=number,
            group=(subscription, verdict),
            url=url,
            secrets=(secret, previous) if previous else (secret,),
            webhook_id=f"msg_{event}",
            body=body,
        )
        for pk, number, subscription, verdict, event, body, url, secret, previous in rows
    ]


def signed_headers(*, webhook_id: str, body: str, secrets: Sequence[str], at: datetime) -> dict:
    """The Standard Webhooks headers of one attempt: its id (the same on every attempt), its
    time, and a signature by each secret (two during a rotation), space-separated."""
    signatures = " ".join(
        Webhook(secret).sign(msg_id=webhook_id, timestamp=at, data=body) for secret in secrets
    )
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(math.floor(at.timestamp())),
        "webhook-signature": signatures,
        "Content-Type": "application/json",
    }


def delivery_send(outgoing: Outgoing) -> Outcome:
    """POST one delivery through factcheck/fetch.py: no redirects, WEBHOOK_TIMEOUT for the
    whole exchange, WEBHOOK_MAX_RESPONSE_BYTES of answer at most, private addresses only for
    WEBHOOK_ALLOWED_HOSTS. Any 2xx is success. Never raises."""
    started = timezone.now()
    clock = time.monotonic()
    body = outgoing.body.encode()
    headers = signed_headers(
        webhook_id=outgoing.webhook_id, body=outgoing.body, secrets=outgoing.secrets, at=started
    )
    status: int | None = None
    answer, error, succeeded = b"", "", False
    try:
        fetched = fetch(
            outgoing.url,
            method="POST",
            headers=headers,
            body=body,
            max_redirects=0,
            max_bytes=settings.WEBHOOK_MAX_RESPONSE_BYTES,
            deadline_seconds=settings.WEBHOOK_TIMEOUT,
            allowed_hosts=settings.WEBHOOK_ALLOWED_HOSTS,
        )
        status, answer, succeeded = fetched.status, fetched.body, True
    except FetchError as exc:
        status, answer, error = exc.status, exc.body, str(exc)
    except Exception as exc:  # a bug must not lose the round's other results
        logger.exception("webhook delivery %s", outgoing.delivery_id)
        error = f"{exc.__class__.__name__}: {exc}"
    return Outcome(
        delivery_id=outgoing.delivery_id,
        number=outgoing.number,
        started_at=started,
        duration_ms=round((time.monotonic() - clock) * 1000),
        status_code=status,
        succeeded=succeeded,
        response=answer[:RESPONSE_EXCERPT].decode("utf-8", "replace"),
        error=error[:1000],
    )


def _send_group(group: list[Outgoing]) -> list[Outcome]:
    return [delivery_send(outgoing) for outgoing in group]


def deliveries_send(batch: Sequence[Outgoing], pool: ThreadPoolExecutor) -> list[Outcome]:
    """Send `batch`: each group (a subscription's events of one verdict) in order in one
    thread, the groups in parallel."""
    groups: dict[tuple[int, int], list[Outgoing]] = defaultdict(list)
    for outgoing in batch:
        groups[outgoing.group].append(outgoing)
    return [outcome for result in pool.map(_send_group, groups.values()) for outcome in result]


def retry_delay(attempts: int) -> float:
    """Seconds until the retry that follows `attempts` failed attempts: WEBHOOK_RETRY_BASE,
    then four times longer each time, ±25% jitter."""
    base = settings.WEBHOOK_RETRY_BASE * 4 ** (attempts - 1)
    return base * random.uniform(1 - JITTER, 1 + JITTER)


_RETRY = """
UPDATE webhooks_delivery d SET next_attempt_at = v.at, last_status_code = v.code
FROM unnest(%(ids)s::bigint[], %(numbers)s::int[], %(at)s::timestamptz[], %(codes)s::int[])
    AS v(id, number, at, code)
WHERE d.id = v.id AND d.attempts = v.number AND d.status = 'pending'
"""
_FINISH = """
UPDATE webhooks_delivery d SET status = %(status)s, next_attempt_at = NULL,
    last_status_code = v.code, delivered_at = %(delivered_at)s
FROM unnest(%(ids)s::bigint[], %(numbers)s::int[], %(codes)s::int[]) AS v(id, number, code)
WHERE d.id = v.id AND d.attempts = v.number AND d.status = 'pending'
"""


@transaction.atomic
def outcomes_record(*, batch: Sequence[Outgoing], outcomes: Sequence[Outcome]) -> None:
    """Log every attempt, and move each delivery on: delivered, due again later, or failed for
    good. A delivery whose lease ran out and that another round took meanwhile (its attempt
    count moved on) only gets its attempt logged."""
    now = timezone.now()
    Attempt.objects.bulk_create(
        (
            Attempt(
                delivery_id=o.delivery_id,
                number=o.number,
                started_at=o.started_at,
                duration_ms=o.duration_ms,
                status_code=o.status_code,
                succeeded=o.succeeded,
                response=o.response,
                error=o.error,
            )
            for o in outcomes
        ),
        ignore_conflicts=True,
    )
    subscription_of = {o.delivery_id: o.group[0] for o in batch}
    replayed = _replayed_after([o.delivery_id for o in outcomes if not o.succeeded])
    delivered, gone, given_up, retries = [], [], [], []
    for o in outcomes:
        if o.succeeded:
            delivered.append(o)
        elif o.status_code == 410:
            gone.append(o)
        elif o.number - replayed.get(o.delivery_id, 0) >= settings.WEBHOOK_MAX_ATTEMPTS:
            given_up.append(o)
        else:
            retries.append(o)
    with connection.cursor() as cursor:
        if retries:
            cursor.execute(
                _RETRY,
                {
                    "ids": [o.delivery_id for o in retries],
                    "numbers": [o.number for o in retries],
                    "at": [
                        now + timedelta(seconds=retry_delay(o.number - replayed[o.delivery_id]))
                        for o in retries
                    ],
                    "codes": [o.status_code for o in retries],
                },
            )
        for status, rows in (
            (DeliveryStatus.DELIVERED, delivered),
            (DeliveryStatus.FAILED, gone + given_up),
        ):
            if not rows:
                continue
            cursor.execute(
                _FINISH,
                {
                    "status": status.value,
                    "delivered_at": now if status == DeliveryStatus.DELIVERED else None,
                    "ids": [o.delivery_id for o in rows],
                    "numbers": [o.number for o in rows],
                    "codes": [o.status_code for o in rows],
                },
            )
    succeeded = {subscription_of[o.delivery_id] for o in delivered}
    if succeeded:
        Subscription.objects.filter(pk__in=succeeded, consecutive_failures__gt=0).update(
            consecutive_failures=0
        )
    for subscription in {subscription_of[o.delivery_id] for o in gone}:
        subscription_disable(subscription_id=subscription, reason="The endpoint answered 410 Gone.")
    counts: dict[int, int] = defaultdict(int)
    for o in given_up:
        if subscription_of[o.delivery_id] not in succeeded:
            counts[subscription_of[o.delivery_id]] += 1
    for subscription, failures in counts.items():
        subscription_count_failures(subscription_id=subscription, failures=failures)


def _replayed_after(delivery_ids: list[int]) -> dict[int, int]:
    if not delivery_ids:
        return {}
    rows = Delivery.objects.filter(pk__in=delivery_ids).values_list("id", "replayed_after")
    return dict(rows)


def deliveries_deliver_due(*, seconds: float | None = None) -> int:
    """Send due deliveries, round after round, until none is due (or `seconds` have passed);
    returns how many attempts were made. What a delivering task runs."""
    end = time.monotonic() + seconds if seconds is not None else None
    attempts = 0
    with ThreadPoolExecutor(settings.WEBHOOK_CONCURRENCY, thread_name_prefix="webhook") as pool:
        while end is None or time.monotonic() < end:
            batch = deliveries_claim_due(limit=settings.WEBHOOK_BATCH)
            if not batch:
                break
            outcomes = deliveries_send(batch, pool)
            outcomes_record(batch=batch, outcomes=outcomes)
            attempts += len(outcomes)
    return attempts
