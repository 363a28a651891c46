"""Webhook history is kept for WEBHOOK_RETENTION_DAYS, then pruned by beat in bounded chunks:
finished deliveries, their attempts and the events no delivery needs go; pending deliveries,
their events and each verdict's latest event stay, so sequence numbers never repeat."""

import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from io import StringIO
from typing import Any

import psycopg
import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from pytest_django.fixtures import Settings

from claims import workflow
from claims.models import Claim, Verdict
from factcheck.celery import app
from factcheck.db import advisory_key
from sources.schedules import WEBHOOKS_PRUNE_TASK_NAME, schedules_install
from tests.conftest import database_url
from tests.factories import ClaimFactory, VerdictFactory, staff_user
from tests.webhooks.conftest import awaiting_approval, subscribe
from tests.webhooks.receiver import Receiver
from tests.webhooks.test_events import correct
from webhooks.delivery import deliveries_deliver_due
from webhooks.models import Attempt, Delivery, DeliveryStatus, Event, EventType
from webhooks.retention import webhooks_prune
from webhooks.services import subscription_disable
from webhooks.tasks import PRUNE_SECONDS

pytestmark = pytest.mark.django_db

DAYS = 30


@pytest.fixture(autouse=True)
def retention(settings: Settings) -> Settings:
    settings.WEBHOOK_RETENTION_DAYS = DAYS
    return settings


def age(days: float, events: Any = None) -> None:
    """Make `events` (every event by default), their deliveries and attempts `days` old."""
    events = Event.objects.all() if events is None else events
    then = timezone.now() - timedelta(days=days)
    ids = list(events.values_list("id", flat=True))
    Event.objects.filter(id__in=ids).update(created_at=then)
    Delivery.objects.filter(event_id__in=ids).update(created_at=then)
    Delivery.objects.filter(event_id__in=ids, delivered_at__isnull=False).update(delivered_at=then)
    Attempt.objects.filter(delivery__event_id__in=ids).update(started_at=then)


def published() -> Claim:
    """A claim whose verdict was just published (by the same reviewer and editor each time)."""
    if not User.objects.filter(username="rita").exists():
        claim, editor = awaiting_approval()
    else:
        reviewer, editor = User.objects.get(username="rita"), User.objects.get(username="ed")
        claim = ClaimFactory.create(status=Claim.Status.AWAITING_APPROVAL, assignee=reviewer)
        VerdictFactory.create(claim=claim, author=reviewer, status=Verdict.Status.DRAFT)
    workflow.perform("publish", claim, editor)
    claim.refresh_from_db()
    return claim


def sequences(claim: Claim) -> list[int | None]:
    verdict = Verdict.objects.get(claim=claim)
    rows = Event.objects.filter(verdict_id=verdict.pk).order_by("sequence")
    return list(rows.values_list("sequence", flat=True))


def test_delivered_history_older_than_the_retention_is_deleted(
    webhook_settings: Settings, receiver: Receiver
) -> None:
    subscribe(receiver)
    claim = published()
    editor = staff_user("ed2", "Editors")
    correct(claim, editor, "The figure was for 2023.", "Corrected headline")
    deliveries_deliver_due()
    age(DAYS + 1)
    recent = published()  # a second verdict's event, delivered today
    deliveries_deliver_due()
    assert Delivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 3

    pruned = webhooks_prune()

    assert (pruned.deliveries, pruned.attempts, pruned.events) == (2, 2, 1)
    assert pruned.complete
    # The old verdict keeps only its latest event, with no delivery; the recent one keeps all.
    assert sequences(claim) == [2]
    assert sequences(recent) == [1]
    assert Delivery.objects.get().event.verdict_id == Verdict.objects.get(claim=recent).pk
    assert Attempt.objects.count() == 1


