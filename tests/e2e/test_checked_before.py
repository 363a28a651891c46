"""End to end in a real headless Chromium against a live server: after a lightly edited copy of
the seed article is imported and the original statement checked, an editor opens the edited
claim, sees the suggested match in the "Checked before?" panel and confirms it; the page then
says "Checked before" and the event is logged. And a review imported after a pending claim
shows on that claim's page and in the queue."""

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse

from claims.models import Claim, ClaimEvent, ClaimMatch
from tests.claims.matching.helpers import publish
from tests.conftest import EDITED_FROM, EDITED_TO
from tests.e2e.browser import chromium, log_in
from tests.factories import imported_review, staff_user

pytestmark = pytest.mark.usefixtures("matching_inline")


@pytest.mark.django_db(transaction=True)
def test_editor_confirms_a_suggested_match_on_the_claim_page(
    live_server: Any, seed_folder: Path, edited_seed_folder: Path
) -> None:
    call_command("import_seeds", str(seed_folder), "--json")
    call_command("import_seeds", str(edited_seed_folder), "--json")
    edited = Claim.objects.get(text=EDITED_TO)
    # Its best suggestion, among others: the sentence it edits.
    match = ClaimMatch.objects.get(claim=edited, matched__text=EDITED_FROM)
    confirm = reverse("admin:claims_claimmatch_decide", args=[match.pk, "confirm"])
    publish(match.matched, label="False", headline="Not what was said")
    # Read before the browser starts: code inside `sync_playwright()` runs in a context of its
    # own, where the ORM would open a second connection that outlives the test.
    matched_text = match.matched.text
    staff_user("ed", "Editors")
    base = live_server.url

    with chromium() as (_, browser):
        editor = log_in(browser, base, "ed")
        editor.goto(f"{base}/admin/claims/claim/{edited.pk}/change/")
        panel = editor.locator("#claim-matches")
        assert "Suggested" in panel.inner_text()
        assert matched_text in panel.inner_text()
        panel.locator(f'form[action="{confirm}"] button', has_text="Confirm").click()
        editor.wait_for_selector("#claim-matches .checked-before")
        assert "Checked before:" in editor.locator("#claim-matches").inner_text()

    match.refresh_from_db()
    assert match.status == ClaimMatch.Status.CONFIRMED
    confirmed = ClaimEvent.objects.get(claim=edited, code="match.confirmed")
    assert confirmed.actor is not None and confirmed.actor.username == "ed"
    assert Claim.objects.get(pk=edited.pk).status == Claim.Status.PENDING


@pytest.mark.django_db(transaction=True)
def test_a_review_imported_after_a_pending_claim_shows_on_its_page_and_in_the_queue(
    live_server: Any, seed_folder: Path
) -> None:
    call_command("import_seeds", str(seed_folder), "--json")
    pending = Claim.objects.get(text=EDITED_FROM)
    # Months later another fact-checker's review of the same statement comes in with a feed.
    review = imported_review(EDITED_FROM, rating="Mostly False", headline="Not what was said")
    assert Claim.objects.get(pk=pending.pk).status == Claim.Status.PENDING
    staff_user("rita", "Reviewers")
    base = live_server.url

    with chromium() as (_, browser):
        reviewer = log_in(browser, base, "rita")
        reviewer.goto(f"{base}/admin/claims/claim/?checked=yes")
        assert reviewer.locator(f'a[href*="/claims/claim/{pending.pk}/change/"]').count() == 1
        assert "Checked before" in reviewer.inner_text("#result_list")

        reviewer.goto(f"{base}/admin/claims/claim/{pending.pk}/change/")
        checked = reviewer.inner_text(f"#checked-before-{review.claim_id}")
        assert "Checked before:" in checked
        assert "Mostly false" in checked and "Not what was said" in checked
        assert "Check Desk" in checked
