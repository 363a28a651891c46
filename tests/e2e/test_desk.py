"""The editor's desk, walked in a real headless Chromium against a live server: a reviewer finds
the most check-worthy claim on the home page, takes it, drafts a verdict with two citations
(one added in place) and submits it; the keyboard selects claims in the queue for a bulk action;
an editor finds the draft waiting on the home page, publishes it and follows the link to the
public page; the editor reads an import run's failures. Each page passes page_check (no sideways
scrolling, no serious or critical axe-core violation) at 1280x800 and 390x844 (and the queue
cuts no cell off at 1280 px, whatever the claims' ages), and leaves the
screenshots the docs' walkthrough shows (docs/desk.md, `make screenshots`)."""

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from claims.admin.queue import QUEUE_ORDER
from claims.models import Claim
from sources.models import Feed, ImportRun
from tests.e2e.browser import chromium, log_in, page_check
from tests.factories import staff_user

# Ages whose words are the widest of their unit ("59 minutes", "11 months", ...).
AGES = [
    timedelta(minutes=59, seconds=30),
    timedelta(hours=23, minutes=30),
    timedelta(days=6, hours=12),
    timedelta(days=27),
    timedelta(days=360),
    timedelta(days=3660),
]
# The cells among `selector` whose content is wider than the cell shows (cut off or spilling
# over the next one): each as "column: text".
CUT_OFF_CELLS = """selector => [...document.querySelectorAll(selector)]
    .filter(cell => cell.scrollWidth > cell.clientWidth)
    .map(cell => `${cell.className}: ${cell.innerText.trim()}`)"""


