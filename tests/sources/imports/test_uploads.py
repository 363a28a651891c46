"""Uploads: what is detected, what a preview counts without writing, what an import does once
confirmed, and what becomes of uploads nobody confirms."""

from datetime import timedelta
from hashlib import sha256

import pytest
from django.utils import timezone
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks, Settings

from claims.models import Claim
from factcheck.errors import StaleState
from sources.imports.previews import upload_preview
from sources.imports.tables import source_import_table
from sources.imports.uploads import (
    UploadOptions,
    UploadTooLarge,
    upload_cancel,
    upload_confirm,
    upload_detect,
    upload_stage,
)
from sources.models import ImportRun, Source, Upload
from sources.tasks import upload_import_task
from tests.conftest import DATA, SEED
from tests.factories import staff_user
from tests.sources.conftest import LIAR

pytestmark = pytest.mark.django_db

REVIEWS = (DATA / "reviews_sample.csv").read_bytes()


@pytest.mark.parametrize(
    ("name", "raw", "format", "layout"),
    [
        ("reviews.csv", REVIEWS, "table", "header"),
        ("x.txt", REVIEWS, "table", "header"),  # rows of the same width
        ("train.tsv", LIAR.read_bytes(), "table", "liar"),
        ("numbers.csv", b"1,2,3\n4,5,6\n", "table", "plain"),
        ("feed.json", (DATA / "claimreview_datafeed.json").read_bytes(), "claimreview", "header"),
        ("page.html", (DATA / "claimreview_page.html").read_bytes(), "claimreview", "header"),
        ("article.html", b"<html><body><p>The sky is green.</p></body></html>", "document", ""),
        ("seed.txt", SEED.read_bytes(), "document", ""),
        ("notes.md", b"# Notes\n\nThe sky is green.\n", "document", ""),
    ],
)
def test_an_uploads_format_is_detected(name: str, raw: bytes, format: str, layout: str) -> None:
    options = upload_detect(raw=raw, name=name)
    assert options.format == format
    if format == "table":
        assert options.layout == layout


def test_staging_refuses_a_file_over_the_limit_and_stores_nothing(settings: Settings) -> None:
    settings.IMPORT_MAX_BYTES = len(REVIEWS) - 1
    with pytest.raises(UploadTooLarge, match=f"{len(REVIEWS):,} bytes"):
        upload_stage(name="reviews.csv", raw=REVIEWS, actor=staff_user("ed", "Editors"))
    assert Upload.objects.count() == 0


def test_staged_uploads_expire_when_another_is_staged(settings: Settings) -> None:
    editor = staff_user("ed", "Editors")
    old = upload_stage(name="old.csv", raw=REVIEWS, actor=editor)
    Upload.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=25))

    new = upload_stage(name="new.csv", raw=REVIEWS, actor=editor)

    assert list(Upload.objects.values_list("pk", flat=True)) == [new.pk]


def test_a_preview_counts_what_is_new_unchanged_and_failing() -> None:
    source_import_table(raw=REVIEWS, name="reviews.csv", trusted=False)
    again = REVIEWS.splitlines(keepends=True)[1]  # a row twice in the file
    more = REVIEWS + again + b",Ms Lee,True,,\n" + b"Trams are free on Sundays.,Mr Fox,True,,\n"
    staged = upload_stage(name="reviews.csv", raw=more, actor=staff_user("ed", "Editors"))
    before = Claim.objects.count()

    preview = upload_preview(
        upload=staged, options=UploadOptions.from_json({**staged.options, "trusted": True})
    )

    assert (preview.total, preview.new, preview.stored, preview.failed) == (6, 1, 4, 1)
    assert preview.errors == ["reviews.csv:6: line 6: the claim column is empty"]
    assert preview.public == 1
    # Each row shown says what importing does with it: only the new one is stored.
    assert [row.outcome for row in preview.rows] == ["unchanged"] * 4 + ["new"]
    assert Claim.objects.count() == before


def test_a_claimreview_preview_names_the_items_that_would_fail() -> None:
    raw = (DATA / "claimreview_datafeed.json").read_bytes()
    staged = upload_stage(name="feed.json", raw=raw, actor=staff_user("ed", "Editors"))

    preview = upload_preview(upload=staged, options=UploadOptions.from_json(staged.options))

    assert (preview.new, preview.failed) == (2, 2)
    assert any("claimReviewed is missing or empty" in error for error in preview.errors)
    assert preview.rows[0].publisher == "Checker"


def test_a_table_without_a_claim_column_cannot_be_imported() -> None:
    staged = upload_stage(name="n.csv", raw=b"1,2,3\n4,5,6\n", actor=staff_user("ed", "Editors"))
    preview = upload_preview(upload=staged, options=UploadOptions.from_json(staged.options))
    assert "no claim column" in preview.error


def test_a_document_imported_before_would_create_nothing() -> None:
    staged = upload_stage(name="seed.txt", raw=SEED.read_bytes(), actor=staff_user("ed"))
    first = upload_preview(upload=staged, options=UploadOptions.from_json(staged.options))
    assert (first.new, first.existing) == (17, None)

    source = Source.objects.create(body="x", content_hash=sha256(SEED.read_bytes()).hexdigest())
    again = upload_preview(upload=staged, options=UploadOptions.from_json(staged.options))
    assert (again.new, again.existing) == (0, source.pk)


def test_confirming_twice_or_after_a_cancel_is_refused(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    editor = staff_user("ed", "Editors")
    staged = upload_stage(name="reviews.csv", raw=REVIEWS, actor=editor)
    options = UploadOptions.from_json(staged.options)
    with django_capture_on_commit_callbacks() as queued:
        run = upload_confirm(upload=staged, options=options)
    assert (len(queued), run.status, run.trusted) == (1, "running", False)

    with pytest.raises(StaleState):
        upload_confirm(upload=staged, options=options)
    assert upload_cancel(upload=staged) is False  # its import is under way
    assert ImportRun.objects.count() == 1


def test_the_import_task_imports_once_and_drops_the_bytes(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    editor = staff_user("ed", "Editors")
    staged = upload_stage(name="reviews.csv", raw=REVIEWS, actor=editor)
    with django_capture_on_commit_callbacks():
        run = upload_confirm(upload=staged, options=UploadOptions.from_json(staged.options))

    assert upload_import_task.apply(args=[staged.pk]).get() == run.pk
    assert upload_import_task.apply(args=[staged.pk]).get() is None  # delivered twice

    run.refresh_from_db()
    staged.refresh_from_db()
    assert (run.status, run.claims_created) == ("succeeded", 3)
    assert (staged.status, bytes(staged.data)) == ("imported", b"")
    assert Claim.objects.count() == 3
