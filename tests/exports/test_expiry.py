"""Exports and their files are forgotten when they expire, by beat's sweep; an export left
running by a lost worker whose task never came back ends failed."""

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from rest_framework.test import APIClient

from exports.models import Export
from exports.services import export_file_name
from exports.tasks import EXPORTS_SWEEP_SECONDS, export_write_task, exports_expire_task
from sources.schedules import schedules_install
from tests.exports.helpers import ask
from tests.factories import PublishedVerdictFactory

pytestmark = pytest.mark.django_db


def test_expired_exports_are_deleted_with_their_files() -> None:
    PublishedVerdictFactory.create()
    client = APIClient()
    old, kept = ask(client, language="en"), ask(client)
    for asked in (old, kept):
        export_write_task(asked["id"])
    old_file = export_file_name(Export.objects.get(pk=old["id"]))
    kept_file = export_file_name(Export.objects.get(pk=kept["id"]))
    assert default_storage.exists(old_file)
    Export.objects.filter(pk=old["id"]).update(expires_at=timezone.now() - timedelta(minutes=1))

    assert exports_expire_task() == 1

    assert not default_storage.exists(old_file)
    assert not Export.objects.filter(pk=old["id"]).exists()
    assert default_storage.exists(kept_file)
    assert client.get(kept["url"] + "download").status_code == 200


def test_a_finished_export_is_kept_for_the_expiry_hours(settings: Any) -> None:
    settings.EXPORTS_EXPIRY_HOURS = 2
    PublishedVerdictFactory.create()
    asked = ask(APIClient())
    export_write_task(asked["id"])
    export = Export.objects.get(pk=asked["id"])
    assert export.finished_at is not None
    assert export.expires_at - export.finished_at == pytest.approx(
        timedelta(hours=2), abs=timedelta(seconds=1)
    )


def test_an_export_running_longer_than_any_task_may_ends_failed(settings: Any) -> None:
    PublishedVerdictFactory.create()
    client = APIClient()
    lost, recent = ask(client), ask(client, language="en")
    longest = settings.CELERY_TASK_TIME_LIMIT + settings.CELERY_BROKER_VISIBILITY_TIMEOUT
    now = timezone.now()
    Export.objects.filter(pk=lost["id"]).update(
        status="running", attempts=1, started_at=now - timedelta(seconds=longest + 1)
    )
    Export.objects.filter(pk=recent["id"]).update(status="running", attempts=1, started_at=now)

    exports_expire_task()

    failed = client.get(lost["url"]).json()
    assert failed["status"] == "failed"
    assert failed["error"] == "The export's worker stopped before it finished. Ask for it again."
    assert client.get(recent["url"]).json()["status"] == "running"


def test_the_sweep_is_on_beats_schedule() -> None:
    schedules_install()
    sweep = PeriodicTask.objects.get(task="exports.tasks.exports_expire_task")
    assert sweep.enabled
    assert sweep.interval.every == EXPORTS_SWEEP_SECONDS
