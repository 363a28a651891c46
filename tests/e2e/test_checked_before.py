"""End to end in a real headless Chromium against a live server: after a lightly edited copy of
the seed article is imported, an editor opens the edited claim, sees the suggested match in the
"Checked before?" panel and confirms it; the page then says "Checked before" and the event is
logged."""

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from claims.models import Claim, ClaimEvent, ClaimMatch
from tests.conftest import EDITED_TO
from tests.e2e.browser import chromium, log_in
from tests.factories import staff_user

pytestmark = pytest.mark.usefixtures("matching_inline")


@pytest.mark.django_db(transaction=True)
def test_editor_confirms_a_suggested_match_on_the_claim_page(
    live_server: Any, seed_folder: Path, edited_seed_folder: Path
) -> None:
    call_command("import_seeds", str(seed_folder), "--json")
    call_command("import_seeds", str(edited_seed_folder), "--json")
    edited = Claim.objects.get(text=EDITED_TO)
    match = ClaimMatch.objects.get(claim=edited)
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
        panel.locator("button", has_text="Confirm").click()
        editor.wait_for_selector("#claim-matches .checked-before")
        assert "Checked before:" in editor.locator("#claim-matches").inner_text()

    match.refresh_from_db()
    assert match.status == ClaimMatch.Status.CONFIRMED
    confirmed = ClaimEvent.objects.get(claim=edited, code="match.confirmed")
    assert confirmed.actor is not None and confirmed.actor.username == "ed"
    assert Claim.objects.get(pk=edited.pk).status == Claim.Status.PENDING
