"""Tables (CSV/TSV, LIAR) imported as reviewed claims: whole, or in chunks several tasks share."""

from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection
from pytest_django.fixtures import Settings

from claims.models import Claim, Claimant, ClaimEvent, Verdict
from factcheck.celery import app
from factcheck.db import ImportBusy, advisory_key
from sources import tasks
from sources.imports.claimreview import source_import_claimreview
from sources.imports.runs import TableChunk
from sources.imports.tables import source_import_table_start
from sources.models import ImportRun, Source
from sources.tasks import table_import_chunk_task, table_import_task
from tests.conftest import DATA, database_url
from tests.sources.conftest import LIAR, command_json

pytestmark = pytest.mark.django_db


def test_import_table_loads_liar_rows_as_published_claims_with_imported_verdicts() -> None:
    summary, code = command_json("import_table", str(LIAR), "--liar", "--trusted")

    assert code == 1  # the broken last row
    assert summary["claims_created"] == 40
    assert summary["failed"] == 1
    failed = [f for f in summary["files"] if f["status"] == "failed"]
    assert failed[0]["path"] == "liar_sample.tsv:41"
    assert "3 columns, expected 14" in failed[0]["error"]
    claim = Claim.objects.get(text__startswith="Says the Annies List political group")
    assert claim.status == Claim.Status.PUBLISHED
    assert claim.score is not None and 0 <= claim.score <= 1  # scored like every imported claim
    assert claim.claimant is not None and claim.claimant.name == "dwayne-bohac"
    assert claim.source.origin == "a mailer"
    assert claim.source.body[claim.start : claim.end] == claim.text
    verdict = claim.verdicts.get()
    assert (verdict.origin, verdict.status) == ("imported", "published")
    assert verdict.rating is not None
    assert (verdict.original_rating, verdict.rating.slug) == ("false", "false")
    assert verdict.publisher_name == "PolitiFact"
    assert ClaimEvent.objects.filter(claim=claim, code="claim.imported").count() == 1


def test_import_table_without_trusted_brings_claims_awaiting_review() -> None:
    command_json("import_table", str(LIAR), "--liar")

    assert set(Claim.objects.values_list("status", flat=True)) == {"pending"}
    assert set(Verdict.objects.values_list("status", "origin")) == {("draft", "imported")}
    assert ImportRun.objects.get().trusted is False


def test_reimporting_a_table_creates_nothing() -> None:
    command_json("import_table", str(LIAR), "--liar")
    counts = (Source.objects.count(), Claim.objects.count(), Verdict.objects.count())

    summary, _ = command_json("import_table", str(LIAR), "--liar")

    assert summary["claims_created"] == 0
    latest = ImportRun.objects.first()
    assert latest is not None and latest.items_unchanged == 40
    assert (Source.objects.count(), Claim.objects.count(), Verdict.objects.count()) == counts


def test_import_table_with_a_header_and_a_column_map(tmp_path: Path) -> None:
    table = tmp_path / "checks.csv"
    table.write_text(
        "ref,who,said,verdict,when\n"
        'a1,Jane Doe,"Taxes doubled, she said.",Mostly False,2023-01-02\n'
        "a2,John Roe,Crime is down.,barely-true,02/03/2023\n"
        "a3,John Roe,,true,2023-01-01\n"
        "a4,Jane Doe,Bad date row.,true,someday\n"
    )
    summary, code = command_json(
        "import_table",
        str(table),
        "--column",
        "claim=said",
        "--column",
        "rating=verdict",
        "--column",
        "claimant=who",
        "--column",
        "id=ref",
        "--column",
        "date=when",
        "--publisher",
        "Checker",
    )

    assert code == 1
    assert summary["claims_created"] == 2
    errors = {f["path"]: f["error"] for f in summary["files"] if f["status"] == "failed"}
    assert errors == {
        "checks.csv:4": "line 4: the claim column is empty",
        "checks.csv:5": "line 5: date is not a date: 'someday'",
    }
    taxes = Claim.objects.get(text="Taxes doubled, she said.")
    assert str(taxes.claim_date) == "2023-01-02"
    rating = taxes.verdicts.get().rating
    assert rating is not None and rating.slug == "mostly-false"
    assert Claimant.objects.filter(name="John Roe").count() == 1


def test_import_table_without_a_claim_column_fails_with_the_reason(tmp_path: Path) -> None:
    table = tmp_path / "x.csv"
    table.write_text("a,b\n1,2\n")
    summary, code = command_json("import_table", str(table))
    assert code == 1
    assert "no claim column" in summary["files"][0]["error"]
    assert Claim.objects.count() == 0


def test_a_table_row_naming_an_imported_review_is_the_same_item(tmp_path: Path) -> None:
    source_import_claimreview(
        raw=(DATA / "claimreview_page.html").read_bytes(), origin="page.html", trusted=True
    )
    table = tmp_path / "reviews.csv"
    table.write_text(
        "claim,rating,publisher,review_url\n"
        "El agua hierve a 50 grados.,falso,verificador.example,"
        "https://verificador.example/chequeo/9\n"
    )
    summary, code = command_json("import_table", str(table))
    assert (code, summary["claims_created"]) == (0, 0)
    assert Claim.objects.count() == Verdict.objects.count() == 1


