"""Real Celery worker and beat processes delivering to a real receiver on 127.0.0.1: the
delivering worker is killed with SIGKILL in the middle of a batch of 1,000 events; after a
restart every event arrives at least once, and every duplicate carries its first attempt's id.
And beat prunes old history from the schedule entry `make run` installs."""

from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from sources.imports.tables import source_import_table
from sources.schedules import WEBHOOKS_PRUNE_TASK_NAME, schedules_install
from tests.sources.workers import REDIS, START, Processes, broker_env, sender
from tests.webhooks.conftest import subscribe
from tests.webhooks.receiver import Receiver
from webhooks.models import Event, EventType

EVENTS = 1000
DELIVERY = 300  # seconds for every event to arrive

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(3 * START + 2 * DELIVERY),
]


def test_a_delivering_worker_killed_mid_batch_loses_no_event(
    tmp_path: Path,
    processes: Processes,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kind = "redis" if REDIS.startswith("redis://") else "filesystem"
    receiver = Receiver(secrets=[], delay=0.005).start()  # ~5 ms an answer: a batch takes a while
    try:
        subscribe(receiver, EventType.CLAIM_CREATED)
        env = broker_env(kind, tmp_path)
        env.update(
            WEBHOOK_ALLOWED_HOSTS="127.0.0.1",
            WEBHOOK_TIMEOUT="2",  # leases of 22 s: the killed worker's batch is due again soon
            WEBHOOK_RETRY_BASE="1",
            WEBHOOK_CONCURRENCY="4",
        )
        app = sender(kind, tmp_path, monkeypatch)
        rows = "".join(
            f"r{n}\tStatement {n} puts the figure at {n * 3}.\tfalse\n" for n in range(EVENTS)
        )
        source_import_table(raw=f"id\tclaim\trating\n{rows}".encode(), name="t.tsv", trusted=False)
        assert Event.objects.count() == EVENTS
        processes.start_worker("first", env)
        processes.wait_ready("first")

        app.send_task("webhooks.tasks.webhooks_deliver_task")
        processes.wait_for(lambda: len(receiver.received) >= 100, START, "the first deliveries")
        processes.kill("first")

        arrived = len(receiver.received)
        assert arrived < EVENTS, "the kill must land in the middle of the batch"
        # Beat's sweep, every 2 s, as `make run` installs it every WEBHOOK_SWEEP_INTERVAL.
        every, _ = IntervalSchedule.objects.get_or_create(every=2, period=IntervalSchedule.SECONDS)
        PeriodicTask.objects.create(
            name="sweep", task="webhooks.tasks.webhooks_deliver_task", interval=every
        )
        processes.start_worker("second", env)
        processes.start("beat", ["beat", "--loglevel", "INFO"], env)
        processes.wait_ready("second")
        every_id = {f"msg_{pk}" for pk in Event.objects.values_list("id", flat=True)}
        processes.wait_for(
            lambda: set(receiver.ids()) >= every_id, DELIVERY, "every event to arrive"
        )
    finally:
        receiver.stop()

    ids_of_claim: dict[int, set[str]] = defaultdict(set)
    for received in receiver.received:
        ids_of_claim[received.body["data"]["id"]].add(received.webhook_id)
    assert len(ids_of_claim) == EVENTS  # every event, at least once
    assert all(len(ids) == 1 for ids in ids_of_claim.values())  # a duplicate keeps its id
    assert receiver.refused == []
    duplicates = len(receiver.received) - EVENTS
    print(f"{arrived} delivered before the kill, {duplicates} delivered twice after it")


def test_beat_prunes_old_history_from_the_installed_schedule_entry(
    tmp_path: Path, processes: Processes, monkeypatch: pytest.MonkeyPatch
) -> None:
    kind = "redis" if REDIS.startswith("redis://") else "filesystem"
    now = timezone.now()
    old = Event.objects.create(
        type=EventType.CLAIM_CREATED, body="{}", created_at=now - timedelta(days=31)
    )
    recent = Event.objects.create(type=EventType.CLAIM_CREATED, body="{}", created_at=now)
    schedules_install()
    # The entry as installed, due every 2 s instead of every hour; nothing else scheduled.
    every, _ = IntervalSchedule.objects.get_or_create(every=2, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.exclude(name=WEBHOOKS_PRUNE_TASK_NAME).update(enabled=False)
    PeriodicTask.objects.filter(name=WEBHOOKS_PRUNE_TASK_NAME).update(interval=every)
    env = broker_env(kind, tmp_path)
    env["WEBHOOK_RETENTION_DAYS"] = "30"
    sender(kind, tmp_path, monkeypatch)  # an empty broker
    processes.start_worker("worker", env)
    processes.wait_ready("worker")

    processes.start("beat", ["beat", "--loglevel", "INFO"], env)
    processes.wait_for(
        lambda: not Event.objects.filter(pk=old.pk).exists(), START, "beat's pruning"
    )

    assert Event.objects.filter(pk=recent.pk).exists()
    assert "Task webhooks.tasks.webhooks_prune_task[" in processes.log("worker")
