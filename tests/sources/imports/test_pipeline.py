"""Table imports prepare batch N+1 in a thread while batch N is written (pipelined, as documents
are): the same rows as one serial write, and nothing lost or doubled when the database refuses a
batch."""

from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from pytest_django.fixtures import Settings

from claims.models import Claim, Claimant, ClaimEvent, Verdict
from sources.imports import reviewed
from sources.imports.reviewed import claims_create_imported
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


def test_a_batch_the_database_refuses_loses_nothing_and_the_next_run_finishes(
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.IMPORT_TABLE_CHUNK_ROWS = 10
    written: list[int] = []
    real_write = reviewed.claims_create_imported
    real_settings = reviewed.bulk_write_settings

    def write(**kwargs: Any) -> list[reviewed.ImportedResult]:
        results = real_write(**kwargs)
        written.append(sum(1 for r in results if r.status == "imported"))
        return results

    def refuse_the_third_batch() -> None:
        real_settings()
        if len(written) == 2:  # inside the third batch's transaction: PostgreSQL refuses it
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 / 0")

    monkeypatch.setattr(reviewed, "claims_create_imported", write)
    monkeypatch.setattr(reviewed, "bulk_write_settings", refuse_the_third_batch)

    with pytest.raises(DatabaseError):
        source_import_table(
            raw=LIAR.read_bytes(), name=LIAR.name, trusted=True, table_format=LIAR_TABLE
        )

    # The two batches written before stay whole; the refused one and those after it are absent.
    assert len(written) == 2 and 0 < sum(written) < 40
    stored = sum(written)
    assert Source.objects.count() == Claim.objects.count() == Verdict.objects.count() == stored
    assert ClaimEvent.objects.filter(code="claim.imported").count() == stored

    monkeypatch.setattr(reviewed, "bulk_write_settings", real_settings)
    run = source_import_table(
        raw=LIAR.read_bytes(), name=LIAR.name, trusted=True, table_format=LIAR_TABLE
    )

    assert (run.claims_created, run.items_unchanged, run.items_failed) == (40 - stored, stored, 1)
    assert Claim.objects.count() == Claim.objects.values("text").distinct().count() == 40
    assert Source.objects.count() == Verdict.objects.count() == 40
    assert ClaimEvent.objects.filter(code="claim.imported").count() == 40
    interrupted = ImportRun.objects.exclude(pk=run.pk).get()
    assert interrupted.status == ImportRun.Status.FAILED
    assert "interrupted" in interrupted.items[0]["error"]
