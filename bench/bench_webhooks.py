"""Benchmark of webhook deliveries: throughput from one worker, and the delay from a publish's
commit to the receiver.

    .venv/bin/python bench/bench_webhooks.py [--events 3000] [--publishes 100]

A receiver on 127.0.0.1 (tests/webhooks/receiver.py: it verifies every request with the
standardwebhooks library) and one real worker started as `make run` starts the worker that
serves the `deliveries` queue (factcheck/launch.py; the broker from CELERY_BROKER_URL, else the
filesystem broker in a temporary folder).

1. Throughput: one import writes `--events` claim.created events (and their deliveries); one
   delivering task is sent and the clock runs until each has had its first attempt. The floor,
   in the same run: the same number of signed POSTs sent by `delivery_send` from this process
   with the same threads, no database and no Celery.
2. Latency: `--publishes` verdicts published through the workflow one after another, 0.2 s
   apart (an idle queue); for each, the time from its commit to its arrival at the receiver.
Runs in a scratch database `<NAME>_bench_webhooks`, created and dropped here.
"""

import argparse
import functools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
from factcheck.localenv import local_environment_prepare  # noqa: E402
from tests.webhooks.receiver import Receiver  # noqa: E402

os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ["WEBHOOK_ALLOWED_HOSTS"] = "127.0.0.1"
if not os.environ.get("CELERY_BROKER_URL"):
    os.environ["CELERY_BROKER_FOLDER"] = tempfile.mkdtemp(prefix="bench-webhooks-broker-")
print = functools.partial(print, flush=True)


def start_worker() -> subprocess.Popen[bytes]:
    """The worker `make run` starts for the `deliveries` queue."""
    from django.db import connection

    from factcheck.launch import worker_commands
    from tests.conftest import database_url

    env = dict(os.environ, DATABASE_URL=database_url(connection.settings_dict))
    [command] = [c for c in worker_commands(env) if "deliveries" in c[c.index("--queues") + 1]]
    log = open(Path(tempfile.gettempdir()) / "bench-webhooks-worker.log", "wb")
    worker = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while b" ready." not in Path(log.name).read_bytes():
        if time.monotonic() > deadline or worker.poll() is not None:
            raise SystemExit(f"the worker did not start; see {log.name}")
        time.sleep(0.1)
    return worker


def wait_until(condition: Callable[[], bool], seconds: float) -> None:
    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            raise SystemExit("timed out")
        time.sleep(0.01)


def bench_throughput(events: int, receiver: Receiver) -> float:
    from django.conf import settings

    from factcheck.celery import app
    from sources.imports.tables import source_import_table
    from webhooks.delivery import Outgoing, deliveries_send
    from webhooks.models import Attempt, Delivery, Event
    from webhooks.tasks import webhooks_deliver_task

    rows = "".join(
        f"r{n}\tStatement {n} puts the figure at {n * 3}.\tfalse\n" for n in range(events)
    )
    source_import_table(raw=f"id\tclaim\trating\n{rows}".encode(), name="b.tsv", trusted=False)
    app.control.purge()  # the matching tasks the import queued: not this benchmark's
    assert Event.objects.count() == events

    # Until every delivery has had its first attempt (a failed one waits for its retry).
    first = Attempt.objects.filter(number=1)
    t0 = time.perf_counter()
    webhooks_deliver_task.delay()
    wait_until(lambda: first.count() == events, 900)
    took = time.perf_counter() - t0
    rate = events / took
    failed = first.filter(succeeded=False)
    errors = sorted({a.error[:80] for a in failed[:5]})
    print(
        f"  one worker: {events:,} deliveries in {took:.2f}s = {rate:,.0f} deliveries/s "
        f"({failed.count()} failed, to be retried{': ' + '; '.join(errors) if errors else ''})"
    )

    # The floor: the same signed POSTs, the same threads, no database, no Celery.
    bodies = list(Event.objects.values_list("id", "body")[:events])
    subscription = Delivery.objects.select_related("subscription").first().subscription  # type: ignore[union-attr]
    batch = [
        Outgoing(pk, 1, (1, -pk), subscription.url, (subscription.secret,), f"floor_{pk}", body)
        for pk, body in bodies
    ]
    t0 = time.perf_counter()
    with ThreadPoolExecutor(settings.WEBHOOK_CONCURRENCY) as pool:
        for start in range(0, events, settings.WEBHOOK_BATCH):
            outcomes = deliveries_send(batch[start : start + settings.WEBHOOK_BATCH], pool)
            assert all(o.succeeded for o in outcomes)
    floor = events / (time.perf_counter() - t0)
    print(
        f"  floor (signed POSTs only, this process): {floor:,.0f}/s; worker at {rate / floor:.2f}x"
    )
    return rate


