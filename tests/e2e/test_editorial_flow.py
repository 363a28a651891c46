"""End to end in a real headless Chromium against a live server: a reviewer takes a seed claim,
drafts a verdict with a citation and submits it; another user, an editor, publishes it; the
published verdict is then read over the API with a token (real HTTP); the editor then corrects
and retracts it, and the public record shows both notes."""

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from claims.models import Claim
from tests.e2e.browser import PASSWORD, chromium, log_in
from tests.factories import staff_user


@pytest.mark.django_db(transaction=True)
def test_reviewer_drafts_and_submits_editor_publishes_api_reads_it(
    live_server: Any, seed_folder: Path
) -> None:
    call_command("import_seeds", str(seed_folder), "--json")
    claim = Claim.objects.order_by("id").first()
    assert claim is not None and claim.status == "pending"
    staff_user("rita", "Reviewers")
    staff_user("ed", "Editors")
    base = live_server.url
    claim_url = f"{base}/admin/claims/claim/{claim.pk}/change/"

    with chromium() as (playwright, browser):
        # The reviewer finds the claim in the queue and takes it.
        reviewer = log_in(browser, base, "rita")
        reviewer.goto(f"{base}/admin/claims/claim/")
        assert reviewer.locator(f'a[href$="/claims/claim/{claim.pk}/change/"]').count() == 1
        reviewer.goto(claim_url)
        assert reviewer.locator("#claim-context mark").inner_text() == claim.text
        reviewer.click("#action-start_review button")
        reviewer.wait_for_selector("#verdict-form")
        assert reviewer.inner_text("#claim-status") == "In review"

        # Drafts a verdict with a citation, saves, submits.
        reviewer.select_option("#verdict-form select[name=rating]", label="Mostly false")
        reviewer.fill("#verdict-form input[name=headline]", "Not quite")
        reviewer.fill("#verdict-form textarea[name=summary]", "The figure is outdated.")
        reviewer.fill("input[name=citations-0-url]", "https://example.org/statistics")
        reviewer.fill("textarea[name=citations-0-quote]", "the latest figure")
        reviewer.click("#verdict-form button[name=save_verdict]")
        reviewer.wait_for_selector("text=Verdict draft saved.")
        assert reviewer.input_value("textarea[name=citations-0-quote]") == "the latest figure"
        reviewer.click("#action-submit button")
        reviewer.wait_for_selector("text=Submitted for approval: another editor will publish")
        assert reviewer.locator("#verdict-form").count() == 0  # read-only now
        assert reviewer.locator("#action-publish").count() == 0

        # Another user, an editor, publishes it.
        editor = log_in(browser, base, "ed")
        editor.goto(claim_url)
        assert "The figure is outdated." in editor.inner_text("#verdict")
        editor.click("#action-publish button")
        editor.wait_for_selector("text=Published: the verdict is public now.")
        history = editor.inner_text("#claim-history")
        for name in ("Review started", "Verdict draft saved", "Submitted for approval"):
            assert name in history
        assert "Verdict published" in history

        # The published verdict over the API, with a token, over real HTTP.
        api = playwright.request.new_context(base_url=base)
        token = api.post(
            "/api/v1/auth/token/", data={"username": "rita", "password": PASSWORD}
        ).json()["token"]
        headers = {"Authorization": f"Token {token}"}
        verdict = api.get(f"/api/v1/claims/{claim.pk}/verdict", headers=headers)
        assert verdict.status == 200, verdict.text()
        body = json.loads(verdict.text())
        assert (body["status"], body["rating"], body["author"], body["approver"]) == (
            "published",
            "mostly-false",
            "rita",
            "ed",
        )
        assert body["citations"][0]["url"] == "https://example.org/statistics"
        events = api.get(f"/api/v1/claims/{claim.pk}/events/", headers=headers).json()
        assert [e["code"] for e in events][-1] == "claim.published"

        # The editor corrects the published verdict, then retracts it, each with a note.
        editor.fill("#verdict-form textarea[name=summary]", "The figure is from 2019.")
        editor.fill("#verdict-form textarea[name=note]", "We gave the wrong year.")
        editor.click("#verdict-form button[name=save_verdict]")
        editor.wait_for_selector("text=Correction published: readers see the new wording")
        assert "We gave the wrong year." in editor.inner_text("#verdict-corrections")
        editor.fill("#action-retract textarea[name=note]", "The statistics were withdrawn.")
        editor.click("#action-retract button")
        editor.wait_for_selector("text=Verdict retracted: it stays readable")
        history = editor.inner_text("#claim-history")
        assert "Correction published" in history and "Verdict retracted" in history
        # Each column heading of the history whole on one line, whatever the names below it
        # ("ed"), down to a narrow window that still shows the headings (below 768 px the
        # history is a list).
        editor.set_viewport_size({"width": 800, "height": 800})
        lines = editor.evaluate(
            "[...document.querySelectorAll('#claim-history th')].map(th => {"
            " const range = document.createRange(); range.selectNodeContents(th);"
            " return [th.innerText, range.getClientRects().length]; })"
        )
        assert [heading for heading, count in lines if count != 1] == []
        retracted = json.loads(api.get(f"/api/v1/claims/{claim.pk}/verdict").text())
        assert (retracted["status"], retracted["summary"]) == (
            "retracted",
            "The figure is from 2019.",
        )
        assert [c["note"] for c in retracted["corrections"]] == [
            "We gave the wrong year.",
            "The statistics were withdrawn.",
        ]
        api.dispose()
