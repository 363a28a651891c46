"""Table imports prepare batch N+1 in a thread while batch N is written (pipelined, as documents
are): the same rows as one serial write; a row the database refuses fails alone, and the run
always finishes."""

from typing import Any

import pytest
from django.db import connection, transaction
from pytest_django.fixtures import Settings

from claims.models import Claim, Claimant, ClaimEvent, Verdict
from sources.imports import reviewed
from sources.imports.imported import claims_create_imported
from sources.imports.tables import source_import_table
from sources.models import ImportRun, Source
from sources.parsers.table import TableFormat, TableLayout, parse_table
from tests.sources.conftest import LIAR

pytestmark = pytest.mark.django_db
LIAR_TABLE = TableFormat(layout=TableLayout.LIAR)

SOURCE_FIELDS = "title url publisher author published_at language body content_hash origin"
CLAIM_FIELDS = (
    "source__content_hash text start end position claimant__name claim_date language status"
    " fingerprint score match_head match_tail"
)
VERDICT_FIELDS = (
    "claim__source__content_hash rating__slug headline summary status origin version"
    " original_rating review_url publisher_name publisher_site published_at"
)
EVENT_FIELDS = "claim__source__content_hash code from_status to_status note"


def stored_rows() -> dict[str, list[tuple[Any, ...]]]:
    """Everything an import stores, without ids, run ids and timestamps."""
    return {
        "sources": sorted(Source.objects.values_list(*SOURCE_FIELDS.split())),
        "claims": sorted(Claim.objects.values_list(*CLAIM_FIELDS.split())),
        "verdicts": sorted(Verdict.objects.values_list(*VERDICT_FIELDS.split())),
        "events": sorted(ClaimEvent.objects.values_list(*EVENT_FIELDS.split())),
        "claimants": sorted(Claimant.objects.values_list("name", flat=True)),
    }


class Undo(Exception):
    pass


def test_a_table_written_in_overlapped_batches_stores_what_one_serial_write_stores(
    settings: Settings,
) -> None:
    settings.IMPORT_TABLE_CHUNK_ROWS = 7  # 40 good rows: several batches, prepared ahead
    try:
        with transaction.atomic():
            run = source_import_table(
                raw=LIAR.read_bytes(), name=LIAR.name, trusted=True, table_format=LIAR_TABLE
            )
            assert (run.claims_created, run.items_failed) == (40, 1)
            overlapped = stored_rows()
            raise Undo
    except Undo:
        pass
    assert Claim.objects.count() == 0

    rows = parse_table(LIAR.read_bytes(), name=LIAR.name, table_format=LIAR_TABLE)
    items = [r.claim for r in rows if r.claim is not None]
    results = claims_create_imported(items=items, trusted=True)  # every row in one serial write

    assert [r.status for r in results] == ["imported"] * 40
    serial = stored_rows()
    assert len(serial["claims"]) == len(serial["verdicts"]) == len(serial["events"]) == 40
    assert overlapped == serial


def test_a_row_the_database_refuses_fails_alone_and_every_other_row_is_stored_once(
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The database refuses any batch holding one poisoned row: that batch is written again
    row by row, the poisoned row fails with the database's reason, and the run finishes."""
    settings.IMPORT_TABLE_CHUNK_ROWS = 10
    rows = [r for r in parse_table(LIAR.read_bytes(), name=LIAR.name, table_format=LIAR_TABLE)]
    poisoned = next(r for r in rows[15:] if r.claim is not None)
    claim = poisoned.claim
    assert claim is not None
    real_write = reviewed.claims_create_imported

    def write(**kwargs: Any) -> list[reviewed.ImportedResult]:
        prepared = kwargs.get("prepared")
        items = prepared.unique if prepared is not None else kwargs["items"]
        if any(item.key == claim.key for item in items):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT 1 / 0")  # PostgreSQL refuses the write
        return real_write(**kwargs)

    monkeypatch.setattr(reviewed, "claims_create_imported", write)

    run = source_import_table(
        raw=LIAR.read_bytes(), name=LIAR.name, trusted=True, table_format=LIAR_TABLE
    )

    assert run.status == ImportRun.Status.PARTIAL
    assert (run.claims_created, run.items_unchanged, run.items_failed) == (39, 0, 2)
    refused = next(item for item in run.items if item["path"] == poisoned.label)
    assert refused["error"] == "the database refused it: DataError: division by zero"
    assert Source.objects.count() == Claim.objects.count() == Verdict.objects.count() == 39
    assert ClaimEvent.objects.filter(code="claim.imported").count() == 39
    assert not Claim.objects.filter(text=claim.text).exists()

    again = source_import_table(
        raw=LIAR.read_bytes(), name=LIAR.name, trusted=True, table_format=LIAR_TABLE
    )

    assert (again.claims_created, again.items_unchanged, again.items_failed) == (0, 39, 2)
    assert Claim.objects.count() == Claim.objects.values("text").distinct().count() == 39


def test_an_unexpected_error_finishes_the_run_as_failed_with_the_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(**kwargs: Any) -> None:
        raise RuntimeError("the scorer fell over")

    monkeypatch.setattr(reviewed, "imported_prepare", broken)

    with pytest.raises(RuntimeError):
        source_import_table(
            raw=LIAR.read_bytes(), name=LIAR.name, table_format=LIAR_TABLE, trusted=True
        )

    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.FAILED
    assert run.finished_at is not None
    assert run.items[-1] == {
        "path": LIAR.name,
        "status": "failed",
        "source": None,
        "claims_created": 0,
        "error": "stopped by an unexpected error: RuntimeError: the scorer fell over",
    }
