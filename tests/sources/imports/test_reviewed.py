"""Storing reviewed claims: ratings mapped onto our scale, idempotent writes, matching queued."""

from pathlib import Path

import pytest
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks

from claims import tasks
from claims.models import Claim, ClaimMatch, Rating, Verdict
from sources.imports.documents import source_import_paths
from sources.imports.imported import claims_create_imported
from sources.imports.ratings import RatingMapper
from sources.parsers.reviewed import ImportedClaim

pytestmark = pytest.mark.django_db


def test_rating_mapper_uses_aliases_then_numbers() -> None:
    mapper = RatingMapper()
    slugs: dict[int | None, str] = dict(Rating.objects.values_list("pk", "slug"))
    assert slugs[mapper.rating_id("PANTS ON FIRE!")] == "pants-on-fire"
    assert slugs[mapper.rating_id("falso")] == "false"
    assert slugs[mapper.rating_id("Mostly False")] == "mostly-false"
    assert slugs[mapper.rating_id("barely-true")] == "mostly-false"
    assert slugs[mapper.rating_id("", (1, 1, 5))] == "pants-on-fire"
    assert slugs[mapper.rating_id("", (5, 1, 5))] == "true"
    assert mapper.rating_id("who knows") is None
    assert mapper.rating_id("", (9, 1, 5)) is None


def test_claims_create_imported_is_idempotent_within_and_across_calls() -> None:
    item = ImportedClaim(key="k|1", text="A claim.", origin="x", original_rating="true")
    results = claims_create_imported(items=[item, item], trusted=True)
    assert [r.status for r in results] == ["imported", "unchanged"]
    assert claims_create_imported(items=[item], trusted=True)[0].status == "unchanged"
    assert Claim.objects.count() == Verdict.objects.count() == 1


def test_imported_reviewed_claims_are_matched_with_earlier_claims_after_the_commit(
    seed_folder: Path,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source_import_paths(paths=[seed_folder])
    earlier = Claim.objects.order_by("position")[3]
    # Run the queued task in this process instead of through a broker.
    monkeypatch.setattr(tasks.claims_match_new_task, "delay", tasks.claims_match_new_task)
    item = ImportedClaim(key="test|1", text=earlier.text, origin="elsewhere", language="en")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        [result] = claims_create_imported(items=[item], trusted=True)

    assert len(callbacks) == 1 and result.claim is not None
    match = ClaimMatch.objects.get(claim_id=result.claim)
    assert (match.matched_id, match.kind) == (earlier.pk, "duplicate")
