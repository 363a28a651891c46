"""claim_match's first stage: which claims PostgreSQL finds, and how their words weigh."""

import pytest
from django.db import connection

from claims.matching import candidates
from claims.matching.candidates import term_stats
from claims.matching.search import claim_match
from claims.models import Claim
from tests.claims.matching.helpers import make_claim
from tests.factories import ClaimFactory, PublishedVerdictFactory, SourceFactory

pytestmark = pytest.mark.django_db

STATEMENT = "Unemployment in the state fell by half in four years, the governor said."


def test_rare_words_weigh_more_than_common_ones() -> None:
    rare = make_claim("The lighthouse keeper counted gulls")
    common = make_claim("The council counted the harbour votes")
    for n in range(30):
        make_claim(f"The council approved the harbour budget number {n}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_claim")
    term_stats.forget()  # forget statistics read before the ANALYZE

    results = claim_match(text="harbour council lighthouse", published_only=False, limit=40)

    assert results[0].claim_id == rare.pk
    assert common.pk in [r.claim_id for r in results]


def test_statistics_read_before_the_first_analyze_are_read_again_after_it() -> None:
    make_claim("The lighthouse keeper counted gulls")
    for n in range(30):
        make_claim(f"The council approved the harbour budget number {n}")
    before = term_stats.get()  # the column has not been analyzed yet
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_claim")

    after = term_stats.get()  # no forget(): a process finds the statistics once they exist

    assert not before.frequency
    assert after.frequency["council"] > after.frequency.get("lighthous", after.rare)


def test_statistics_trusted_for_minutes_are_read_again_after_an_analyze_elsewhere() -> None:
    # Another process (the worker that analyzes after a large import) ran the ANALYZE: this one
    # never calls forget(), yet its next search weighs words by the new statistics.
    for n in range(5):
        make_claim(f"The lighthouse keeper counted gulls on day {n}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_claim")
    claim_match(text="council lighthouse", published_only=False)
    before = term_stats.get()
    for n in range(40):
        make_claim(f"The council approved the harbour budget number {n}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_claim")
    assert term_stats.get() is before  # trusted, for want of anything newer to compare with

    claim_match(text="council lighthouse", published_only=False)

    after = term_stats.get()
    assert (before.rows, after.rows) == (5, 45)
    assert after.frequency["council"] > after.frequency["lighthous"]


def test_a_rare_word_found_in_no_published_claim_falls_back_to_the_common_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hidden = make_claim("The lighthouse keeper approved the budget")
    published = [
        make_claim(f"The council approved the harbour budget number {n}") for n in range(30)
    ]
    for claim in published:
        PublishedVerdictFactory.create(claim=claim)
    Claim.objects.filter(pk__in=[c.pk for c in published]).update(status=Claim.Status.PUBLISHED)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_claim")
    term_stats.forget()
    monkeypatch.setattr(candidates, "RARE_BUDGET", 5)  # "council" and "budget" count as common

    staff = claim_match(text="lighthouse council budget", published_only=False)
    anonymous = claim_match(text="lighthouse council budget", published_only=True)

    assert staff[0].claim_id == hidden.pk
    assert anonymous and {r.claim_id for r in anonymous} <= {c.pk for c in published}


def test_claim_match_finds_a_claim_sharing_the_querys_last_five_words() -> None:
    target = ClaimFactory.create(source=SourceFactory.create(body=STATEMENT))
    ClaimFactory.create(
        source=SourceFactory.create(body="The governor said the state budget is balanced.")
    )
    results = claim_match(
        text="Joblessness across the region fell by half in four years, the governor said",
        limit=2,
        published_only=False,
    )
    assert results[0].claim_id == target.pk
