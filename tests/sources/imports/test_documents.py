"""Documents (files, folders, bytes) become sources with one pending claim per statement."""

import codecs
import os
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError
from pytest_django.fixtures import Settings

from claims.models import Claim
from sources.imports import documents
from sources.imports.documents import FileRead, source_import_bytes, source_import_paths
from sources.models import ImportRun, Source
from tests.conftest import SEED
from tests.sources.conftest import command_json

pytestmark = pytest.mark.django_db

FIRST = (
    "The letter, which has not been released, was sent amid new U.S. sanctions as part of "
    "Trump's “maximum pressure” campaign."
)
LAST = (
    "China has also sought a more prominent role in Middle Eastern diplomacy, exemplified by its "
    "role in brokering the recent restoration of diplomatic ties between Saudi Arabia and Iran."
)


def import_json(*paths: Path) -> tuple[dict[str, Any], int]:
    """Run `import_seeds --json` and return its one JSON object and its exit status."""
    return command_json("import_seeds", *[str(p) for p in paths])


def test_seed_article_becomes_seventeen_pending_claims(seed_folder: Path) -> None:
    summary, code = import_json(seed_folder)

    assert code == 0
    assert summary["sources_created"] == 1
    assert summary["claims_created"] == 17
    source = Source.objects.get()
    assert source.body == SEED.read_bytes().decode("utf-8")
    assert source.language == "en"
    claims = list(source.claims.order_by("position"))
    assert [c.position for c in claims] == list(range(17))
    assert claims[0].text == FIRST
    assert claims[-1].text == LAST
    for claim in claims:
        assert source.body[claim.start : claim.end] == claim.text
        assert claim.status == Claim.Status.PENDING
        assert claim.get_status_display() == "Awaiting review"
        assert claim.language == "en"


def test_importing_again_creates_nothing(seed_folder: Path) -> None:
    import_json(seed_folder)

    summary, code = import_json(seed_folder)

    assert code == 0
    assert summary["sources_created"] == 0
    assert summary["claims_created"] == 0
    assert summary["files"][0]["status"] == "unchanged"
    assert Source.objects.count() == 1
    assert Claim.objects.count() == 17


