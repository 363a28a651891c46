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
from claims.models import Claim, ClaimEmbedding, Verdict
from sources.services import source_import_paths
from tests.factories import (
    ClaimFactory,
    PublishedVerdictFactory,
    SourceFactory,
    VerdictFactory,
    staff_user,
)

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


def test_a_duplicate_is_folded_into_the_earlier_claim_it_repeats() -> None:
    original = make_claim("Vaccines given to kids cause autism, a post says")
    repeat = make_claim("Vaccines given to kids cause 'autism', a post says!")
    other = make_claim(LOOKALIKE)
    matching.claims_match_new(claim_ids=[repeat.pk])
    repeat.refresh_from_db()
    assert repeat.duplicate_of_id == original.pk
    claims_embed(claim_ids=[original.pk, repeat.pk, other.pk])

    results = [r.claim_id for r in claim_match(text=QUERY, published_only=False)]

    assert results == [original.pk, other.pk]


def test_a_duplicate_stands_alone_when_its_original_is_not_a_candidate() -> None:
    original = make_claim("Vaccines given to kids cause autism, a post says")
    repeat = make_claim("Vaccines given to kids cause autism, a post says.")
    matching.claims_match_new(claim_ids=[repeat.pk])
    Claim.objects.filter(pk=repeat.pk).update(status=Claim.Status.PUBLISHED)

    # Anonymous callers see published claims only: the unpublished original is no candidate.
    results = [r.claim_id for r in claim_match(text=QUERY)]

    assert results == [repeat.pk]
    assert original.pk not in results


HEADLINE = "Do childhood vaccinations lead to autism spectrum disorder?"


def test_a_published_verdicts_headline_is_embedded_with_its_claim() -> None:
    verdict = PublishedVerdictFactory(claim=make_claim(LOOKALIKE), headline=HEADLINE)
    unchecked = make_claim(PARAPHRASE)

    assert claims_embed(claim_ids=[verdict.claim_id, unchecked.pk]) == 2

    stored = ClaimEmbedding.objects.get(claim_id=verdict.claim_id)
    assert stored.headline == HEADLINE
    assert float(vector_from_bytes(stored.headline_vector) @ texts_embed([HEADLINE])[0]) > 0.999
    assert ClaimEmbedding.objects.get(claim_id=unchecked.pk).headline_vector is None
    assert claims_embed(claim_ids=[verdict.claim_id, unchecked.pk]) == 0


def test_a_changed_or_retracted_headline_is_embedded_again() -> None:
    verdict = PublishedVerdictFactory(claim=make_claim(LOOKALIKE), headline=HEADLINE)
    claims_embed(claim_ids=[verdict.claim_id])
    text_vector = bytes(ClaimEmbedding.objects.get(claim_id=verdict.claim_id).vector)

    Verdict.objects.filter(pk=verdict.pk).update(headline="Noise in the park")
    assert claims_embed_missing() == 1
    stored = ClaimEmbedding.objects.get(claim_id=verdict.claim_id)
    assert stored.headline == "Noise in the park"
    assert bytes(stored.vector) == text_vector  # the claim's own text did not change

    Verdict.objects.filter(pk=verdict.pk).update(status=Verdict.Status.RETRACTED)
    assert claims_embed(claim_ids=[verdict.claim_id]) == 1
    stored.refresh_from_db()
    assert (stored.headline, stored.headline_vector) == ("", None)


def test_a_claim_whose_fact_check_headline_matches_ranks_first() -> None:
    # The claim's own words say little of what it is about; its fact-check's headline does.
    checked = make_claim("A viral post says the MMR shot given at age one is behind the rise")
    other = make_claim("A viral post says the shot given at age one makes children taller")
    Claim.objects.filter(pk__in=[checked.pk, other.pk]).update(status=Claim.Status.PUBLISHED)
    PublishedVerdictFactory(claim=checked, headline=HEADLINE)
    claims_embed(claim_ids=[other.pk])
    # Embedded without its headline (as before this change), the other claim wins.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO claims_claimembedding (claim_id, vector, headline) VALUES (%s, %s, '')",
            [checked.pk, vector_to_bytes(texts_embed([checked.text])[0])],
        )
    assert [r.claim_id for r in claim_match(text=QUERY)] == [other.pk, checked.pk]

    claims_embed_missing()

    assert [r.claim_id for r in claim_match(text=QUERY)] == [checked.pk, other.pk]


def test_publishing_and_retracting_a_verdict_embed_its_headline_after_the_commit(
    monkeypatch, django_capture_on_commit_callbacks
) -> None:
    from claims import tasks, workflow

    monkeypatch.setattr(
        tasks, "claims_embed_later", lambda *, claim_ids: tasks.claims_embed_task(claim_ids)
    )
    editor = staff_user("editor", "Editors")
    claim = ClaimFactory(status=Claim.Status.AWAITING_APPROVAL)
    VerdictFactory(claim=claim, author=staff_user("reviewer", "Reviewers"), headline=HEADLINE)
    claims_embed(claim_ids=[claim.pk])  # embedded on import, before any verdict
    assert ClaimEmbedding.objects.get(claim=claim).headline_vector is None

    with django_capture_on_commit_callbacks(execute=True):
        workflow.verdict_publish(claim=claim, actor=editor)
    assert ClaimEmbedding.objects.get(claim=claim).headline == HEADLINE

    with django_capture_on_commit_callbacks(execute=True):
        workflow.verdict_retract(claim=claim, actor=editor, note="Wrong source.")
    assert ClaimEmbedding.objects.get(claim=claim).headline_vector is None


@pytest.mark.django_db(transaction=True)
def test_migration_0011_adds_the_headline_columns_and_reverses() -> None:
    from django.db.migrations.executor import MigrationExecutor

    def columns() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_name = 'claims_claimembedding'"
            )
            return {row[0] for row in cursor.fetchall()}

    executor = MigrationExecutor(connection)
    executor.migrate([("claims", "0010_match_keys_in_python")])
    try:
        assert columns() == {"claim_id", "vector"}
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert columns() == {"claim_id", "vector", "headline", "headline_vector"}