def test_history_within_the_retention_is_kept(
    webhook_settings: Settings, receiver: Receiver
) -> None:
    subscribe(receiver, EventType.CLAIM_CREATED, EventType.VERDICT_PUBLISHED)
    published()
    deliveries_deliver_due()
    age(DAYS - 1)

    pruned = webhooks_prune()

    assert (pruned.events, pruned.deliveries, pruned.attempts) == (0, 0, 0)
    assert (Event.objects.count(), Delivery.objects.count(), Attempt.objects.count()) == (1, 1, 1)


def test_pending_deliveries_and_their_events_are_never_pruned(
    webhook_settings: Settings, receiver: Receiver
) -> None:
    subscription = subscribe(receiver)
    receiver.status = 503
    claim = published()
    correct(claim, staff_user("ed2", "Editors"), "A note.", "Corrected headline")
    deliveries_deliver_due()  # one failed attempt each: both still pending, retried later
    subscription_disable(subscription_id=subscription.pk, reason="Down for maintenance.")
    age(DAYS + 100)

    pruned = webhooks_prune()

    assert (pruned.events, pruned.deliveries, pruned.attempts) == (0, 0, 0)
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.PENDING}
    assert sequences(claim) == [1, 2]
    assert Attempt.objects.count() == 2  # why they failed, shown when they are enabled again


def test_a_failed_delivery_tried_again_within_the_retention_is_kept(
    webhook_settings: Settings, receiver: Receiver
) -> None:
    webhook_settings.WEBHOOK_MAX_ATTEMPTS = 1
    subscribe(receiver)
    receiver.status = 500
    published()
    deliveries_deliver_due()
    age(DAYS + 5)
    replayed = Delivery.objects.get()
    assert replayed.status == DeliveryStatus.FAILED
    Attempt.objects.create(
        delivery=replayed,
        number=2,
        started_at=timezone.now() - timedelta(days=1),
        duration_ms=3,
        status_code=500,
        succeeded=False,
    )
    Delivery.objects.filter(pk=replayed.pk).update(attempts=2)

    assert webhooks_prune().deliveries == 0
    assert Delivery.objects.filter(pk=replayed.pk).exists()

    age(DAYS + 5)  # its last attempt too is old now
    assert webhooks_prune().deliveries == 1


def test_the_latest_event_of_a_verdict_stays_and_the_next_one_continues_its_sequence(
    webhook_settings: Settings,
) -> None:
    # No subscription: verdict events are written anyway, so that numbers have no gaps.
    claim = published()
    editor = staff_user("ed2", "Editors")
    correct(claim, editor, "First note.", "Corrected once")
    claim.refresh_from_db()
    correct(claim, editor, "Second note.", "Corrected twice")
    claim.refresh_from_db()
    age(DAYS + 1)

    assert webhooks_prune().events == 2
    assert sequences(claim) == [3]
    assert webhooks_prune().events == 0  # however often it runs, the latest stays

    workflow.perform("retract", claim, editor, note="The source was withdrawn.")

    assert sequences(claim) == [3, 4]
    latest = Event.objects.get(sequence=4)
    assert json.loads(latest.body)["data"]["sequence"] == 4


def test_events_of_claims_and_imports_go_once_no_delivery_needs_them() -> None:
    now = timezone.now()
    for type in (EventType.CLAIM_CREATED, EventType.IMPORT_FINISHED):
        Event.objects.create(type=type, body="{}", created_at=now - timedelta(days=DAYS + 1))
    Event.objects.create(type=EventType.CLAIM_CREATED, body="{}", created_at=now)

    assert webhooks_prune().events == 2
    assert list(Event.objects.values_list("created_at", flat=True)) == [now]


def test_nothing_is_pruned_when_the_retention_is_zero(settings: Settings) -> None:
    settings.WEBHOOK_RETENTION_DAYS = 0
    Event.objects.create(
        type=EventType.CLAIM_CREATED, body="{}", created_at=timezone.now() - timedelta(days=999)
    )

    assert webhooks_prune().events == 0
    assert Event.objects.count() == 1


