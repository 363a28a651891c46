"""The beat schedules, declared in one place and kept in the database (django-celery-beat), so
operators see and edit them in the admin (Periodic tasks)."""

import json

from django.conf import settings
from django.db import transaction
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from exports.tasks import EXPORTS_SWEEP_SECONDS
from sources.models import Feed
from webhooks.tasks import PRUNE_SECONDS

FOLDER_TASK_NAME = "Import the watched folder (SEEDS_DIR)"
WEBHOOKS_TASK_NAME = "Deliver due webhooks (retries, and any whose task was lost)"
EXPORTS_TASK_NAME = "Delete expired exports and their files"
WEBHOOKS_PRUNE_TASK_NAME = "Delete webhook history older than WEBHOOK_RETENTION_DAYS"


def _every(seconds: int) -> IntervalSchedule:
    schedule, _ = IntervalSchedule.objects.get_or_create(
        every=seconds, period=IntervalSchedule.SECONDS
    )
    return schedule


@transaction.atomic
def schedules_install() -> None:
    """Install the default schedules if missing (an operator's later edits are kept) and make
    each feed's schedule match the feed. Idempotent; `make run` calls it after migrating."""
    PeriodicTask.objects.get_or_create(
        name=FOLDER_TASK_NAME,
        defaults={
            "task": "sources.tasks.source_import_folder_task",
            "interval": _every(settings.SEEDS_IMPORT_INTERVAL),
        },
    )
    PeriodicTask.objects.get_or_create(
        name=WEBHOOKS_TASK_NAME,
        defaults={
            "task": "webhooks.tasks.webhooks_deliver_task",
            "interval": _every(settings.WEBHOOK_SWEEP_INTERVAL),
        },
    )
    PeriodicTask.objects.get_or_create(
        name=EXPORTS_TASK_NAME,
        defaults={
            "task": "exports.tasks.exports_expire_task",
            "interval": _every(EXPORTS_SWEEP_SECONDS),
        },
    )
    PeriodicTask.objects.get_or_create(
        name=WEBHOOKS_PRUNE_TASK_NAME,
        defaults={
            "task": "webhooks.tasks.webhooks_prune_task",
            "interval": _every(PRUNE_SECONDS),
        },
    )
    for feed in Feed.objects.all():
        feed_schedule_sync(feed=feed)


def _feed_task_name(feed: Feed) -> str:
    return f"Poll feed #{feed.pk}"


@transaction.atomic
def feed_schedule_sync(*, feed: Feed) -> PeriodicTask:
    """Create or update the beat entry polling `feed` every `feed.interval` seconds, enabled
    when the feed is."""
    task, _ = PeriodicTask.objects.update_or_create(
        name=_feed_task_name(feed),
        defaults={
            "task": "sources.tasks.feed_poll_task",
            "interval": _every(feed.interval),
            "args": json.dumps([feed.pk]),
            "enabled": feed.enabled,
            "description": feed.url,
        },
    )
    return task


def feed_schedule_delete(*, feed: Feed) -> None:
    PeriodicTask.objects.filter(name=_feed_task_name(feed)).delete()
