"""Uploads in the admin: nothing is written before the preview is confirmed; a refused or
cancelled upload writes nothing; the preview's form decides how the file is read."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks, Settings

from claims.models import Claim, ClaimEvent, Verdict
from factcheck.celery import app
from sources.models import ImportRun, Source, Upload
from tests.conftest import DATA
from tests.factories import staff_user
from tests.sources.conftest import LIAR

pytestmark = pytest.mark.django_db

TABLE = (DATA / "reviews_sample.csv").read_bytes()  # three reviews, a header row


def counts() -> tuple[int, ...]:
    """Every row an upload could write, from staging to verdicts."""
    return tuple(
        model.objects.count() for model in (Upload, ImportRun, Source, Claim, Verdict, ClaimEvent)
    )


@pytest.fixture
def editor() -> Client:
    client = Client()
    client.force_login(staff_user("ed", "Editors"))
    return client


@pytest.fixture
def eager(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tasks run in the test's process when queued (the import after a confirm)."""
    monkeypatch.setitem(app.conf, "task_always_eager", True)
    yield


def upload(client: Client, name: str, raw: bytes) -> Upload:
    response = client.post("/admin/sources/upload/add/", {"file": SimpleUploadedFile(name, raw)})
    assert response.status_code == 302, response.content[:3000]
    return Upload.objects.get()


def preview_url(staged: Upload) -> str:
    return f"/admin/sources/upload/{staged.pk}/change/"


def options_post(client: Client, staged: Upload, button: str, **changes: str) -> dict[str, str]:
    """The preview's form as shown, with `changes`, posted with `button`."""
    page = client.get(preview_url(staged))
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("on" if v is True else v) for k, v in data.items() if v not in (False, None)}
    data.update(changes)
    data[button] = button
    return data


def confirm(client: Client, staged: Upload, capture: DjangoCaptureOnCommitCallbacks) -> Any:
    """Press Import, and run what it queues after the commit (the import task, eagerly)."""
    with capture(execute=True):
        return client.post(preview_url(staged), options_post(client, staged, "confirm"))


def test_an_upload_over_the_size_limit_is_refused_and_writes_nothing(
    editor: Client, settings: Settings
) -> None:
    settings.IMPORT_MAX_BYTES = 1000
    before = counts()

    response = editor.post(
        "/admin/sources/upload/add/",
        {"file": SimpleUploadedFile("big.csv", b"claim\n" + b"x" * 2000)},
    )

    assert response.status_code == 200
    assert b"The file is too large" in response.content
    assert b"over the limit of 1,000 bytes" in response.content
    assert counts() == before


def test_a_preview_writes_nothing_and_shows_the_rows_as_they_will_be_stored(
    editor: Client,
) -> None:
    staged = upload(editor, "checks.csv", TABLE)
    before = counts()

    page = editor.get(preview_url(staged))

    assert page.status_code == 200
    preview = page.context["preview"]
    assert (preview.total, preview.new, preview.failed, preview.public) == (3, 3, 0, 0)
    first = preview.rows[0]
    assert (first.text, first.claimant, first.original_rating, first.rating) == (
        "The river rose by two metres overnight.",
        "Mayor Jones",
        "False",
        "False",
    )
    assert b"No verdict will be public" in page.content
    assert counts() == before


def test_the_preview_maps_columns_as_the_user_chooses(editor: Client) -> None:
    staged = upload(editor, "checks.csv", TABLE)
    page = editor.get(preview_url(staged))
    assert page.context["form"]["column_claim"].value() == "0"  # "statement", recognised
    assert page.context["form"]["column_claimant"].value() == "1"  # "speaker"
    assert page.context["form"]["column_date"].value() == ""  # "when": not a known name

    data = options_post(editor, staged, "preview", column_date="3", column_claimant="")
    page = editor.post(preview_url(staged), data)

    first = page.context["preview"].rows[0]
    assert (str(first.claim_date), first.claimant) == ("2024-05-01", "")
    staged.refresh_from_db()
    assert staged.options["columns"]["date"] == 3  # kept for the next visit
    assert "claimant" not in staged.options["columns"]


