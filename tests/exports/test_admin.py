"""Exports in the admin: a member of staff asks for one with the verdict list's filters, sees
their own, and downloads the file; the verdicts' CSV action sends a selection too large to
stream there."""

import csv
import io
from typing import Any

import pytest
from django.test import Client

from claims.models import Rating
from exports.models import Export
from exports.tasks import export_write_task
from tests.factories import PublishedVerdictFactory, staff_user

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_editor_asks_for_an_export_and_downloads_its_file() -> None:
    true = Rating.objects.get(slug="true")
    kept = PublishedVerdictFactory.create()
    PublishedVerdictFactory.create(rating=true)
    editor = signed_in(staff_user("ed", "Editors"))
    form = editor.get("/admin/exports/export/add/")
    assert form.status_code == 200
    assert 'name="published_after"' in form.content.decode()

    added = editor.post("/admin/exports/export/add/", {"rating": "false", "language": "en"})
    assert added.status_code == 302, added.content.decode()
    export = Export.objects.get()
    assert export.params == {"rating": "false", "language": "en"}
    assert export.owner == f"user:{export.requested_by_id}"
    export_write_task(str(export.pk))

    listing = editor.get("/admin/exports/export/").content.decode()
    link = f"/api/v1/exports/{export.pk}/download"
    assert link in listing
    assert "rating=false, language=en" in listing
    page = editor.get(f"/admin/exports/export/{export.pk}/change/")
    assert page.status_code == 200
    assert link in page.content.decode()
    download = editor.get(link)
    assert download.status_code == 200
    rows = list(csv.DictReader(io.StringIO(download.getvalue().decode())))
    assert [int(row["id"]) for row in rows] == [kept.pk]

    # Another editor sees none of it and cannot download it.
    other = signed_in(staff_user("eve", "Editors"))
    assert link not in other.get("/admin/exports/export/").content.decode()
    assert other.get(link).status_code == 404


def test_a_filter_the_verdict_list_refuses_is_named_on_the_form() -> None:
    editor = signed_in(staff_user("ed", "Editors"))
    response = editor.post("/admin/exports/export/add/", {"claimant": "0"})
    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 1." in response.content.decode()
    assert not Export.objects.exists()


def test_too_many_pending_exports_is_said_in_a_message(settings: Any) -> None:
    settings.EXPORTS_MAX_PENDING = 1
    editor = signed_in(staff_user("ed", "Editors"))
    editor.post("/admin/exports/export/add/", {"language": "en"})
    refused = editor.post("/admin/exports/export/add/", {"language": "de"}, follow=True)
    assert "You have 1 exports queued or running" in refused.content.decode()
    assert Export.objects.count() == 1


def test_the_verdict_csv_action_sends_a_large_selection_to_the_exports_page(
    settings: Any,
) -> None:
    settings.EXPORTS_STREAM_MAX_ROWS = 1
    verdicts = [PublishedVerdictFactory.create() for _ in range(2)]
    editor = signed_in(staff_user("ed", "Editors", superuser=True))
    response = editor.post(
        "/admin/claims/verdict/",
        {"action": "verdict_export_csv", "_selected_action": [v.pk for v in verdicts]},
        follow=True,
    )
    body = response.content.decode()
    assert "More than 1 verdicts selected: too many to download here." in body
    assert 'href="/admin/exports/export/add/"' in body
    one = editor.post(
        "/admin/claims/verdict/",
        {"action": "verdict_export_csv", "_selected_action": [verdicts[0].pk]},
    )
    assert one.status_code == 200
    assert one["Content-Type"] == "text/csv; charset=utf-8"
