"""Import runs: one run of an origin at a time, their status from their items' results, and a
table's chunks finishing one run whichever order they finish in."""

import hashlib

import pytest
from django.db import connections

from factcheck.db import ImportBusy, import_lock
from sources.imports.feeds import feed_poll
from sources.imports.runs import ItemResult, ItemStatus, RunTotals, TableChunk
from sources.imports.tables import (
    source_import_table,
    source_import_table_chunk,
    source_import_table_start,
    table_chunks,
)
from sources.models import Feed, ImportRun, ImportRunChunk
from sources.parsers.table import TableFormat, TableLayout
from tests.conftest import DATA
from tests.local_http import Handler
from tests.sources.conftest import LIAR

pytestmark = pytest.mark.django_db


def test_a_run_succeeds_when_no_item_failed_fails_when_all_did_and_is_partial_otherwise() -> None:
    imported = ItemResult(path="a", status=ItemStatus.IMPORTED, source=1, claims_created=3)
    unchanged = ItemResult(path="b", status=ItemStatus.UNCHANGED, source=2)
    failed = ItemResult.failed("c", "the file is empty")

    assert RunTotals.of([imported, unchanged]) == RunTotals(sources=1, claims=3, unchanged=1)
    assert RunTotals.of([imported, unchanged]).status == ImportRun.Status.SUCCEEDED
    assert RunTotals.of([]).status == ImportRun.Status.SUCCEEDED
    assert RunTotals.of([failed, failed]).status == ImportRun.Status.FAILED
    assert RunTotals.of([unchanged, failed]).status == ImportRun.Status.PARTIAL
    reviewed = RunTotals.reviewed(imported=0, unchanged=0, failed=2)
    assert reviewed.status == ImportRun.Status.FAILED
    assert reviewed.summary("t.csv") == ItemResult(
        path="t.csv", status=ItemStatus.FAILED, error="2 item(s) failed"
    )


def test_an_item_result_is_stored_in_the_documented_shape() -> None:
    result = ItemResult(path="a.txt", status=ItemStatus.IMPORTED, source=7, claims_created=2)

    assert result.as_json() == {
        "path": "a.txt",
        "status": "imported",
        "source": 7,
        "claims_created": 2,
        "error": None,
    }
    assert ItemResult.from_json(result.as_json()) == result


def test_a_split_tables_run_finishes_with_its_last_chunk_whichever_order_they_finish_in() -> None:
    raw = LIAR.read_bytes()
    chunks = table_chunks(raw=raw, size=15)  # 41 lines: rows 1-15, 16-30, 31-end
    liar = TableFormat(layout=TableLayout.LIAR)
    run = source_import_table_start(name=LIAR.name, chunks=chunks, trusted=True)
    assert [(c.first, c.last) for c in run.chunks.all()] == [(0, 15), (15, 30), (30, None)]

    for chunk in reversed(chunks):
        assert ImportRun.objects.get().finished_at is None
        source_import_table_chunk(
            run_id=run.pk, raw=raw, name=LIAR.name, chunk=chunk, table_format=liar
        )

    run.refresh_from_db()
    assert run.status == ImportRun.Status.PARTIAL  # the broken last row
    assert (run.claims_created, run.items_unchanged, run.items_failed) == (40, 0, 1)
    assert not ImportRunChunk.objects.filter(finished_at__isnull=True).exists()
    assert [i["path"] for i in run.items if " rows " in i["path"]] == [
        "liar_sample.tsv rows 31-end",
        "liar_sample.tsv rows 16-30",
        "liar_sample.tsv rows 1-15",
    ]


def test_a_chunk_of_a_run_deleted_meanwhile_imports_nothing() -> None:
    run = source_import_table_start(
        name=LIAR.name, chunks=[TableChunk(0, 15), TableChunk(15, None)], trusted=True
    )
    run.delete()

    gone = source_import_table_chunk(
        run_id=run.pk, raw=LIAR.read_bytes(), name=LIAR.name, chunk=TableChunk(0, 15)
    )

    assert gone is None
    assert not ImportRun.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_import_lock_lets_one_run_at_a_time() -> None:
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            key = int.from_bytes(hashlib.sha256(b"table:x").digest()[:8], "big", signed=True)
            cursor.execute("SELECT pg_advisory_lock(%s)", [key])
        with pytest.raises(ImportBusy):
            with import_lock("table:x"):
                pass
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        with import_lock("table:x"):
            pass
    finally:
        other.close()


def test_claimreview_feed_is_fetched_and_a_busy_table_run_records_nothing(server: str) -> None:
    Handler.routes = {
        "/reviews.html": (200, "text/html", (DATA / "claimreview_page.html").read_bytes())
    }
    feed = Feed.objects.create(url=f"{server}/reviews.html", kind=Feed.Kind.CLAIMREVIEW)
    run = feed_poll(feed=feed)
    assert (run.kind, run.claims_created) == ("claimreview", 1)
    assert feed.last_success_at is not None

    with import_lock("table:busy.tsv"):
        other = connections.create_connection("default")
        try:
            # Another worker (another connection) sees the lock and stops at once.
            runs = ImportRun.objects.count()
            connections["default"], saved = other, connections["default"]
            try:
                with pytest.raises(ImportBusy):
                    source_import_table(raw=b"claim\nx\n", name="busy.tsv", trusted=True)
            finally:
                connections["default"] = saved
        finally:
            other.close()
    assert ImportRun.objects.count() == runs
