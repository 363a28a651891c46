"""End to end in a real headless Chromium against a live server: an editor pastes the seed
article into "Spot the claims", sees its sentences ranked with their levels, ticks two, adds
them as claims and finds them in the review queue, all under the Content-Security-Policy."""

from pathlib import Path
from typing import Any

import pytest

from claims.models import Claim
from tests.e2e.browser import chromium, log_in, page_check
from tests.factories import staff_user

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_b52872a958dbdb28.txt"
CAP = "Under the 2015 deal, Iran\u2019s uranium enrichment was capped at 3.67%"
STOCKPILE = "As of the last International Atomic Energy Agency report"


@pytest.mark.django_db(transaction=True)
def test_editor_spots_the_seed_article_and_adds_two_sentences_as_claims(live_server: Any) -> None:
    staff_user("ed", "Editors")
    base = live_server.url
    article = SEED.read_text(encoding="utf-8")

    violations: list[str] = []

    with chromium() as (_, browser):
        editor = log_in(browser, base, "ed")
        editor.on(
            "console",
            lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
        )
        editor.click("a:text('Spot the claims in a text')")  # from the desk, under Review
        editor.fill("#id_text", article)
        editor.click("input[name=spot]")
        editor.wait_for_selector("#spot-results")

        statements = editor.locator(".spot-statement")
        assert statements.count() == 17
        levels = statements.locator(".spot-level").all_inner_texts()
        assert levels[0].upper() == "HIGH"
        assert levels[-1].upper() == "LOW"
        order = {"HIGH": 0, "MEDIUM": 1, "LOW": 2}
        assert [order[level.upper()] for level in levels] == sorted(
            order[level.upper()] for level in levels
        )
        top = " ".join(statements.locator(".spot-text").all_inner_texts()[:5])
        assert CAP in top and STOCKPILE in top
        page_check(editor, "spot-the-claims")

        for text in (CAP, STOCKPILE):
            editor.locator(".spot-statement", has_text=text).locator("input").check()
        editor.click("input[name=add]")
        editor.wait_for_selector("#result_list")

        assert "Added 2 claims, awaiting review." in editor.inner_text(".messagelist")
        queue = editor.inner_text("#result_list")
        assert "Review queue: awaiting review" in editor.inner_text("#content")
        assert CAP[:30] in queue and STOCKPILE[:30] in queue
        assert editor.locator("#result_list tbody tr").count() == 2
        assert violations == []  # the page's styles are a static file, no inline ones

    added = Claim.objects.filter(source__origin="pasted text")
    assert added.count() == 2
    assert set(added.values_list("status", flat=True)) == {Claim.Status.PENDING}
