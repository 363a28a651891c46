"""claim_match's second stage: candidates re-ranked by their embeddings and folded duplicates."""

import pytest
from django.db import connection

from claims.embeddings import claims_embed, claims_embed_missing, texts_embed, vector_to_bytes
from claims.matching.on_import import claims_match_new
from claims.matching.search import claim_match
from claims.models import Claim
from tests.claims.matching.helpers import (
    HEADLINE,
    LOOKALIKE,
    PARAPHRASE,
    QUERY,
    make_claim,
)
from tests.factories import PublishedVerdictFactory

pytestmark = pytest.mark.django_db


def test_match_reranks_a_paraphrase_above_a_claim_sharing_more_words() -> None:
    paraphrase, lookalike = make_claim(PARAPHRASE), make_claim(LOOKALIKE)
    for n in range(20):  # the collection the word weights come from
        make_claim(f"The harbour toll rose by {n} percent in the spring")

    # Without vectors the claims rank by their words: the lookalike shares more of them.
    lexical = [r.claim_id for r in claim_match(text=QUERY, published_only=False)]
    assert lexical[:2] == [lookalike.pk, paraphrase.pk]

    claims_embed(claim_ids=[paraphrase.pk, lookalike.pk])
    results = claim_match(text=QUERY, published_only=False)

    assert [r.claim_id for r in results[:2]] == [paraphrase.pk, lookalike.pk]
    assert 0 < results[1].score < results[0].score <= 1


def test_match_ranks_claims_with_and_without_a_vector_together() -> None:
    twin, other = make_claim(QUERY + "."), make_claim(LOOKALIKE)
    claims_embed(claim_ids=[other.pk])

    results = claim_match(text=QUERY, published_only=False)

    assert [r.claim_id for r in results] == [twin.pk, other.pk]


def test_a_duplicate_is_folded_into_the_earlier_claim_it_repeats() -> None:
    original = make_claim("Vaccines given to kids cause autism, a post says")
    repeat = make_claim("Vaccines given to kids cause 'autism', a post says!")
    other = make_claim(LOOKALIKE)
    claims_match_new(claim_ids=[repeat.pk])
    repeat.refresh_from_db()
    assert repeat.duplicate_of_id == original.pk
    claims_embed(claim_ids=[original.pk, repeat.pk, other.pk])

    results = [r.claim_id for r in claim_match(text=QUERY, published_only=False)]

    assert results == [original.pk, other.pk]


def test_a_duplicate_stands_alone_when_its_original_is_not_a_candidate() -> None:
    original = make_claim("Vaccines given to kids cause autism, a post says")
    repeat = make_claim("Vaccines given to kids cause autism, a post says.")
    claims_match_new(claim_ids=[repeat.pk])
    Claim.objects.filter(pk=repeat.pk).update(status=Claim.Status.PUBLISHED)
    PublishedVerdictFactory.create(claim=repeat, headline="")

    # Anonymous callers see published claims only: the unpublished original is no candidate.
    results = [r.claim_id for r in claim_match(text=QUERY)]

    assert results == [repeat.pk]
    assert original.pk not in results


def test_a_claim_whose_fact_check_headline_matches_ranks_first() -> None:
    # The claim's own words say little of what it is about; its fact-check's headline does.
    checked = make_claim("A viral post says the MMR shot given at age one is behind the rise")
    other = make_claim("A viral post says the shot given at age one makes children taller")
    Claim.objects.filter(pk__in=[checked.pk, other.pk]).update(status=Claim.Status.PUBLISHED)
    PublishedVerdictFactory.create(claim=checked, headline=HEADLINE)
    PublishedVerdictFactory.create(claim=other, headline="")
    claims_embed(claim_ids=[other.pk])
    # Stored without its headline's vector, the other claim wins.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO claims_claimembedding (claim_id, vector, headline) VALUES (%s, %s, '')",
            [checked.pk, vector_to_bytes(texts_embed([checked.text])[0])],
        )
    assert [r.claim_id for r in claim_match(text=QUERY)] == [other.pk, checked.pk]

    claims_embed_missing()

    assert [r.claim_id for r in claim_match(text=QUERY)] == [checked.pk, other.pk]
