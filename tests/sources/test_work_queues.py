"""Separate work queues: every task is routed by name to the queue of its kind, `make run` serves
each queue with a worker of its own, and with those workers a file dropped into the watched
folder is imported on schedule while a flood of embedding tasks waits for the matching worker,
and a webhook goes out while an export holds the default worker."""

import shutil
import time
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from claims.demo import demo_data_generate
from claims.models import Claim, ClaimEmbedding
from exports.models import Export
from factcheck.celery import app
from factcheck.launch import WORKER_GROUPS, worker_commands
from sources.schedules import schedules_install
from tests.conftest import SEED, database_url
from tests.factories import PublishedVerdictFactory
from tests.sources.workers import IMPORT, REDIS, START, Processes, broker_env, sender
from tests.webhooks.conftest import subscribe
from tests.webhooks.receiver import Receiver
from webhooks.models import Delivery, Event, EventType
from webhooks.outbox import event_body

# Every task and the queue it belongs to. Task names are stored in the broker and in beat's
# schedule rows: they never change.
QUEUE_OF = {
    "sources.tasks.source_import_paths_task": "imports",
    "sources.tasks.source_import_folder_task": "imports",
    "sources.tasks.feed_poll_task": "imports",
    "sources.tasks.claimreview_import_url_task": "imports",
    "sources.tasks.claimreview_import_file_task": "imports",
    "sources.tasks.table_import_task": "imports",
    "sources.tasks.table_import_chunk_task": "imports",
    "sources.tasks.upload_import_task": "imports",
    "sources.tasks.import_run_undo_task": "imports",
    "sources.tasks.tables_analyze_task": "imports",
    "claims.tasks.claims_match_new_task": "matching",
    "claims.tasks.claims_embed_task": "matching",
    "webhooks.tasks.webhooks_deliver_task": "deliveries",
    "exports.tasks.export_write_task": "default",
    "exports.tasks.exports_expire_task": "default",
    "webhooks.tasks.webhooks_prune_task": "default",
}
WAITING = 100_000  # claims waiting to be embedded
BATCH = 1000  # claims per embedding task
INTERVAL = 10  # seconds between scheduled imports of the watched folder


def test_every_task_is_routed_by_name_to_the_queue_of_its_kind() -> None:
    ours = sorted(name for name in app.tasks if not name.startswith("celery."))
    routed = {name: app.amqp.router.route({}, name)["queue"].name for name in ours}

    assert routed == QUEUE_OF
    declared = {queue.name for queue in app.conf.task_queues}
    assert (
        declared
        == set(settings.CELERY_WORK_QUEUES)
        == {
            "imports",
            "matching",
            "deliveries",
            "default",
        }
    )
    assert app.amqp.router.route({}, "claims.tasks.some_new_task")["queue"].name == "default"


