"""claim_match's first stage: which claims PostgreSQL finds, and how their words weigh."""

import pytest
from django.db import connection

from claims.matching import candidates
from claims.matching.candidates import term_stats
from claims.matching.search import claim_match
from claims.models import CLAIM_SEARCH_SAMPLE, Claim, claim_search_sample_sql
from tests.claims.matching.helpers import make_claim
from tests.factories import ClaimFactory, PublishedVerdictFactory, SourceFactory

pytestmark = pytest.mark.django_db

STATEMENT = "Unemployment in the state fell by half in four years, the governor said."


def _published_council_claims(count: int) -> list[Claim]:
    """`count` published claims of the same council words, with the column statistics read
    afresh."""
    published = [
        make_claim(f"The council approved the harbour budget number {n}") for n in range(count)
    ]
    for claim in published:
        PublishedVerdictFactory.create(claim=claim)
    Claim.objects.filter(pk__in=[c.pk for c in published]).update(status=Claim.Status.PUBLISHED)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_claim")
    term_stats.forget()
    return published


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
    published = _published_council_claims(30)
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


def _stats(claims: float) -> candidates.TermStats:
    """Statistics of `claims` claims, a fifth of them in force, whose words are each in 18%."""
    words = ["council", "harbour", "budget", "approv"]
    return candidates.TermStats(
        rows=claims, frequency=dict.fromkeys(words, 0.18), rare=1e-6, length=12, in_force=0.2
    )


def _fallback_sql(
    stats: candidates.TermStats, *, published_only: bool, claim: tuple[int, int] | None = None
) -> str:
    query = candidates.CandidateQuery("council harbour budget approved", claim)
    lexemes = ["council", "harbour", "budget", "approv"]
    return "\n".join(candidates._plan(0, query, lexemes, stats, published_only).fallback)


def test_anonymous_branches_of_common_words_read_the_sample_only_past_sixteen_limits() -> None:
    sample = claim_search_sample_sql("claims_claim")

    # 10,000,000 claims: the two most common words are expected in 64,800 claims in force, the
    # three least common in 11,664; both more than sixteen times the 500 a branch keeps.
    at_10m = _fallback_sql(_stats(10_000_000), published_only=True)
    # 1,000,000: 6,480 and 1,166, fewer than sixteen times 500: the whole index.
    at_1m = _fallback_sql(_stats(1_000_000), published_only=True)

    assert at_10m.count(sample) == 2
    assert sample not in at_1m
    # Staff look among every claim, and a stored claim among its earlier ones: never sampled.
    assert sample not in _fallback_sql(_stats(10_000_000), published_only=False)
    assert sample not in _fallback_sql(_stats(10_000_000), published_only=True, claim=(5, 1))


def test_a_branch_bounded_to_the_sample_still_finds_claims_in_force_holding_the_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    published = _published_council_claims(48)
    # Every word common, and in every claim in force: each branch of common words expects 48
    # claims, sixteen times the 3 it keeps.
    monkeypatch.setattr(candidates, "RARE_BUDGET", 5)
    monkeypatch.setattr(candidates, "FALLBACK_LIMIT", 3)

    anonymous = claim_match(text="council harbour budget approved", published_only=True, limit=9)
    staff = claim_match(text="council harbour budget approved", published_only=False, limit=9)

    sampled = {c.pk for c in published if c.pk % CLAIM_SEARCH_SAMPLE == 0}
    assert anonymous and {r.claim_id for r in anonymous} <= sampled
    assert {r.claim_id for r in staff} - sampled  # staff read the index of all claims
