"""The admin side of scheduled imports: feeds keep their beat entry; import runs show their
chunks. Uploads: test_admin_uploads.py."""

import json

import pytest
from django.test import Client
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from sources.imports.runs import TableChunk
from sources.imports.tables import source_import_table_start
from sources.models import Feed, ImportRun, ImportRunChunk
from tests.factories import UserFactory
from tests.sources.conftest import LIAR

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(UserFactory.create(is_staff=True, is_superuser=True))
    return client


def test_adding_a_feed_in_the_admin_schedules_it_on_its_interval(admin_client: Client) -> None:
    response = admin_client.post(
        "/admin/sources/feed/add/",
        {"url": "https://news.example/feed.xml", "kind": "rss", "interval": 900, "enabled": "on"},
    )
    assert response.status_code == 302, response.content[:2000]
    feed = Feed.objects.get()
    task = PeriodicTask.objects.get(task="sources.tasks.feed_poll_task")
    assert (task.interval.every, task.interval.period, task.enabled) == (900, "seconds", True)
    assert json.loads(task.args) == [feed.pk]

    admin_client.post(
        f"/admin/sources/feed/{feed.pk}/change/",
        {"url": feed.url, "kind": "rss", "interval": 120},
    )
    task.refresh_from_db()
    assert (task.interval.every, task.enabled) == (120, False)
    assert admin_client.get("/admin/sources/feed/").status_code == 200


def test_a_feed_url_typed_without_a_scheme_is_stored_as_https(admin_client: Client) -> None:
    response = admin_client.post(
        "/admin/sources/feed/add/",
        {"url": "news.example/feed.xml", "kind": "rss", "interval": 900, "enabled": "on"},
    )
    assert response.status_code == 302, response.content[:2000]
    assert Feed.objects.get().url == "https://news.example/feed.xml"


def test_an_import_run_page_lists_the_chunks_of_a_shared_table(admin_client: Client) -> None:
    chunks = [TableChunk(0, 15), TableChunk(15, None)]
    run = source_import_table_start(name=LIAR.name, chunks=chunks, trusted=True)
    ImportRunChunk.objects.filter(run=run, first=0).update(finished_at=timezone.now())

    page = admin_client.get(f"/admin/sources/importrun/{run.pk}/change/")

    assert page.status_code == 200
    rows = page.context["inline_admin_formsets"][0].formset.queryset
    assert [(c.first, c.last, c.finished_at is not None) for c in rows] == [
        (0, 15, True),
        (15, None, False),
    ]


def _run_with_items() -> ImportRun:
    return ImportRun.objects.create(
        kind="files",
        origin="inbox/",
        status="partial",
        sources_created=1,
        claims_created=4,
        items_failed=1,
        items=[
            {"path": "inbox/a.txt", "status": "imported", "source": None, "claims_created": 4,
             "error": None},
            {"path": "inbox/b.bin", "status": "failed", "source": None, "claims_created": 0,
             "error": "binary file: not text"},
        ],
    )  # fmt: skip


def test_an_import_runs_items_are_a_table_filterable_to_failures(admin_client: Client) -> None:
    run = _run_with_items()
    page = admin_client.get(f"/admin/sources/importrun/{run.pk}/change/").content.decode()
    table = page[page.index('id="import-items"') :]
    assert "Items: 2 listed, 1 of them failed" in table
    assert "inbox/a.txt" in table and "binary file: not text" in table
    assert '"status": "failed"' not in page  # not the raw JSON
    failures = admin_client.get(f"/admin/sources/importrun/{run.pk}/change/?items=failed")
    table = failures.content.decode()[failures.content.decode().index('id="import-items"') :]
    assert "inbox/b.bin" in table and "binary file: not text" in table
    assert "inbox/a.txt" not in table


def test_the_import_run_list_filters_to_runs_with_failures(admin_client: Client) -> None:

    failed = _run_with_items()
    clean = ImportRun.objects.create(kind="files", origin="inbox/", status="succeeded")
    response = admin_client.get("/admin/sources/importrun/?outcome=failures")
    shown = [run.pk for run in response.context["cl"].result_list]
    assert shown == [failed.pk] and clean.pk not in shown
