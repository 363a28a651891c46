"""The admin home is a desk: what waits for the signed-in user, in panels, and every page
grouped by task, under the organisation's and the product's name."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.fixtures import Settings

from claims import workflow
from claims.models import Claim
from factcheck.desk import Panel, desk_panel_register
from sources.models import Feed, ImportRun
from tests.claims.admin.conftest import Login
from tests.factories import ClaimFactory, VerdictFactory, staff_user

pytestmark = pytest.mark.django_db
HOME = "/admin/"


def _panel(body: str, key: str) -> str:
    start = body.index(f'id="panel-{key}"')
    return body[start : body.index("</section>", start)]


def test_home_names_the_organisation_and_groups_pages_by_task(
    login: Login, settings: Settings
) -> None:
    settings.FACTCHECK_ORGANIZATION_NAME = "Daily Check"
    body = login(staff_user("ed", "Editors")).get(HOME).content.decode()
    assert "Daily Check · factcheck" in body
    assert "Django administration" not in body
    groups = [body.index(f'id="nav-{key}"') for key in ("review", "publish", "sources-and-imports")]
    assert groups == sorted(groups)
    assert "Review queue" in body and "Import runs" in body and "Rating scale" in body
    assert "Claim matchs" not in body and "Solar events" not in body


def test_reviewer_sees_their_claims_in_review_and_the_top_of_the_queue(login: Login) -> None:
    reviewer = staff_user("rita", "Reviewers")
    mine = ClaimFactory.create(status="in_review", assignee=reviewer, text="Taxes fell by half.")
    ClaimFactory.create(status="pending", score=0.1, text="Crime rose a little.")
    top = ClaimFactory.create(status="pending", score=0.9, text="Wages doubled in a year.")
    body = login(reviewer).get(HOME).content.decode()
    assert "Taxes fell by half." in _panel(body, "my-reviews")
    unassigned = _panel(body, "unassigned")
    assert unassigned.index("Wages doubled") < unassigned.index("Crime rose")
    assert "High" in unassigned and f"/claims/claim/{top.pk}/change/" in unassigned
    assert 'id="panel-awaiting-approval"' not in body  # editors only
    assert f"/claims/claim/{mine.pk}/change/" in body


def test_editor_sees_drafts_to_approve_but_not_their_own(login: Login) -> None:
    editor = staff_user("ed", "Editors")
    other = staff_user("eve", "Editors")
    theirs = VerdictFactory.create(
        claim=ClaimFactory.create(status="awaiting_approval", text="Rents are falling."),
        author=other,
    )
    own = VerdictFactory.create(
        claim=ClaimFactory.create(status="awaiting_approval", text="Bread got cheaper."),
        author=editor,
    )
    panel = _panel(login(editor).get(HOME).content.decode(), "awaiting-approval")
    assert "Rents are falling." in panel
    assert "Bread got cheaper." not in panel
    assert theirs.claim_id != own.claim_id


def test_failing_feeds_and_imports_are_on_the_desk(login: Login) -> None:
    Feed.objects.create(
        url="https://news.example/rss", consecutive_failures=3, last_error="HTTP 503"
    )
    Feed.objects.create(url="https://fine.example/rss")
    run = ImportRun.objects.create(kind="files", origin="seeds/", status="partial", items_failed=2)
    ImportRun.objects.create(kind="files", origin="seeds/", status="succeeded")
    body = login(staff_user("admin", superuser=True)).get(HOME).content.decode()
    feeds = _panel(body, "failing-feeds")
    assert "news.example" in feeds and "3 times in a row" in feeds and "HTTP 503" in feeds
    assert "fine.example" not in feeds
    imports = _panel(body, "failed-imports")
    assert f"run #{run.pk}" in imports and "2 items failed" in imports
    # Editors manage feeds; reviewers may look at import runs but not at feeds
    # (claims/defaults.py).
    body = login(staff_user("ed", "Editors")).get(HOME).content.decode()
    assert 'id="panel-failing-feeds"' in body and 'id="panel-failed-imports"' in body
    body = login(staff_user("rev", "Reviewers")).get(HOME).content.decode()
    assert 'id="panel-failing-feeds"' not in body and 'id="panel-failed-imports"' in body


def test_another_app_adds_a_panel(login: Login, monkeypatch: Any) -> None:
    from factcheck import desk

    monkeypatch.setattr(desk, "_PANELS", dict(desk._PANELS))
    desk_panel_register(
        Panel("extra", "Webhooks disabled", "admin/desk/imports_panel.html", lambda r: {}, 5)
    )
    desk_panel_register(Panel("silent", "Nothing", "admin/desk/imports_panel.html", lambda r: None))
    body = login(staff_user("ed", "Editors")).get(HOME).content.decode()
    assert body.index('id="panel-extra"') < body.index('id="panel-my-reviews"')
    assert 'id="panel-silent"' not in body


def test_home_reads_no_count_of_the_claims_table(login: Login) -> None:
    editor = staff_user("ed", "Editors")
    for _ in range(3):
        ClaimFactory.create()
    client = login(editor)
    client.get(HOME)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(HOME).status_code == 200
    assert len(queries) <= 20
    for query in queries:
        sql = query["sql"].upper()
        # Small counts are exact; only an estimate decides whether to count (EXPLAIN first).
        assert not ("COUNT(" in sql and "CLAIMS_CLAIM" in sql and "WHERE" not in sql)
    assert Claim.objects.count() == 3 and workflow.ACTIONS


def test_a_panel_counts_no_further_than_it_must(login: Login, monkeypatch: Any) -> None:
    from claims.admin import desk

    monkeypatch.setattr(desk, "COUNT_UP_TO", 2)
    reviewer = staff_user("rita", "Reviewers")
    for _ in range(3):
        ClaimFactory.create(status="in_review", assignee=reviewer)
    panel = _panel(login(reviewer).get(HOME).content.decode(), "my-reviews")
    assert "more than 2 in all" in panel