@pytest.mark.django_db(transaction=True)
def test_a_reviewer_and_an_editor_walk_the_desk(live_server: Any, seed_folder: Path) -> None:
    (seed_folder / "empty.txt").write_bytes(b"")  # an item that fails, for the import run
    with pytest.raises(CommandError):  # exit status 1: a file failed
        call_command("import_seeds", str(seed_folder), "--json")
    run = ImportRun.objects.get()
    assert run.items_failed == 1
    Feed.objects.create(
        url="https://wire.example/politics.rss",
        title="Wire: politics",
        consecutive_failures=4,
        last_error="HTTP 503 from wire.example",
    )
    # Read before the browser starts (tests/e2e/browser.py, chromium()).
    top, second, *others = Claim.objects.filter(status="pending").order_by(*QUEUE_ORDER)
    # The queue's Age column shows every length of age, from just imported to the widest.
    now = timezone.now()
    for claim, ago in zip(others, AGES, strict=False):
        Claim.objects.filter(pk=claim.pk).update(created_at=now - ago)
    staff_user("rita", "Reviewers")
    staff_user("ed", "Editors")
    staff_user("boss", superuser=True)
    base = live_server.url
    claim_url = f"{base}/admin/claims/claim/{top.pk}/change/"

    with chromium() as (_, browser):
        # The reviewer's desk: nothing in review yet; the top of the queue is there.
        reviewer = log_in(browser, base, "rita")
        assert "· factcheck" in reviewer.inner_text("#site-name") or (
            reviewer.inner_text("#site-name") == "factcheck"
        )
        mine = reviewer.inner_text("#panel-my-reviews")
        assert "Nothing assigned to you is in review" in mine
        unassigned = reviewer.locator("#panel-unassigned")
        assert top.text[:40] in unassigned.inner_text()
        page_check(reviewer, "desk-home-reviewer")

        # The queue: check-worthiness in words; keys select claims for a bulk action.
        reviewer.goto(f"{base}/admin/claims/claim/")
        assert reviewer.locator("td.field-level .level").first.inner_text() in (
            "High",
            "Medium",
            "Low",
        )
        assert " ".join(reviewer.inner_text(".breadcrumbs").split()) == (
            "Your desk \u203a Review \u203a Review queue"
        )
        page_check(reviewer, "desk-queue")
        cut = reviewer.evaluate(CUT_OFF_CELLS, "#result_list th, #result_list td")
        assert cut == [], f"the queue cuts these cells off at 1280 px: {cut}"
        ages = reviewer.locator("td.field-age").all_inner_texts()
        assert {"just now", "59\xa0minutes", "11\xa0months"} <= set(ages), ages
        reviewer.keyboard.press("j")
        reviewer.keyboard.press("j")
        reviewer.keyboard.press("x")
        assert reviewer.locator("input.action-select:checked").count() == 1
        reviewer.keyboard.press("k")
        reviewer.keyboard.press("x")
        assert reviewer.locator("input.action-select:checked").count() == 2
        reviewer.keyboard.press("a")
        assert reviewer.evaluate("document.activeElement.name") == "action"
        reviewer.select_option(".actions select", "start_review_action")
        reviewer.click(".actions button[type=submit]")
        reviewer.wait_for_selector("text=2 claim(s) updated.")

        # The claim page, from the desk: take it, draft, add a citation in place, submit.
        reviewer.goto(f"{base}/admin/")
        assert top.text[:40] in reviewer.inner_text("#panel-my-reviews")
        reviewer.click(f"#panel-my-reviews a[href$='/claims/claim/{top.pk}/change/']")
        assert "sentence" in reviewer.inner_text("#claim-context-title")
        assert reviewer.locator("#claim-context mark").inner_text() == top.text
        reviewer.select_option("#verdict-form select[name=rating]", label="Mostly false")
        reviewer.fill("#verdict-form input[name=headline]", "The letter changed little")
        reviewer.fill("#verdict-form textarea[name=summary]", "Officials gave mixed signals.")
        reviewer.fill("input[name=citations-0-url]", "https://example.org/statement")
        reviewer.fill("textarea[name=citations-0-quote]", "the joint statement")
        reviewer.click("#citation-add")
        reviewer.fill("input[name=citations-1-url]", "https://example.org/report")
        reviewer.click("#verdict-form button[name=save_verdict]")
        reviewer.wait_for_selector("text=Verdict draft saved.")
        assert reviewer.locator("tr.citation-row").count() == 2  # no empty extra row
        page_check(reviewer, "desk-claim-draft")
        reviewer.click("#action-submit button")
        reviewer.wait_for_selector("text=Submitted for approval")
        history = reviewer.inner_text("#claim-history")
        assert "Review started" in history and "Verdict draft saved" in history
        assert "claim.review_started" not in history

        # The editor's desk: the draft waits for approval; publish; the public page.
        editor = log_in(browser, base, "ed")
        waiting = editor.inner_text("#panel-awaiting-approval")
        assert top.text[:40] in waiting
        assert f"run #{run.pk}" in editor.inner_text("#panel-failed-imports")
        page_check(editor, "desk-home-editor")
        editor.click(f"#panel-awaiting-approval a[href$='/claims/claim/{top.pk}/change/']")
        assert editor.url == claim_url
        page_check(editor, "desk-claim-approve")
        editor.click("#action-publish button")
        editor.wait_for_selector("text=Published: the verdict is public now.")
        editor.click("#verdict-public-link")
        editor.wait_for_load_state()
        assert "/verdicts/" in editor.url and "The letter changed little" in editor.content()

        # What a reviewer may not do on the published claim is said, not hidden.
        reviewer.goto(claim_url)
        assert "Only editors may retract a verdict." in reviewer.inner_text("#not-open")
        page_check(reviewer, "desk-claim-published")
        reviewer.goto(f"{base}/admin/claims/claim/{second.pk}/change/")
        assert reviewer.inner_text("#claim-status") == "In review"  # taken with the keys

        # The administrator's desk also shows the feeds that keep failing.
        admin = log_in(browser, base, "boss")
        assert "Wire: politics" in admin.inner_text("#panel-failing-feeds")
        page_check(admin, "desk-home-admin")

        # Import runs: the list narrowed to failures, a run's items with their reasons.
        editor.goto(f"{base}/admin/sources/importrun/?outcome=failures")
        page_check(editor, "desk-import-runs")
        editor.click(f"#result_list a[href*='/sources/importrun/{run.pk}/change/']")
        editor.click("#items-failed-link")
        items = editor.inner_text("#import-items")
        assert "empty.txt" in items and "Failed" in items
        assert "000_" not in items  # the seed imported fine: not a failure
        page_check(editor, "desk-import-run")
