"""Issue 6: sentence embeddings stored per claim re-rank "checked before?" matches."""

from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from django.db import connection

from claims import matching
from claims.embeddings import (
    DIMENSIONS,
    claims_embed,
    claims_embed_missing,
    texts_embed,
    vector_from_bytes,
    vector_to_bytes,
)
from claims.matching import claim_match
from claims.models import Claim, ClaimEmbedding
from sources.services import source_import_paths
from tests.factories import ClaimFactory, SourceFactory

pytestmark = pytest.mark.django_db

QUERY = "Vaccines given to kids cause autism"
PARAPHRASE = "Childhood vaccinations are linked to autism spectrum disorder"
# Shares more of the query's words than the paraphrase does, and means something else.
LOOKALIKE = "Kids given sweets cause noise complaints in the park"


def make_claim(text: str) -> Claim:
    return ClaimFactory(source=SourceFactory(body=text), end=len(text))


def test_texts_are_embedded_as_unit_vectors_closest_to_their_paraphrases() -> None:
    query, paraphrase, other = texts_embed([QUERY, PARAPHRASE, "The bridge opened in 1932"])

    assert query.shape == (DIMENSIONS,)
    assert np.linalg.norm(query) == pytest.approx(1, abs=1e-4)
    assert query @ paraphrase > 0.6 > 0.2 > query @ other


def test_a_text_embeds_the_same_alone_and_in_a_batch() -> None:
    alone = texts_embed([PARAPHRASE])[0]
    batched = texts_embed(["A much longer sentence that pads the batch out " * 3, PARAPHRASE])[1]

    assert float(alone @ batched) > 0.999


def test_vectors_are_stored_as_float16() -> None:
    vector = texts_embed([QUERY])[0]
    stored = vector_to_bytes(vector)

    assert len(stored) == 2 * DIMENSIONS
    assert np.allclose(vector_from_bytes(stored), vector, atol=1e-3)


def test_embedding_claims_writes_each_vector_once() -> None:
    first, second = make_claim(PARAPHRASE), make_claim(LOOKALIKE)

    assert claims_embed(claim_ids=[first.pk]) == 1
    assert claims_embed(claim_ids=[first.pk, second.pk]) == 1
    assert claims_embed(claim_ids=[first.pk, second.pk]) == 0

    stored = vector_from_bytes(ClaimEmbedding.objects.get(claim=first).vector)
    assert float(stored @ texts_embed([PARAPHRASE])[0]) > 0.999


def test_embed_claims_command_fills_in_every_missing_vector() -> None:
    claims = [make_claim(f"Claim number {n} about the harbour toll") for n in range(5)]
    claims_embed(claim_ids=[claims[0].pk])

    call_command("embed_claims", "--batch-size", "2")

    assert ClaimEmbedding.objects.count() == 5
    assert claims_embed_missing() == 0


def test_the_matching_task_embeds_imported_claims(seed_folder: Path, monkeypatch) -> None:
    from claims import tasks

    monkeypatch.setattr(
        tasks, "claims_match_new_later", lambda *, claim_ids: tasks.claims_match_new_task(claim_ids)
    )
    source_import_paths(paths=[seed_folder])

    assert ClaimEmbedding.objects.count() == Claim.objects.count() == 17


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


def test_rare_words_weigh_more_than_common_ones() -> None:
    rare = make_claim("The lighthouse keeper counted gulls")
    common = make_claim("The council counted the harbour votes")
    for n in range(30):
        make_claim(f"The council approved the harbour budget number {n}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_claim")
    matching._stats = None  # forget statistics read before the ANALYZE

    results = claim_match(text="harbour council lighthouse", published_only=False, limit=40)

    assert results[0].claim_id == rare.pk
    assert common.pk in [r.claim_id for r in results]


def test_a_rare_word_found_in_no_published_claim_falls_back_to_the_common_ones(
    monkeypatch,
) -> None:
    hidden = make_claim("The lighthouse keeper approved the budget")
    published = [
        make_claim(f"The council approved the harbour budget number {n}") for n in range(30)
    ]
    Claim.objects.filter(pk__in=[c.pk for c in published]).update(status=Claim.Status.PUBLISHED)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_claim")
    matching._stats = None
    monkeypatch.setattr(matching, "RARE_BUDGET", 5)  # "council" and "budget" count as common

    staff = claim_match(text="lighthouse council budget", published_only=False)
    anonymous = claim_match(text="lighthouse council budget", published_only=True)

    assert staff[0].claim_id == hidden.pk
    assert anonymous and {r.claim_id for r in anonymous} <= {c.pk for c in published}
