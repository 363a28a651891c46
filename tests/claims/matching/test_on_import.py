"""Import-time matching: duplicates and suggested matches of newly imported claims."""

from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.matching.on_import import SUGGEST_THRESHOLD, SUGGESTIONS_PER_CLAIM, claims_match_new
from claims.matching.search import claim_match
from claims.models import Claim, ClaimEmbedding, ClaimEvent, ClaimMatch
from sources.imports.documents import source_import_paths
from tests.claims.matching.helpers import import_both
from tests.conftest import EDITED_TO

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("matching_inline")
def test_an_edited_copy_marks_unchanged_statements_as_duplicates_and_edits_as_suggestions(
    seed_folder: Path, edited_seed_folder: Path
) -> None:
    first, second = import_both(seed_folder, edited_seed_folder)

    assert len(first) == len(second) == 17
    edited = next(c for c in second if c.text == EDITED_TO)
    for original, copy in zip(first, second, strict=True):
        if copy is edited:
            assert copy.duplicate_of is None
            # Its best suggestion is the sentence it edits.
            match = ClaimMatch.objects.filter(claim=copy).order_by("-score").first()
            assert match is not None and match.matched == original
            assert match.kind == ClaimMatch.Kind.SUGGESTED
            assert SUGGEST_THRESHOLD <= match.score < 1
        else:
            assert copy.duplicate_of == original
            match = ClaimMatch.objects.get(claim=copy)
            assert (match.matched, match.kind, match.score) == (original, "duplicate", 1.0)
        assert copy.status == Claim.Status.PENDING
        assert copy.score is not None
    # The originals match nothing (nothing came before them).
    assert not ClaimMatch.objects.filter(claim__in=first).exists()


@pytest.mark.usefixtures("matching_inline")
def test_matching_again_writes_nothing_twice(seed_folder: Path, edited_seed_folder: Path) -> None:
    _, second = import_both(seed_folder, edited_seed_folder)
    before = ClaimMatch.objects.count()

    assert claims_match_new(claim_ids=[c.pk for c in second]) == 0
    assert ClaimMatch.objects.count() == before


@pytest.mark.usefixtures("matching_inline")
def test_matching_on_import_takes_the_same_queries_for_any_number_of_statements(
    seed_folder: Path, tmp_path: Path
) -> None:
    source_import_paths(paths=[seed_folder])
    small, large = tmp_path / "small.txt", tmp_path / "large.txt"
    small.write_text("A new claim about the 2015 nuclear deal was made on Monday.\n")
    large.write_text(
        "\n".join(
            f"Claim number {i} about the 2015 nuclear deal was made on day {i}." for i in range(60)
        )
    )
    counts = []
    for path in (small, large):
        with CaptureQueriesContext(connection) as queries:
            source_import_paths(paths=[path])
        counts.append(len(queries))

    assert counts[0] == counts[1]


@pytest.mark.usefixtures("matching_inline")
def test_a_duplicate_found_on_import_is_logged_as_marked_by_the_system(
    seed_folder: Path, edited_seed_folder: Path
) -> None:
    first, second = import_both(seed_folder, edited_seed_folder)

    events = ClaimEvent.objects.filter(code="claim.duplicate_found")
    duplicates = [copy for copy in second if copy.duplicate_of_id is not None]
    assert len(duplicates) == 16
    assert sorted(e.claim_id for e in events) == [copy.pk for copy in duplicates]
    original_of = {copy.pk: original.pk for original, copy in zip(first, second, strict=True)}
    for event in events:
        assert event.actor is None
        assert (event.from_status, event.to_status) == ("pending", "pending")
        assert event.data == {"duplicate_of": original_of[event.claim_id], "found_on": "import"}
        # The link is a change that clients syncing claims by updated_at see.
        assert Claim.objects.get(pk=event.claim_id).updated_at == event.created_at
    # Matching again links nothing again and logs nothing twice.
    claims_match_new(claim_ids=[c.pk for c in second])
    assert events.count() == 16


def test_a_duplicate_linked_meanwhile_keeps_its_link_and_gets_no_event(
    seed_folder: Path, edited_seed_folder: Path
) -> None:
    first, second = import_both(seed_folder, edited_seed_folder)  # matched by no worker yet
    Claim.objects.filter(pk=second[0].pk).update(duplicate_of=first[1])

    claims_match_new(claim_ids=[c.pk for c in second])

    assert Claim.objects.get(pk=second[0].pk).duplicate_of_id == first[1].pk
    marked = ClaimEvent.objects.filter(code="claim.duplicate_found")
    assert second[0].pk not in {e.claim_id for e in marked}
    assert marked.count() == 15


def test_importing_a_document_queues_its_matching_after_the_commit(
    seed_folder: Path, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    from claims import tasks

    queued: list[list[int]] = []
    monkeypatch.setattr(tasks.claims_match_new_task, "delay", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        source_import_paths(paths=[seed_folder])

    assert sorted(i for ids in queued for i in ids) == sorted(
        Claim.objects.values_list("id", flat=True)
    )


@pytest.mark.usefixtures("matching_inline")
def test_a_suggestion_on_import_is_ranked_and_scored_as_the_match_api_ranks_it(
    seed_folder: Path, edited_seed_folder: Path
) -> None:
    source_import_paths(paths=[seed_folder])
    # The match API's answer over the claims there before the edited copy arrives.
    ranked = claim_match(text=EDITED_TO, limit=SUGGESTIONS_PER_CLAIM, published_only=False)

    source_import_paths(paths=[edited_seed_folder])

    stored = ClaimMatch.objects.filter(claim__text=EDITED_TO).order_by("-score", "matched_id")
    assert [(m.matched_id, m.score) for m in stored] == [
        (r.claim_id, r.score) for r in ranked if r.score >= SUGGEST_THRESHOLD
    ]
    assert len(stored) > 1  # more than the sentence it edits scores over the threshold


def test_the_matching_task_links_duplicates_then_queues_the_embedding_that_suggests(
    seed_folder: Path, edited_seed_folder: Path, monkeypatch: Any
) -> None:
    from claims import tasks

    _, second = import_both(seed_folder, edited_seed_folder)  # matched by no worker yet
    queued: list[tuple[list[int], bool]] = []
    monkeypatch.setattr(
        tasks,
        "claims_embed_later",
        lambda *, claim_ids, match=False: queued.append((claim_ids, match)),
    )
    ids = [c.pk for c in second]

    tasks.claims_match_new_task(ids)

    assert ClaimMatch.objects.filter(kind=ClaimMatch.Kind.DUPLICATE).count() == 16
    assert not ClaimMatch.objects.filter(kind=ClaimMatch.Kind.SUGGESTED).exists()
    assert queued == [(ids, True)]

    tasks.claims_embed_task(ids, True)

    suggested = ClaimMatch.objects.filter(kind=ClaimMatch.Kind.SUGGESTED)
    assert set(suggested.values_list("claim__text", flat=True)) == {EDITED_TO}
    assert ClaimEmbedding.objects.filter(claim_id__in=ids).count() == len(ids)