@pytest.fixture
def remaining_after_each_chunk() -> Iterator[list[int]]:
    """Events left after each pruning statement on the event table, as the pruning runs."""
    seen: list[int] = []

    def count(execute: Callable, sql: str, params: Any, many: bool, context: Any) -> Any:
        result = execute(sql, params, many, context)
        if "DELETE FROM webhooks_event" in sql:
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM webhooks_event")
                seen.append(cursor.fetchone()[0])
        return result

    with connection.execute_wrapper(count):
        yield seen


def test_pruning_deletes_in_chunks_of_the_batch_size(
    remaining_after_each_chunk: list[int],
) -> None:
    old = timezone.now() - timedelta(days=DAYS + 1)
    Event.objects.bulk_create(
        Event(type=EventType.CLAIM_CREATED, body="{}", created_at=old) for _ in range(25)
    )
    Event.objects.create(type=EventType.CLAIM_CREATED, body="{}", created_at=timezone.now())

    assert webhooks_prune(batch=10).events == 25

    # 10 rows looked at per statement: 10 deleted, 10, then the last 5 old ones beside the new
    # one; a last look finds the end of the table.
    assert remaining_after_each_chunk == [16, 6, 1, 1]


def test_pruning_stops_when_its_time_is_up_and_the_next_run_goes_on() -> None:
    old = timezone.now() - timedelta(days=DAYS + 1)
    Event.objects.bulk_create(
        Event(type=EventType.CLAIM_CREATED, body="{}", created_at=old) for _ in range(5)
    )

    stopped = webhooks_prune(seconds=0)
    assert (stopped.events, stopped.complete) == (0, False)

    assert webhooks_prune().events == 5


def test_a_second_pruning_waits_for_nothing_while_one_runs() -> None:
    Event.objects.create(
        type=EventType.CLAIM_CREATED, body="{}", created_at=timezone.now() - timedelta(days=99)
    )

    # Another worker's pruning holds the lock, on a connection of its own.
    with psycopg.connect(database_url(connection.settings_dict), autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s)", [advisory_key("webhooks-prune")])
        busy = webhooks_prune()
        # Released here: a closed connection's backend lets go of its locks only as it exits,
        # which may be after the next line has asked for the lock.
        other.execute("SELECT pg_advisory_unlock(%s)", [advisory_key("webhooks-prune")])

    assert (busy.events, busy.complete) == (0, False)
    assert webhooks_prune().events == 1


def test_beat_runs_the_pruning_every_hour_from_its_schedule_entry() -> None:
    Event.objects.create(
        type=EventType.CLAIM_CREATED, body="{}", created_at=timezone.now() - timedelta(days=99)
    )
    schedules_install()

    entry = PeriodicTask.objects.get(name=WEBHOOKS_PRUNE_TASK_NAME)
    assert entry.enabled
    assert entry.interval.every == PRUNE_SECONDS == 3600
    assert app.amqp.router.route({}, entry.task)["queue"].name == "default"
    # What beat sends: the entry's task by name, with the entry's arguments.
    result = app.tasks[entry.task].apply(
        args=json.loads(entry.args), kwargs=json.loads(entry.kwargs)
    )

    assert result.get() == {"events": 1, "deliveries": 0, "attempts": 0}
    assert not Event.objects.exists()


def test_the_command_prunes_and_says_what_it_deleted() -> None:
    Event.objects.create(
        type=EventType.CLAIM_CREATED, body="{}", created_at=timezone.now() - timedelta(days=99)
    )
    out = StringIO()

    call_command("prune_webhooks", stdout=out)

    assert out.getvalue() == "deleted 1 events, 0 deliveries and 0 attempts older than 30 days\n"
    assert not Event.objects.exists()


def test_the_admin_lists_say_how_long_history_is_kept() -> None:
    client = Client()
    client.force_login(staff_user("admin", superuser=True))

    for page in ("/admin/webhooks/delivery/", "/admin/webhooks/subscription/"):
        shown = client.get(page).content.decode()
        assert "kept for 30 days after their last attempt" in shown, page