def test_make_run_starts_one_worker_for_each_queue() -> None:
    served = [queue for group in WORKER_GROUPS for queue in group.queues]
    assert sorted(served) == sorted(settings.CELERY_WORK_QUEUES)  # each queue, by one worker

    commands = worker_commands({"WORKER_MATCHING_CONCURRENCY": "3"})

    assert [c[c.index("--queues") + 1] for c in commands] == [
        "imports",
        "matching",
        "deliveries",
        "default",
    ]
    assert [c[c.index("--concurrency") + 1] for c in commands] == ["1", "3", "1", "1"]
    assert len({c[c.index("--hostname") + 1] for c in commands}) == 4


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(3 * (START + IMPORT))
@pytest.mark.parametrize("kind", ["redis", "filesystem"])
def test_a_dropped_file_is_imported_on_schedule_while_embeddings_flood_their_queue(
    kind: str, tmp_path: Path, processes: Processes, monkeypatch: pytest.MonkeyPatch
) -> None:
    if kind == "redis" and not REDIS.startswith("redis://"):
        pytest.skip("CELERY_BROKER_URL is not a Redis URL")
    demo_data_generate(claims=WAITING, verdicts=0)
    waiting = list(Claim.objects.order_by("pk").values_list("pk", flat=True))
    watched = tmp_path / "watched"
    watched.mkdir()
    with override_settings(SEEDS_IMPORT_INTERVAL=INTERVAL):
        schedules_install()
    env = broker_env(kind, tmp_path)
    env["SEEDS_DIR"] = str(watched)
    client = sender(kind, tmp_path, monkeypatch)
    # The workers exactly as `make run` starts them, one per group of queues.
    for group, command in zip(WORKER_GROUPS, worker_commands(env), strict=True):
        processes.start(group.name, command, env)
    for group in WORKER_GROUPS:
        processes.wait_ready(group.name)

    for start in range(0, WAITING, BATCH):
        client.send_task("claims.tasks.claims_embed_task", args=[waiting[start : start + BATCH]])
    processes.wait_for(ClaimEmbedding.objects.exists, START, "the embeddings to start")
    processes.start("beat", ["beat", "--loglevel", "INFO"], env)
    processes.wait_for(
        lambda: "source_import_folder_task" in processes.log("imports"),
        START,
        "a first scheduled look at the watched folder",
    )

    shutil.copy(SEED, watched / "dropped.txt")
    dropped = time.monotonic()
    processes.wait_for(
        lambda: Claim.objects.filter(source__origin=str(watched / "dropped.txt")).count() == 17,
        IMPORT,
        "the dropped file's claims",
    )

    took = time.monotonic() - dropped
    assert took <= 2 * INTERVAL, f"imported {took:.1f}s after the drop"
    embedded = ClaimEmbedding.objects.count()
    assert embedded < WAITING, "the embeddings must still be waiting: the test proves nothing"
    # Each kind of work ran on its own worker (a task's log lines name it with its id).
    assert "Task sources.tasks.source_import_paths_task[" in processes.log("imports")
    assert "Task claims.tasks.claims_embed_task[" not in processes.log("imports")
    assert "Task claims.tasks.claims_embed_task[" in processes.log("matching")
    assert "Task sources.tasks.source_import_paths_task[" not in processes.log("matching")


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(3 * START)
def test_a_webhook_goes_out_while_an_export_holds_the_default_worker(
    tmp_path: Path, processes: Processes, monkeypatch: pytest.MonkeyPatch
) -> None:
    kind = "redis" if REDIS.startswith("redis://") else "filesystem"
    receiver = Receiver(secrets=[]).start()
    blocker = psycopg.connect(database_url(connection.settings_dict))
    try:
        subscription = subscribe(receiver, EventType.IMPORT_FINISHED)
        now = timezone.now()
        event = Event.objects.create(
            type=EventType.IMPORT_FINISHED,
            body=event_body(type=EventType.IMPORT_FINISHED, at=now, data={"id": 1}),
            created_at=now,
        )
        # Parked (not due) until the export holds the default worker.
        delivery = Delivery.objects.create(event=event, subscription=subscription, created_at=now)
        PublishedVerdictFactory.create()
        export = Export.objects.create(
            owner="address:127.0.0.1", params={}, expires_at=now + timedelta(hours=1)
        )
        env = broker_env(kind, tmp_path)
        env.update(WEBHOOK_ALLOWED_HOSTS="127.0.0.1", MEDIA_ROOT=str(tmp_path / "media"))
        client = sender(kind, tmp_path, monkeypatch)
        # The workers exactly as `make run` starts them.
        for group, command in zip(WORKER_GROUPS, worker_commands(env), strict=True):
            processes.start(group.name, command, env)
        for group in WORKER_GROUPS:
            processes.wait_ready(group.name)
        # The export's first query reads the rating scale: held here, the export runs on (as a
        # long one does) until the lock goes.
        blocker.execute("LOCK TABLE claims_rating IN ACCESS EXCLUSIVE MODE")
        client.send_task("exports.tasks.export_write_task", args=[str(export.pk)])
        processes.wait_for(
            lambda: Export.objects.filter(pk=export.pk, status="running").exists(),
            START,
            "the default worker to start the export",
        )

        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        client.send_task("webhooks.tasks.webhooks_deliver_task")
        processes.wait_for(lambda: len(receiver.received) == 1, START, "the webhook")

        assert receiver.ids() == [event.webhook_id]
        assert Export.objects.get(pk=export.pk).status == "running"  # still held
        blocker.rollback()
        processes.wait_for(
            lambda: Export.objects.filter(pk=export.pk, status="done").exists(),
            START,
            "the export to finish",
        )
    finally:
        blocker.close()
        receiver.stop()
    assert "Task exports.tasks.export_write_task[" in processes.log("default")
    assert "Task webhooks.tasks.webhooks_deliver_task[" in processes.log("deliveries")
