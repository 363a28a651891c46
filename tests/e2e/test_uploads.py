"""End to end in a real headless Chromium against a live server: a table of reviews is uploaded,
previewed (its columns mapped, its trust tried both ways), confirmed and then undone, leaving the
claims people touched; an article is pasted and its claims appear in the review queue."""

import json
from collections.abc import Iterator
from typing import Any

import pytest

from claims.models import Claim, ClaimEvent, Verdict
from factcheck.celery import app
from sources.models import ImportRun, Source, Upload
from tests.conftest import DATA
from tests.e2e.browser import chromium, log_in, page_check
from tests.factories import staff_user

REVIEWS = DATA / "reviews_sample.csv"
RIVER = "The river rose by two metres overnight."
CRIME = "Crime fell by half in four years."
FARES = "Bus fares doubled since January."


def public_reviews(api: Any) -> list[str]:
    """The claims of the sample whose reviews the public search finds (it asks the one public
    rule, with no sync lag)."""
    found = []
    for text in (RIVER, CRIME, FARES):
        answer = json.loads(api.get("/api/v1/claims:search", params={"query": text}).text())
        found += [claim["text"] for claim in answer.get("claims", [])]
    return found


@pytest.fixture
def eager(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The live server runs the tasks it queues (the import, the undo) itself, at once."""
    monkeypatch.setitem(app.conf, "task_always_eager", True)
    yield


@pytest.mark.django_db(transaction=True)
def test_an_upload_is_previewed_confirmed_and_undone_leaving_what_people_touched(
    live_server: Any, eager: None
) -> None:
    staff_user("ed", "Editors")
    staff_user("rita", "Reviewers")
    base = live_server.url

    with chromium() as (playwright, browser):
        editor = log_in(browser, base, "ed")
        editor.goto(f"{base}/admin/sources/upload/add/")
        page_check(editor, "upload-start")
        editor.set_input_files("#id_file", str(REVIEWS))
        editor.click("input[name=preview]")

        # The preview: read as a table, three new claims, nothing public unless trusted.
        editor.wait_for_selector("#upload-summary")
        assert "Table" in editor.inner_text("#upload-format")
        assert (editor.inner_text("#upload-total"), editor.inner_text("#upload-new")) == ("3", "3")
        assert "No verdict will be public" in editor.inner_text("#upload-public")
        assert "Mayor Jones" in editor.inner_text("#upload-rows")
        page_check(editor, "upload-preview")
        editor.check("#id_trusted")
        editor.click("input[name=preview]")
        editor.wait_for_selector("text=3 verdicts will be public at once")
        # The user maps the date column, unmaps the claimant, and keeps it untrusted.
        editor.select_option("#id_column_date", "3")
        editor.select_option("#id_column_claimant", "")
        editor.uncheck("#id_trusted")
        editor.click("input[name=preview]")
        editor.wait_for_selector("text=No verdict will be public")
        rows = editor.inner_text("#upload-rows")
        assert "2024-05-01" in rows and "Mayor Jones" not in rows
        editor.click("#upload-confirm")
        editor.wait_for_selector("text=is being imported as import run")
        page_check(editor, "upload-import-run")
        run_url = editor.url

        # The claims wait in the queue; nothing is public.
        api = playwright.request.new_context(base_url=base)
        assert public_reviews(api) == []

        # A reviewer takes one claim; the editor publishes another's imported review.
        reviewer = log_in(browser, base, "rita")
        reviewer.goto(f"{base}/admin/claims/claim/")
        reviewer.click(f"text={CRIME}")
        reviewer.click("#action-start_review button")
        reviewer.wait_for_selector("text=Review started: the claim is assigned to rita.")
        editor.goto(f"{base}/admin/claims/claim/")
        editor.click(f"text={FARES}")
        assert "Pants on Fire!" in editor.inner_text("#imported-suggestion")
        editor.click("#action-publish_imported button")
        editor.wait_for_selector(
            "text=Published: the imported review is the claim's public verdict now."
        )
        assert public_reviews(api) == [FARES]

        # Undo: the confirmation page says what goes and what stays, and why.
        editor.goto(run_url)
        editor.click("#undo-link")
        editor.wait_for_selector("#undo-withdraw")
        assert "Withdrawn: 1 claim" in editor.inner_text("#undo-withdraw")
        left = editor.inner_text("#undo-left-list")
        assert "claim.review_started by rita" in left
        assert "claim.imported_review_published by ed" in left
        page_check(editor, "undo-confirmation")
        editor.click("#undo-confirm")
        editor.wait_for_selector("#undo-record")
        assert editor.inner_text("#undo-withdrawn") == "1"
        assert editor.inner_text("#undo-left-count") == "2"
        assert "someone is assigned to it" in editor.inner_text("#undo-left")
        page_check(editor, "undone-import-run")
        assert public_reviews(api) == [FARES]
        api.dispose()

        # The upload stays as the record of who uploaded what, read how.
        editor.goto(f"{base}/admin/sources/upload/")
        page_check(editor, "uploads")
        editor.click("text=reviews_sample.csv")
        assert "Imported: import run #" in editor.inner_text("#upload-status")
        page_check(editor, "upload-imported")

    statuses = dict(Claim.objects.values_list("text", "status"))
    assert statuses == {RIVER: "withdrawn", CRIME: "in_review", FARES: "published"}
    assert Verdict.objects.get(claim__text=RIVER).status == "withdrawn"
    event = ClaimEvent.objects.get(code="claim.withdrawn")
    run = ImportRun.objects.get()
    assert event.actor is not None
    assert (event.claim.text, event.actor.username, event.data["import_run"]) == (
        RIVER,
        "ed",
        run.pk,
    )
    assert Upload.objects.get().status == "imported"


@pytest.mark.django_db(transaction=True)
def test_an_article_is_pasted_previewed_and_its_claims_wait_in_the_queue(
    live_server: Any, eager: None
) -> None:
    staff_user("ed", "Editors")
    base = live_server.url
    article = (
        "The minister said unemployment fell to 4 percent in March. "
        "Critics replied that the figure left out part-time workers."
    )

    with chromium() as (_, browser):
        editor = log_in(browser, base, "ed")
        editor.goto(f"{base}/admin/sources/source/add/")
        page_check(editor, "article-add")
        editor.fill("#id_text", article)
        editor.fill("#id_title", "Jobs figures")
        editor.click("input[name=preview]")
        editor.wait_for_selector("#upload-rows")
        assert editor.inner_text("#upload-new") == "2"
        assert "Nothing is published" in editor.inner_text("#upload-public")
        assert "part-time workers" in editor.inner_text("#upload-rows")
        page_check(editor, "article-preview")
        editor.click("#upload-confirm")
        editor.wait_for_selector("text=is being imported as import run")

        editor.goto(f"{base}/admin/claims/claim/")
        queue = editor.inner_text("#result_list")
        assert "The minister said unemployment fell to 4 percent in March." in queue
        assert "Critics replied that the figure left out part-time workers." in queue

    source = Source.objects.get()
    assert (source.title, source.claims.count()) == ("Jobs figures", 2)
    assert set(source.claims.values_list("status", flat=True)) == {"pending"}
