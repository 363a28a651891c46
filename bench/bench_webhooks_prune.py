"""Benchmark of pruning webhook history (webhooks/retention.py): how fast a backlog goes, how
long its longest statement holds its locks, and what the hourly run costs once it is done.

    .venv/bin/python bench/bench_webhooks_prune.py [--events 1000000] [--verdicts 20000]

Fills a scratch database `<NAME>_bench_webhooks_prune` (created and dropped here) with
`--events` claim.created events spread evenly over the last 60 days, each delivered to one
subscription in two attempts (a failure, then a success), and `--verdicts` verdicts with three
events each over the same days, delivered likewise; one event in a hundred also waits, pending,
for a second, disabled subscription. Then runs webhooks_prune twice with the default
WEBHOOK_RETENTION_DAYS (30): the backlog, then the run that follows it (what beat's hourly run
costs when there is little to do), timing each statement.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
from factcheck.localenv import local_environment_prepare  # noqa: E402

DAYS = 60

_FILL = """
INSERT INTO webhooks_subscription (url, event_types, description, is_active, secret,
    previous_secret, consecutive_failures, disabled_reason, created_at, updated_at)
VALUES ('https://example.org/on', ARRAY['claim.created', 'verdict.published',
        'verdict.corrected'], 'on', true, 'whsec_x', '', 0, '', now(), now()),
       ('https://example.org/off', ARRAY['claim.created'], 'off', false, 'whsec_y', '', 0,
        'Down.', now(), now());
-- In time order, as ids grow in production.
INSERT INTO webhooks_event (type, verdict_id, sequence, body, created_at)
SELECT type, verdict_id, sequence, body, at FROM (
    SELECT 'claim.created' AS type, NULL::bigint AS verdict_id, NULL::int AS sequence,
           repeat('x', 900) AS body,
           now() - make_interval(secs => %(span)s * (1 - g::float / %(events)s)) AS at
    FROM generate_series(1, %(events)s) g
    UNION ALL
    SELECT CASE WHEN s = 1 THEN 'verdict.published' ELSE 'verdict.corrected' END, v, s,
           repeat('v', 3000),
           now() - make_interval(secs => %(span)s * (1 - v::float / %(verdicts)s))
               - (4 - s) * interval '1 hour'
    FROM generate_series(1, %(verdicts)s) v, generate_series(1, 3) s
) AS e ORDER BY at;
INSERT INTO webhooks_delivery (event_id, subscription_id, status, attempts, replayed_after,
    created_at, delivered_at, last_status_code)
SELECT e.id, s.id, 'delivered', 2, 0, e.created_at, e.created_at, 200
FROM webhooks_event e, webhooks_subscription s WHERE s.is_active;
INSERT INTO webhooks_delivery (event_id, subscription_id, status, attempts, replayed_after,
    created_at)
SELECT e.id, s.id, 'pending', 0, 0, e.created_at
FROM webhooks_event e, webhooks_subscription s
WHERE NOT s.is_active AND e.id %% 100 = 0;
INSERT INTO webhooks_attempt (delivery_id, number, started_at, duration_ms, status_code,
    succeeded, response, error)
SELECT d.id, n, d.created_at, 40, CASE WHEN n = 1 THEN 503 ELSE 200 END, n = 2, 'ok', ''
FROM webhooks_delivery d, generate_series(1, 2) n WHERE d.status = 'delivered';
ANALYZE webhooks_event, webhooks_delivery, webhooks_attempt;
"""


def counts() -> dict[str, int]:
    from webhooks.models import Attempt, Delivery, Event

    return {
        "events": Event.objects.count(),
        "deliveries": Delivery.objects.count(),
        "attempts": Attempt.objects.count(),
        "pending": Delivery.objects.filter(status="pending").count(),
    }


def timed_prune() -> tuple[Any, float, list[float]]:
    from django.db import connection

    from webhooks.retention import webhooks_prune

    statements: list[float] = []

    def timer(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            if "DELETE FROM" in sql:
                statements.append(time.perf_counter() - started)

    started = time.perf_counter()
    with connection.execute_wrapper(timer):
        pruned = webhooks_prune()
    return pruned, time.perf_counter() - started, statements


def report(what: str, pruned: Any, took: float, statements: list[float]) -> None:
    rows = pruned.events + pruned.deliveries + pruned.attempts
    ordered = sorted(statements)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    print(
        f"  {what}: {pruned.events:,} events, {pruned.deliveries:,} deliveries, "
        f"{pruned.attempts:,} attempts in {took:.1f} s ({rows / max(took, 1e-9):,.0f} rows/s); "
        f"{len(statements)} statements, median {statistics.median(ordered) * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms, longest {ordered[-1] * 1000:.0f} ms; load average "
        f"{os.getloadavg()[0]:.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--verdicts", type=int, default=20_000)
    args = parser.parse_args()

    import django

    local_environment_prepare()
    django.setup()
    from django.conf import settings
    from django.db import connection

    name = f"{connection.settings_dict['NAME']}_bench_webhooks_prune"
    connection.settings_dict["TEST"]["NAME"] = name
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        fill = {"events": args.events, "verdicts": args.verdicts, "span": DAYS * 86400}
        with connection.cursor() as cursor:
            for statement in _FILL.split(";\n"):
                if statement.strip():
                    cursor.execute(statement, fill)
        before = counts()
        print(
            f"scratch database: {test_db}; {os.cpu_count()} cores; WEBHOOK_RETENTION_DAYS "
            f"{settings.WEBHOOK_RETENTION_DAYS}; filled in {time.perf_counter() - started:.0f} s: "
            + ", ".join(f"{n:,} {what}" for what, n in before.items())
        )
        report("backlog", *timed_prune())
        report("next run", *timed_prune())
        after = counts()
        print("  left: " + ", ".join(f"{n:,} {what}" for what, n in after.items()))
        assert after["pending"] == before["pending"], "a pending delivery was pruned"
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(DISTINCT verdict_id) FROM webhooks_event WHERE verdict_id IS NOT NULL"
            )
            assert cursor.fetchone()[0] == args.verdicts, "a verdict lost its latest event"
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)


if __name__ == "__main__":
    main()
