"""End to end in a real headless Chromium: an editor opens a claim imported with another
fact-checker's review, sees the review (who published it, their rating, our rating) and
retracts it with a public note; the review then leaves every public surface as one of our own
verdicts does: the API's detail and list, ClaimReview and its feed, claims:search, the public
page and the CSV."""

from typing import Any

import pytest

from tests.api.helpers import public_surfaces
from tests.e2e.browser import chromium, log_in, page_check
from tests.factories import imported_review, staff_user

pytestmark = pytest.mark.usefixtures("matching_inline")

TEXT = "The harbour lighthouse was sold to a private casino operator last spring."
QUERY = "lighthouse casino"
NOTE = "Check Desk withdrew this review: it checked another lighthouse."


@pytest.mark.django_db(transaction=True)
def test_an_editor_retracts_an_imported_review_and_it_leaves_every_public_surface(
    live_server: Any, settings: Any
) -> None:
    settings.API_SYNC_LAG_SECONDS = 0  # lists show a change at once, not after the sync lag
    review = imported_review(TEXT, rating="Pants on Fire", headline="No sale happened")
    assert review.rating is not None
    mapped = review.rating.label
    staff_user("ed", "Editors")
    before = public_surfaces(review, query=QUERY, text=TEXT)
    assert (before["detail"], before["claimreview"], before["feed"]) == ("published", 200, 1)
    assert before["claims:search"] == 1 and before["match"] == [review.claim_id]
    base = live_server.url

    with chromium() as (_, browser):
        editor = log_in(browser, base, "ed")
        editor.goto(f"{base}/admin/claims/claim/{review.claim_id}/change/")
        imported = editor.inner_text("#verdict-imported")
        assert "Check Desk" in imported and "Pants on Fire" in imported
        assert mapped in editor.inner_text("#verdict-mapped-rating")

        editor.fill("#action-retract textarea[name=note]", NOTE)
        editor.click("#action-retract button")
        editor.wait_for_selector("text=Verdict retracted: it stays readable")
        assert editor.inner_text("#claim-status") == "Retracted"
        assert NOTE in editor.inner_text("#verdict-corrections")
        assert "Verdict retracted" in editor.inner_text("#claim-history")

        reader = browser.new_context().new_page()
        reader.goto(f"{base}/verdicts/{review.pk}/")
        assert "This verdict was retracted." in reader.inner_text("body")
        assert NOTE in reader.inner_text("#corrections")
        assert reader.locator('script[type="application/ld+json"]').count() == 0
        page_check(reader, "verdict-page-retracted-review")

    assert public_surfaces(review, query=QUERY, text=TEXT) == {
        "detail": "retracted",
        "list": "retracted",
        "claimreview": 410,
        "feed": 0,
        "claims:search": 0,
        "claims list": review.pk,
        "page": (200, True),
        "page markup": False,
        "csv": "retracted",
        "match": [],
    }
