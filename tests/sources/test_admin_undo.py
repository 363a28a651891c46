"""Undoing an import run from its admin page: a confirmation page listing what would be withdrawn
and what would be left alone, then the undo, whose outcome the run's page shows."""

import pytest
from django.test import Client
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks

from claims import workflow
from claims.models import Claim
from factcheck.celery import app
from sources.imports.tables import source_import_table
from sources.models import ImportRun
from tests.conftest import DATA
from tests.factories import staff_user

pytestmark = pytest.mark.django_db

RIVER = "The river rose by two metres overnight."


@pytest.fixture
def run() -> ImportRun:
    raw = (DATA / "reviews_sample.csv").read_bytes()
    return source_import_table(raw=raw, name="reviews.csv", trusted=False)


def test_the_undo_page_lists_what_it_would_withdraw_and_what_it_leaves_alone(
    run: ImportRun, client: Client
) -> None:
    claim = Claim.objects.get(text=RIVER)
    workflow.claim_start_review(claim=claim, actor=staff_user("rita", "Reviewers"))
    client.force_login(staff_user("ed", "Editors"))

    page = client.get(f"/admin/sources/importrun/{run.pk}/change/")
    assert b'id="undo-link"' in page.content
    page = client.get(f"/admin/sources/importrun/{run.pk}/undo/")

    assert page.status_code == 200
    plan = page.context["plan"]
    assert (plan.withdraw_count, [c.claim for c in plan.left]) == (2, [claim.pk])
    assert b"Withdraw 2 claims" in page.content
    assert b"claim.review_started by rita" in page.content
    assert Claim.objects.filter(status="withdrawn").count() == 0  # the page changes nothing


def test_confirming_the_undo_withdraws_and_the_runs_page_says_what_was_left(
    run: ImportRun,
    client: Client,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    monkeypatch.setitem(app.conf, "task_always_eager", True)
    claim = Claim.objects.get(text=RIVER)
    workflow.claim_start_review(claim=claim, actor=staff_user("rita", "Reviewers"))
    client.force_login(staff_user("ed", "Editors"))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/sources/importrun/{run.pk}/undo/")

    assert response["Location"] == f"/admin/sources/importrun/{run.pk}/change/"
    page = client.get(response["Location"])
    assert b'id="undo-withdrawn">2<' in page.content
    assert f"Claim #{claim.pk}</a>: its status changed".encode() in page.content
    assert Claim.objects.filter(status="withdrawn").count() == 2


def test_only_editors_may_undo(run: ImportRun, client: Client) -> None:
    client.force_login(staff_user("rita", "Reviewers"))

    assert b'id="undo-link"' not in client.get(f"/admin/sources/importrun/{run.pk}/change/").content
    assert client.get(f"/admin/sources/importrun/{run.pk}/undo/").status_code == 403
    assert client.post(f"/admin/sources/importrun/{run.pk}/undo/").status_code == 403
    assert not Claim.objects.filter(status="withdrawn").exists()
