"""End to end in a real headless Chromium: a reader browses the public site. The home page lists
the latest fact checks; they search, filter by rating and by claimant, and page on; they open a
corrected verdict and a retracted one. Every page passes page_check (no sideways scrolling, no
serious or critical axe-core violation) at 1280x800 and at 390x844, with screenshots."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from claims.models import Claim, Rating, Verdict
from claims.site import PAGE_SIZE
from tests.api.helpers import verdict_correct, verdict_retract
from tests.e2e.browser import chromium, page_check
from tests.factories import (
    ClaimantFactory,
    ClaimFactory,
    PublishedVerdictFactory,
    SourceFactory,
    UserFactory,
)

# (claimant, claim, rating, headline, summary): the first page's fact checks.
STORIES = [
    (
        "Mayor Dana Ortiz",
        "Crime in the city fell by half since the new police budget was passed.",
        "mostly-false",
        "Crime fell, but by 12 percent, not by half",
        "Police figures show a 12% drop in reported crime over two years, not 50%.",
    ),
    (
        "Senator Paul Hale",
        "The state spends more on prisons than on its universities.",
        "true",
        "Yes, prison spending now exceeds university funding",
        "The state budget for 2026 allots $4.1 billion to corrections and $3.8 billion to "
        "higher education.",
    ),
    (
        "Governor Ana Lima",
        "Unemployment is at its lowest level in fifty years.",
        "half-true",
        "Unemployment is low, but not the lowest in fifty years",
        "The rate is the lowest since 2001, not since the 1970s.",
    ),
    (
        "Health Minister Joe Park",
        "Vaccines caused a rise in hospital admissions last winter.",
        "false",
        "No, vaccines did not fill the hospitals",
        "Admissions rose with the flu season; vaccinated patients were admitted less often.",
    ),
]


def stories() -> dict[str, Verdict]:
    """Fact checks enough for two pages, newest first as STORIES lists them; the second has a
    correction and the fourth is retracted. Returns the ones the test opens by name."""
    now = timezone.now()
    author = UserFactory.create(username="rreyes", first_name="Rita", last_name="Reyes")
    claimants = {name: ClaimantFactory.create(name=name) for name, *_ in STORIES}
    verdicts: list[Verdict] = []
    for n in range(PAGE_SIZE + 4):
        name, text, rating, headline, summary = STORIES[n % len(STORIES)]
        round_ = n // len(STORIES)
        if round_:
            text = text.replace(".", f" (statement {round_ + 1}).")
        source = SourceFactory.create(
            title=f"{name} speaks to the press, part {round_ + 1}",
            url=f"https://news.example/{n}/{name.split()[-1].lower()}-interview",
            publisher="The Daily Example",
            body=f"{text} Other sentences of the interview follow.",
        )
        claim = ClaimFactory.create(
            source=source, claimant=claimants[name], status=Claim.Status.PUBLISHED
        )
        verdicts.append(
            PublishedVerdictFactory.create(
                claim=claim,
                rating=Rating.objects.get(slug=rating),
                headline=headline,
                summary=summary,
                explanation=(
                    f"We asked {name.split(maxsplit=1)[1]}'s office for the source of the "
                    "figure and compared it with the official records.\n\nThe records are "
                    "published every quarter; the latest cover the period the claim refers to."
                ),
                author=author,
                published_at=now - timedelta(hours=n * 7),
            )
        )
    corrected = verdict_correct(
        verdict=verdicts[1], note="An earlier version gave the corrections budget as $4.4 billion."
    )
    retracted = verdict_retract(
        verdict=verdicts[3], note="The minister's words were taken from a parody account."
    )
    return {"corrected": corrected, "retracted": retracted, "claimant": verdicts[0]}


@pytest.mark.django_db(transaction=True)
def test_a_reader_searches_filters_pages_and_reads_corrected_and_retracted_verdicts(
    live_server: Any, settings: Any
) -> None:
    settings.FACTCHECK_ORGANIZATION_NAME = "The Example Fact Desk"
    shown = stories()
    corrected, retracted = shown["corrected"], shown["retracted"]
    assert corrected.claim.claimant is not None
    claimant = corrected.claim.claimant.name
    base = live_server.url

    with chromium() as (_, browser):
        reader = browser.new_context().new_page()
        reader.set_default_timeout(15_000)
        reader.goto(f"{base}/")
        assert reader.inner_text("#site-name") == "The Example Fact Desk"
        assert reader.locator("#verdicts > li").count() == PAGE_SIZE
        assert "Retracted" in reader.inner_text("#verdicts > li:nth-child(4)")
        page_check(reader, "site-home")

        # Search: the words of one story, stemmed ("vaccine" finds "Vaccines").
        reader.fill("#id_q", "vaccine hospitals")
        reader.click("#filters button")
        reader.wait_for_url("**/?q=vaccine+hospitals*")
        found = reader.locator("#verdicts > li")
        assert found.count() == 6
        assert all("vaccines" in text.lower() for text in found.all_inner_texts())
        page_check(reader, "site-search")

        # A filter: the rating, on top of nothing else.
        reader.goto(f"{base}/")
        reader.select_option("#id_rating", "true")
        reader.click("#filters button")
        reader.wait_for_url("**rating=true*")
        assert reader.locator("#verdicts > li").count() == 6
        assert set(reader.locator("#verdicts .rating").all_inner_texts()) == {"True"}

        # Another: a claimant's name on a card narrows the list to their claims.
        reader.goto(f"{base}/")
        reader.click(f"#verdicts > li:nth-child(2) .card-who a:text('{claimant}')")
        reader.wait_for_selector("#active-filters")
        assert f"Claims by {claimant}" in reader.inner_text("#active-filters")
        assert reader.locator("#verdicts > li").count() == 6
        page_check(reader, "site-filtered")

        # The next page continues where the first ended.
        reader.goto(f"{base}/")
        first_page = reader.locator("#verdicts h2 a").all_inner_texts()
        reader.click("#next-page")
        reader.wait_for_url("**after=*")
        second_page = reader.locator("#verdicts h2 a").all_inner_texts()
        assert len(second_page) == 4
        assert reader.locator("#next-page").count() == 0
        assert reader.locator("text=Newest fact checks").count() == 1
        assert len(first_page) == PAGE_SIZE
        page_check(reader, "site-home-page-2")

        # A corrected verdict: the claim, its source, the rating, the correction, the byline.
        reader.goto(f"{base}/verdicts/{corrected.pk}/")
        assert reader.inner_text("#headline") == corrected.headline
        assert reader.inner_text("#rating") == "True"
        assert "speaks to the press" in reader.inner_text("#source")
        corrections = reader.inner_text("#corrections")
        assert "Correction" in corrections and "$4.4 billion" in corrections
        assert reader.inner_text("#author") == "Rita Reyes"
        assert "The Example Fact Desk" in reader.inner_text("#byline")
        assert reader.locator('script[type="application/ld+json"]').count() == 1
        page_check(reader, "site-verdict-corrected")

        # A retracted verdict says so first, keeps its note, and drops its markup.
        reader.goto(f"{base}/verdicts/{retracted.pk}/")
        assert "This verdict was retracted." in reader.inner_text("#retracted")
        assert reader.inner_text("#corrections-heading") == "Retraction"
        assert "parody account" in reader.inner_text("#corrections")
        assert reader.locator('script[type="application/ld+json"]').count() == 0
        page_check(reader, "site-verdict-retracted")