# --- a large table shared by several workers --------------------------------------------------


def test_a_table_split_across_tasks_imports_every_row_once(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.IMPORT_TABLE_TASK_ROWS = 10  # 41 lines: ranges of rows 1-10, ..., 41-end
    monkeypatch.setitem(app.conf, "task_always_eager", True)  # the range tasks run inline

    run_id = table_import_task.apply(args=[str(LIAR), "liar"]).get()

    run = ImportRun.objects.get()
    assert run.pk == run_id
    assert run.finished_at is not None
    assert run.status == ImportRun.Status.PARTIAL  # the broken last row
    assert (run.claims_created, run.items_unchanged, run.items_failed) == (40, 0, 1)
    ranges = [i["path"] for i in run.items if " rows " in i["path"]]
    spans = ("1-10", "11-20", "21-30", "31-40", "41-end")
    assert ranges == [f"liar_sample.tsv rows {span}" for span in spans]
    failed = [i for i in run.items if i["status"] == "failed" and i["path"].endswith(":41")]
    assert "3 columns, expected 14" in failed[0]["error"]
    assert Claim.objects.count() == Claim.objects.values("text").distinct().count() == 40
    assert Source.objects.count() == Verdict.objects.count() == 40

    # A range delivered again (its worker was lost after storing it) changes nothing.
    assert (
        table_import_chunk_task.apply(args=[run.pk, str(LIAR), 10, 20, 5, "liar"]).get() == run.pk
    )
    again = ImportRun.objects.get()
    assert (again.claims_created, again.items_unchanged, again.items_failed) == (40, 0, 1)
    assert again.items == run.items
    assert Claim.objects.count() == 40


def test_a_range_whose_lock_is_held_elsewhere_waits_for_it_instead_of_being_dropped(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lock of a vanished worker machine's backend outlives it until TCP keepalive ends the
    connection; the redelivered range must not be acknowledged unimported meanwhile."""
    settings.IMPORT_TABLE_TASK_ROWS = 10
    monkeypatch.setitem(app.conf, "task_always_eager", True)
    monkeypatch.setitem(app.conf, "task_eager_propagates", False)
    run = source_import_table_start(
        name="liar_sample.tsv", chunks=[TableChunk(10, 20)], trusted=True
    )
    args = [run.pk, str(LIAR), 10, 20, 1, "liar"]
    attempts: list[int] = []
    importer = tasks.source_import_table_chunk

    def counted(**kwargs: Any) -> Any:
        attempts.append(1)
        return importer(**kwargs)

    monkeypatch.setattr(tasks, "source_import_table_chunk", counted)
    # The range's lock, held by another session as a vanished worker's backend would hold it.
    with psycopg.connect(database_url(connection.settings_dict), autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s)", [advisory_key("table:liar_sample.tsv:10")])
        held = table_import_chunk_task.apply(args=args)
        # Released here: a closed connection's backend lets go of its locks only as it exits.
        other.execute("SELECT pg_advisory_unlock(%s)", [advisory_key("table:liar_sample.tsv:10")])
    assert held.state == "FAILURE" and isinstance(held.result, ImportBusy)
    assert len(attempts) == 1 + table_import_chunk_task.max_retries  # it kept trying
    assert Claim.objects.count() == 0

    assert table_import_chunk_task.apply(args=args).get() == run.pk  # the lock is free again
    assert Claim.objects.count() == 10


def test_a_table_at_most_import_table_task_rows_long_is_one_task(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.IMPORT_TABLE_TASK_ROWS = 41
    monkeypatch.setitem(app.conf, "task_always_eager", True)

    table_import_task.apply(args=[str(LIAR), "liar"]).get()

    run = ImportRun.objects.get()
    assert [i["path"] for i in run.items] == ["liar_sample.tsv", "liar_sample.tsv:41"]
    assert run.claims_created == 40


def test_a_split_table_without_a_claim_column_fails_once_per_range(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    table = tmp_path / "x.csv"
    table.write_text("a,b\n" + "".join(f"{n},{n}\n" for n in range(5)))
    settings.IMPORT_TABLE_TASK_ROWS = 3  # 6 lines: two ranges
    monkeypatch.setitem(app.conf, "task_always_eager", True)

    table_import_task.apply(args=[str(table)]).get()

    run = ImportRun.objects.get()
    assert run.finished_at is not None
    assert run.status == ImportRun.Status.FAILED
    assert [i["path"] for i in run.items if " rows " in i["path"]] == [
        "x.csv rows 1-3",
        "x.csv rows 4-end",
    ]
    assert all("no claim column" in i["error"] for i in run.items if i["path"] == "x.csv")
    assert Claim.objects.count() == 0