def test_a_trusted_upload_says_how_many_verdicts_it_makes_public_and_publishes_them(
    editor: Client, eager: None, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    staged = upload(editor, "checks.csv", TABLE)
    page = editor.post(preview_url(staged), options_post(editor, staged, "preview", trusted="on"))
    assert page.context["preview"].public == 3
    assert b"3 verdicts will be public at once" in page.content

    response = confirm(editor, staged, django_capture_on_commit_callbacks)

    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/sources/importrun/{run.pk}/change/"
    assert (run.kind, run.trusted, run.claims_created, run.status) == (
        "table",
        True,
        3,
        "succeeded",
    )
    assert set(Claim.objects.values_list("status", flat=True)) == {"published"}
    assert set(Verdict.objects.values_list("status", flat=True)) == {"published"}
    staged.refresh_from_db()
    assert (staged.status, bytes(staged.data), staged.run) == ("imported", b"", run)


def test_an_untrusted_upload_brings_claims_awaiting_review_with_the_review_as_a_draft(
    editor: Client, eager: None, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    staged = upload(editor, "checks.csv", TABLE)

    confirm(editor, staged, django_capture_on_commit_callbacks)

    run = ImportRun.objects.get()
    assert (run.trusted, run.claims_created) == (False, 3)
    assert set(Claim.objects.values_list("status", flat=True)) == {"pending"}
    assert set(Verdict.objects.values_list("status", "origin")) == {("draft", "imported")}


def test_confirming_options_that_were_not_previewed_shows_the_preview_first(
    editor: Client,
) -> None:
    staged = upload(editor, "checks.csv", TABLE)
    before = counts()

    page = editor.post(preview_url(staged), options_post(editor, staged, "confirm", trusted="on"))

    assert page.status_code == 200
    assert b"check the preview, then import" in page.content
    assert page.context["preview"].public == 3
    assert counts() == before  # still only the staged upload


def test_cancelling_an_upload_deletes_it_and_writes_nothing(editor: Client) -> None:
    before = counts()
    staged = upload(editor, "checks.csv", TABLE)

    response = editor.post(preview_url(staged), options_post(editor, staged, "cancel"))

    assert response.status_code == 302
    assert counts() == before


def test_a_liar_file_is_recognised_and_imported_after_its_preview(
    editor: Client, eager: None, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    staged = upload(editor, "train.tsv", LIAR.read_bytes())
    page = editor.get(preview_url(staged))
    assert page.context["form"]["layout"].value() == "liar"
    assert (page.context["preview"].new, page.context["preview"].failed) == (40, 1)
    assert b"3 columns, expected 14" in page.content

    confirm(editor, staged, django_capture_on_commit_callbacks)

    run = ImportRun.objects.get()
    assert (run.kind, run.claims_created, run.items_failed) == ("table", 40, 1)
    assert Claim.objects.count() == 40
    page = editor.get(f"/admin/sources/importrun/{run.pk}/change/")
    assert b"3 columns, expected 14" in page.content


def test_someone_elses_upload_is_not_shown(editor: Client) -> None:
    staged = upload(editor, "checks.csv", TABLE)
    other = Client()
    other.force_login(staff_user("ed2", "Editors"))

    assert other.get(preview_url(staged)).status_code == 403


def test_the_preview_says_which_rows_would_not_be_imported(editor: Client) -> None:
    raw = (
        b"claim,rating,review_url\n"
        b"The moon is cheese.,False,https://fc.example/moon\n"
        b"Mars is red.,True,https://fc.example/mars\n"
        b"The moon is cheese.,False,https://fc.example/moon\n"  # the same row again
        b"The moon is green cheese.,False,https://fc.example/moon\n"  # its review, edited
    )
    staged = upload(editor, "checks.csv", raw)

    page = editor.get(preview_url(staged)).content.decode()

    assert page.count('<td class="upload-outcome-new">Awaiting review</td>') == 2
    assert page.count('<td class="upload-outcome-unchanged">Unchanged</td>') == 1
    assert page.count('<td class="upload-outcome-duplicate">Duplicate, not imported</td>') == 1
