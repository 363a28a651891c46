"""In a real Chromium: the admin, the API docs and the public verdict page work under the
Content-Security-Policy without one violation, a `javascript:` URL stored from outside is no
link anywhere, and a script injected into a page is refused."""

from typing import Any

import pytest

from claims.models import Citation, ClaimMatch, Verdict
from sources.models import Source
from tests.e2e.browser import chromium, log_in, page_check
from tests.factories import ClaimFactory, PublishedVerdictFactory, imported_review, staff_user

PAYLOAD = "javascript:alert(document.cookie)"
SCRIPT_LINKS = 'a[href^="javascript:" i], a[href^="data:" i]'


@pytest.mark.django_db(transaction=True)
def test_pages_work_under_the_policy_and_never_link_a_script_url(live_server: Any) -> None:
    verdict = PublishedVerdictFactory.create()
    Source.objects.filter(pk=verdict.claim.source_id).update(url=PAYLOAD)
    Citation.objects.create(verdict=verdict, url=PAYLOAD, quote="Quoted.")
    earlier = imported_review()
    Verdict.objects.filter(pk=earlier.pk).update(review_url=PAYLOAD)
    claim = ClaimFactory.create()
    ClaimMatch.objects.create(
        claim=claim,
        matched=earlier.claim,
        kind=ClaimMatch.Kind.DUPLICATE,
        score=1.0,
        status=ClaimMatch.Status.CONFIRMED,
    )
    staff_user("ed", "Editors")
    base = live_server.url
    violations: list[str] = []

    with chromium() as (_, browser):
        page = log_in(browser, base, "ed")
        page.on(
            "console",
            lambda m: (
                violations.append(f"{page.url}: {m.text}")
                if "Content Security Policy" in m.text
                else None
            ),
        )
        page.goto(f"{base}/admin/claims/claim/{claim.pk}/change/")
        assert "Checked before:" in page.locator("#claim-matches").inner_text()
        assert page.locator(SCRIPT_LINKS).count() == 0
        page.goto(f"{base}/admin/claims/claim/{earlier.claim_id}/change/")
        assert page.locator("#verdict-review-url").inner_text() == PAYLOAD
        assert page.locator(SCRIPT_LINKS).count() == 0
        page.goto(f"{base}/admin/claims/claim/")
        page.wait_for_selector("#result_list")
        page.goto(f"{base}/api/v1/docs/")
        page.wait_for_selector(".opblock", timeout=20_000)
        page.goto(f"{base}/verdicts/{verdict.pk}/")
        assert page.locator(SCRIPT_LINKS).count() == 0
        assert PAYLOAD in page.locator("article").inner_text()
        assert violations == []
        page_check(page, "verdict-page-hostile-links")

        # An inline script that slipped into the page does not run.
        page.evaluate(
            "() => { const s = document.createElement('script');"
            " s.textContent = 'window.injected = true'; document.body.append(s); }"
        )
        assert page.evaluate("() => window.injected === undefined")
    assert violations and "script-src" in violations[-1]
