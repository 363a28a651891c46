"""claim_match: existing claims ranked by similarity to a text, with their verdicts."""

from pathlib import Path

import pytest

from claims.matching import search
from claims.matching.search import claim_match
from claims.models import Claim
from sources.imports.documents import source_import_paths
from tests.claims.matching.helpers import NUCLEAR, publish
from tests.factories import ClaimFactory, SourceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("matching_inline")]


def test_a_hashtag_finds_the_claim_that_spells_its_words_out() -> None:
    texts = ["Jeffrey Epstein was photographed on a private island", "An island was sold"]
    claim, _ = (ClaimFactory.create(source=SourceFactory.create(body=t), end=len(t)) for t in texts)

    results = claim_match(text="#JeffreyEpstein #PrivateIsland", published_only=False)

    assert results[0].claim_id == claim.pk


def test_claim_match_ranks_a_paraphrase_first_with_its_published_verdict(
    seed_folder: Path,
) -> None:
    source_import_paths(paths=[seed_folder])
    target = Claim.objects.get(text__startswith=NUCLEAR)
    verdict = publish(target)

    results = claim_match(
        text="Iran's uranium enrichment was capped at 3.67 percent by the 2015 nuclear deal",
        limit=3,
        published_only=False,
    )

    assert results[0].claim_id == target.pk
    assert results[0].verdict == verdict
    assert 0 < results[0].score <= 1
    assert len(results) == 3
    assert [r.score for r in results] == sorted((r.score for r in results), reverse=True)


def test_the_query_embedding_thread_is_made_again_in_a_forked_child(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """claim_match embeds the query in a thread of its own process; a child forked from a
    process that already had that thread (a Celery or gunicorn worker) makes its own, since it
    does not inherit the thread, and matching there still answers."""
    parent = search.embedding_thread.executor()
    assert search.embedding_thread.executor() is parent  # one per process
    monkeypatch.setattr(search.os, "getpid", lambda: -1)  # as a forked child sees itself
    child = search.embedding_thread.executor()
    assert child is not parent
    target = ClaimFactory.create(
        source=SourceFactory.create(body="The river flooded the old mill town.")
    )
    ClaimFactory.create(source=SourceFactory.create(body="Taxes on petrol rose twice this year."))
    results = claim_match(text="The old mill town was flooded by the river", published_only=False)
    assert [r.claim_id for r in results][:1] == [target.pk]
    monkeypatch.undo()
    parent.shutdown(wait=True)
