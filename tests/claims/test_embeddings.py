"""Sentence embeddings stored per claim (and per published headline) for the re-ranking."""

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.management import call_command

from claims.embeddings import (
    DIMENSIONS,
    claims_embed,
    claims_embed_missing,
    texts_embed,
    vector_from_bytes,
    vector_to_bytes,
)
from claims.models import Claim, ClaimEmbedding, Verdict
from sources.imports.documents import source_import_paths
from tests.claims.matching.helpers import HEADLINE, LOOKALIKE, PARAPHRASE, QUERY, make_claim
from tests.factories import (
    ClaimFactory,
    PublishedVerdictFactory,
    VerdictFactory,
    staff_user,
)

pytestmark = pytest.mark.django_db


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


def test_the_matching_task_embeds_imported_claims(
    seed_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from claims import tasks

    monkeypatch.setattr(
        tasks, "claims_match_new_later", lambda *, claim_ids: tasks.claims_match_new_task(claim_ids)
    )
    source_import_paths(paths=[seed_folder])

    assert ClaimEmbedding.objects.count() == Claim.objects.count() == 17


def test_a_published_verdicts_headline_is_embedded_with_its_claim() -> None:
    verdict = PublishedVerdictFactory.create(claim=make_claim(LOOKALIKE), headline=HEADLINE)
    unchecked = make_claim(PARAPHRASE)

    assert claims_embed(claim_ids=[verdict.claim_id, unchecked.pk]) == 2

    stored = ClaimEmbedding.objects.get(claim_id=verdict.claim_id)
    assert stored.headline == HEADLINE and stored.headline_vector is not None
    assert float(vector_from_bytes(stored.headline_vector) @ texts_embed([HEADLINE])[0]) > 0.999
    assert ClaimEmbedding.objects.get(claim_id=unchecked.pk).headline_vector is None
    assert claims_embed(claim_ids=[verdict.claim_id, unchecked.pk]) == 0


def test_a_changed_or_retracted_headline_is_embedded_again() -> None:
    verdict = PublishedVerdictFactory.create(claim=make_claim(LOOKALIKE), headline=HEADLINE)
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


def test_publishing_and_retracting_a_verdict_embed_its_headline_after_the_commit(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    from claims import tasks, workflow

    monkeypatch.setattr(
        tasks, "claims_embed_later", lambda *, claim_ids: tasks.claims_embed_task(claim_ids)
    )
    editor = staff_user("editor", "Editors")
    claim = ClaimFactory.create(status=Claim.Status.AWAITING_APPROVAL)
    VerdictFactory.create(
        claim=claim, author=staff_user("reviewer", "Reviewers"), headline=HEADLINE
    )
    claims_embed(claim_ids=[claim.pk])  # embedded on import, before any verdict
    assert ClaimEmbedding.objects.get(claim=claim).headline_vector is None

    with django_capture_on_commit_callbacks(execute=True):
        workflow.verdict_publish(claim=claim, actor=editor)
    assert ClaimEmbedding.objects.get(claim=claim).headline == HEADLINE

    with django_capture_on_commit_callbacks(execute=True):
        workflow.verdict_retract(claim=claim, actor=editor, note="Wrong source.")
    assert ClaimEmbedding.objects.get(claim=claim).headline_vector is None
