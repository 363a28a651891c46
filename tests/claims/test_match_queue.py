from pathlib import Path
from typing import Any

import pytest

from claims.models import Claim

pytestmark = pytest.mark.django_db


def test_importing_a_document_queues_its_matching_after_the_commit(
    seed_folder: Path, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    from claims import tasks
    from sources.services import source_import_paths

    queued: list[list[int]] = []
    monkeypatch.setattr(tasks.claims_match_new_task, "delay", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        source_import_paths(paths=[seed_folder])

    assert sorted(i for ids in queued for i in ids) == sorted(
        Claim.objects.values_list("id", flat=True)
    )