def test_same_bytes_under_another_name_are_not_imported_twice(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(SEED.read_bytes())
    (tmp_path / "b.txt").write_bytes(SEED.read_bytes())

    summary, _ = import_json(tmp_path)

    assert [f["status"] for f in summary["files"]] == ["imported", "unchanged"]
    assert summary["files"][0]["source"] == summary["files"][1]["source"]
    assert Claim.objects.count() == 17


def test_json_summary_has_the_documented_shape(seed_folder: Path) -> None:
    summary, _ = import_json(seed_folder)

    assert set(summary) == {"run", "sources_created", "claims_created", "failed", "files"}
    (item,) = summary["files"]
    assert item == {
        "path": str(seed_folder / SEED.name),
        "status": "imported",
        "source": Source.objects.get().pk,
        "claims_created": 17,
        "error": None,
    }
    run = ImportRun.objects.get(pk=summary["run"])
    assert run.status == ImportRun.Status.SUCCEEDED
    assert run.finished_at is not None


def test_folder_with_broken_files_imports_the_good_ones_and_exits_1(
    tmp_path: Path, settings: Settings
) -> None:
    settings.IMPORT_MAX_BYTES = 4000
    (tmp_path / "01_good.txt").write_text("The moon is made of cheese. It orbits Mars.\n")
    (tmp_path / "02_empty.txt").write_bytes(b"")
    (tmp_path / "03_binary.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    (tmp_path / "04_undecodable.txt").write_bytes(bytes(range(128, 256)) * 8)
    (tmp_path / "05_too_big.txt").write_text("Big words here. " * 400)
    (tmp_path / "06_good.txt").write_text("Inflation fell to 3.2% in May. Wages rose.\n")

    summary, code = import_json(tmp_path, tmp_path / "missing.txt")

    assert code == 1
    by_name = {Path(f["path"]).name: f for f in summary["files"]}
    assert by_name["01_good.txt"]["status"] == "imported"
    assert by_name["06_good.txt"]["status"] == "imported"
    assert by_name["02_empty.txt"]["error"] == "the file is empty"
    assert "binary" in by_name["03_binary.png"]["error"]
    assert "undecodable" in by_name["04_undecodable.txt"]["error"]
    assert "IMPORT_MAX_BYTES" in by_name["05_too_big.txt"]["error"]
    assert by_name["missing.txt"]["error"] == "no such file or directory"
    assert summary["failed"] == 5
    assert all(f["source"] is None for f in summary["files"] if f["status"] == "failed")
    # Nothing partial: only the two good files left rows behind.
    assert Source.objects.count() == 2
    assert Claim.objects.count() == 4
    assert ImportRun.objects.get().status == ImportRun.Status.PARTIAL


def test_readable_output_names_each_broken_file(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"  \n")
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_seeds", str(tmp_path / "empty.txt"), stdout=out, stderr=err)

    assert raised.value.returncode == 1
    assert f"FAILED    {tmp_path / 'empty.txt'}: the file is empty" in err.getvalue()
    assert "0 source(s) and 0 claim(s) created, 0 unchanged, 1 failed" in out.getvalue()


def test_utf8_bom_is_dropped_and_crlf_becomes_lf() -> None:
    raw = codecs.BOM_UTF8 + b"First line here.\r\nSecond line here.\rThird one."

    source, created = source_import_bytes(raw=raw, origin="bom.txt")

    assert source.body == "First line here.\nSecond line here.\nThird one."
    assert created == 3
    assert [c.text for c in source.claims.order_by("position")] == [
        "First line here.",
        "Second line here.",
        "Third one.",
    ]


def test_legacy_encoding_is_detected() -> None:
    text = (
        "Die Bundesregierung hat die Steuern für Familien erhöht. Die Straßen in München "
        "wurden für 3,5 Millionen Euro saniert. Das Öl wurde teurer, sagte der Minister.\n"
    )

    source, created = source_import_bytes(raw=text.encode("cp1252"), origin="de.txt")

    assert source.body == text
    assert source.language == "de"
    assert created == 3


def test_utf16_with_bom_is_decoded() -> None:
    text = "El gobierno subió los impuestos. La economía creció un 2 por ciento este año."

    source, created = source_import_bytes(raw=text.encode("utf-16"), origin="es.txt")

    assert source.body == text
    assert source.language == "es"
    assert created == 2


def test_bulleted_list_items_become_separate_claims_without_markers() -> None:
    raw = b"Key facts\n\n- Unemployment fell to 4%.\n- Exports rose.\n* Debt doubled since 2010.\n"

    source, _ = source_import_bytes(raw=raw, origin="list.txt")

    assert [c.text for c in source.claims.order_by("position")] == [
        "Key facts",
        "Unemployment fell to 4%.",
        "Exports rose.",
        "Debt doubled since 2010.",
    ]


def test_import_run_is_recorded_with_per_file_results(seed_folder: Path) -> None:
    run = source_import_paths(paths=[seed_folder])

    assert run.sources_created == 1
    assert run.claims_created == 17
    assert run.items[0]["status"] == "imported"
    assert Source.objects.get().import_run == run


def test_database_refuses_a_second_source_with_the_same_content_hash() -> None:
    source, _ = source_import_bytes(raw=b"One claim here.", origin="x")

    with pytest.raises(IntegrityError):
        Source.objects.create(content_hash=source.content_hash, body="other")


def test_database_refuses_two_claims_at_the_same_start() -> None:
    source, _ = source_import_bytes(raw=b"One claim here.", origin="x")

    with pytest.raises(IntegrityError):
        Claim.objects.create(source=source, text="One", start=0, end=3, position=5)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files regardless of permissions")
def test_unreadable_file_fails_with_permission_denied(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("A statement.")
    path.chmod(0)

    run = source_import_paths(paths=[path])

    assert run.items[0]["error"] == "permission denied"


def test_path_that_cannot_be_read_fails_with_the_reason(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A statement.")

    run = source_import_paths(paths=[tmp_path / "a.txt" / "b.txt"])

    assert run.items[0]["status"] == "failed"
    assert run.items[0]["error"] == "cannot read: Not a directory"
    assert Source.objects.count() == 0


def test_a_batch_the_database_refuses_is_written_file_by_file_and_loses_nothing_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another worker stores one file of a batch between the existence check and the write: the
    batch's insert hits the unique content hash, and each file is then written on its own."""
    (tmp_path / "a.txt").write_text("The first file says the tax rose by 3.5% last year.\n")
    (tmp_path / "b.txt").write_text("The second file says 8,000 jobs were lost in May.\n")
    (tmp_path / "c.txt").write_text("The third file says the bridge cost $1.2 billion.\n")
    (tmp_path / "empty.txt").write_text("")
    stored, _ = source_import_bytes(raw=(tmp_path / "b.txt").read_bytes(), origin="elsewhere")
    check = documents._batch_check

    def check_missing_the_stored_file(files: list[FileRead], **kwargs: Any) -> documents._Batch:
        batch = check(files, **kwargs)
        batch.results = [None if r and r.status == "unchanged" else r for r in batch.results]
        return batch

    monkeypatch.setattr(documents, "_batch_check", check_missing_the_stored_file)

    run = source_import_paths(paths=[tmp_path])

    by_name = {Path(item["path"]).name: item for item in run.items}
    statuses = [by_name[n]["status"] for n in ("a.txt", "b.txt", "c.txt", "empty.txt")]
    assert statuses == ["imported", "unchanged", "imported", "failed"]
    assert by_name["b.txt"]["source"] == stored.pk
    assert by_name["empty.txt"]["error"] == "the file is empty"
    assert Source.objects.count() == 3
    assert Claim.objects.count() == 3