def bench_latency(publishes: int, receiver: Receiver) -> None:
    from django.db import transaction

    from claims import workflow
    from claims.models import Claim, Rating, Verdict
    from sources.models import Source
    from tests.factories import staff_user

    reviewer = staff_user("bench-rita", "Reviewers")
    editor = staff_user("bench-ed", "Editors")
    rating = Rating.objects.get(slug="false")
    claims = []
    for n in range(publishes):
        body = f"The bench claim number {n} says the figure doubled."
        source = Source.objects.create(body=body, content_hash=f"bench-{n}", title="Bench")
        claim = Claim.objects.create(
            source=source, text=body, start=0, end=len(body), position=0, language="en",
            status=Claim.Status.AWAITING_APPROVAL, assignee=reviewer,
        )  # fmt: skip
        Verdict.objects.create(
            claim=claim, author=reviewer, rating=rating, headline=f"Verdict {n}",
            summary="Not so.", status=Verdict.Status.DRAFT,
        )  # fmt: skip
        claims.append(claim)
    delays = []
    for claim in claims:
        committed: list[float] = []
        arrived = len(receiver.received)
        with transaction.atomic():
            # Runs first once the commit is done: the commit's moment.
            transaction.on_commit(functools.partial(lambda c: c.append(time.time()), committed))
            workflow.perform("publish", claim, editor)
        wait_until(functools.partial(lambda n: len(receiver.received) > n, arrived), 60)
        delays.append(receiver.received[arrived].at - committed[0])
        time.sleep(0.2)
    delays.sort()
    p50 = statistics.median(delays)
    p95 = delays[max(0, round(0.95 * len(delays)) - 1)]
    print(
        f"  publish commit -> receiver, {publishes} publishes on an idle queue: "
        f"p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, max {delays[-1] * 1000:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--publishes", type=int, default=100)
    args = parser.parse_args()

    import django

    local_environment_prepare()
    django.setup()
    from django.conf import settings
    from django.db import connection

    from webhooks.models import EventType
    from webhooks.services import subscription_create

    connection.settings_dict["TEST"]["NAME"] = f"{connection.settings_dict['NAME']}_bench_webhooks"
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    broker = settings.CELERY_BROKER_URL.split("://")[0]
    print(
        f"scratch database: {test_db}; broker: {broker}; load average "
        f"{os.getloadavg()[0]:.1f}, {os.cpu_count()} cores; WEBHOOK_CONCURRENCY "
        f"{settings.WEBHOOK_CONCURRENCY}, WEBHOOK_BATCH {settings.WEBHOOK_BATCH}"
    )
    receiver = Receiver(secrets=[]).start()
    worker = None
    try:
        types = [EventType.CLAIM_CREATED, EventType.VERDICT_PUBLISHED]
        _, secret = subscription_create(url=receiver.url, event_types=types)
        receiver.secrets.append(secret)
        worker = start_worker()
        bench_throughput(args.events, receiver)
        bench_latency(args.publishes, receiver)
        assert receiver.refused == []
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(30)
        receiver.stop()
        connection.close()
        connection.creation.destroy_test_db(test_db, verbosity=0)


if __name__ == "__main__":
    main()
