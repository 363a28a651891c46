"""A folder of documents holding hostile or broken files beside good ones: every good file is
stored once, every bad one is cleaned or fails alone with its reason, and the run finishes. A
watched folder fails a bad file once, not on every scheduled run."""

import codecs
from pathlib import Path
from typing import Any

import pytest
from django.db import DataError

from claims.models import Claim
from sources.imports import document_claims, documents
from sources.imports.documents import source_import_paths
from sources.models import ImportRun, RefusedFile, Source
from sources.parsers.split import MAX_STATEMENT_CHARS
from sources.tasks import source_import_paths_task

pytestmark = pytest.mark.django_db

GOOD = {
    "01_good.txt": "The moon is made of cheese. It orbits Mars.\n",
    "09_good.txt": "Inflation fell to 3.2% in May. Wages rose.\n",
}


def write_folder(folder: Path) -> None:
    for name, text in GOOD.items():
        (folder / name).write_text(text)
    # NUL characters, which PostgreSQL text cannot hold, in UTF-8 with a BOM and in UTF-16.
    (folder / "02_nul_bom.txt").write_bytes(
        codecs.BOM_UTF8 + b"The tax rose by 3%.\x00 Spending fell by half.\n"
    )
    (folder / "03_nul_utf16.txt").write_bytes(
        "Exports grew.\x00 Imports shrank.\n".encode("utf-16")
    )
    # 2.7 MB without a sentence break: more than a claim's full-text vector can hold.
    (folder / "04_no_sentence_break.txt").write_text("word " * 540_000)
    (folder / "05_empty.txt").write_bytes(b"")
    (folder / "06_binary.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    (folder / "07_refused_by_the_database.txt").write_text("The database refuses this one.\n")


@pytest.fixture
def refusing_database(monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL refuses any write holding the claims of 07_refused_by_the_database.txt."""
    real = document_claims.copy_text

    def copy_text(*, table: str, columns: Any, text: str) -> None:
        if "The database refuses this one." in text:
            raise DataError("value refused for this test")
        real(table=table, columns=columns, text=text)

    monkeypatch.setattr(document_claims, "copy_text", copy_text)


def test_each_bad_file_in_a_folder_fails_alone_and_every_good_one_is_stored_once(
    tmp_path: Path, refusing_database: None
) -> None:
    write_folder(tmp_path)

    run = source_import_paths(paths=[tmp_path])

    by_name = {Path(item["path"]).name: item for item in run.items}
    assert run.status == ImportRun.Status.PARTIAL and run.finished_at is not None
    assert {n: i["status"] for n, i in by_name.items()} == {
        "01_good.txt": "imported",
        "02_nul_bom.txt": "imported",
        "03_nul_utf16.txt": "imported",
        "04_no_sentence_break.txt": "imported",
        "05_empty.txt": "failed",
        "06_binary.png": "failed",
        "07_refused_by_the_database.txt": "failed",
        "09_good.txt": "imported",
    }
    assert by_name["05_empty.txt"]["error"] == "the file is empty"
    assert "binary" in by_name["06_binary.png"]["error"]
    assert by_name["07_refused_by_the_database.txt"]["error"] == (
        "the database refused it: DataError: value refused for this test"
    )
    nul_bom = Source.objects.get(origin__endswith="02_nul_bom.txt")
    assert nul_bom.body == "The tax rose by 3%. Spending fell by half.\n"
    assert list(nul_bom.claims.values_list("text", flat=True).order_by("position")) == [
        "The tax rose by 3%.",
        "Spending fell by half.",
    ]
    assert Source.objects.get(origin__endswith="03_nul_utf16.txt").body == (
        "Exports grew. Imports shrank.\n"
    )
    long = Source.objects.get(origin__endswith="04_no_sentence_break.txt")
    pieces = list(long.claims.order_by("position"))
    assert len(pieces) == 540
    assert all(len(c.text) <= MAX_STATEMENT_CHARS for c in pieces)
    assert all(long.body[c.start : c.end] == c.text for c in pieces)
    assert Source.objects.count() == 5

    again = source_import_paths(paths=[tmp_path])

    assert Source.objects.count() == 5
    assert again.sources_created == 0 and again.items_failed == 3


def test_a_watched_folder_fails_a_bad_file_once_and_skips_it_on_later_runs(
    tmp_path: Path,
) -> None:
    (tmp_path / "good.txt").write_text(GOOD["01_good.txt"])
    (tmp_path / "empty.txt").write_bytes(b" \n")
    (tmp_path / "binary.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))

    first = ImportRun.objects.get(pk=source_import_paths_task([str(tmp_path)]))
    second = ImportRun.objects.get(pk=source_import_paths_task([str(tmp_path)]))

    assert first.status == ImportRun.Status.PARTIAL
    assert first.items_failed == 2
    assert RefusedFile.objects.count() == 2
    assert second.status == ImportRun.Status.SUCCEEDED
    assert second.items_unchanged == 3
    skipped = {Path(i["path"]).name: i["error"] for i in second.items if i["error"]}
    assert skipped["empty.txt"].startswith(
        f"refused before (run #{first.pk}): the file is empty; change the file"
    )
    assert "binary" in skipped["binary.png"]

    (tmp_path / "empty.txt").write_text("Now the file states a fact.\n")
    third = ImportRun.objects.get(pk=source_import_paths_task([str(tmp_path)]))

    assert third.sources_created == 1 and third.items_unchanged == 2
    assert Claim.objects.filter(text="Now the file states a fact.").count() == 1


def test_import_seeds_tries_refused_bytes_again(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    source_import_paths(paths=[tmp_path])

    again = source_import_paths(paths=[tmp_path])

    assert again.items[0]["status"] == "failed"
    assert again.items[0]["error"] == "the file is empty"


def test_an_unexpected_error_finishes_a_document_run_as_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "good.txt").write_text(GOOD["01_good.txt"])

    def broken(texts: list[str]) -> None:
        raise MemoryError

    monkeypatch.setattr(documents, "claim_features", broken)

    with pytest.raises(MemoryError):
        source_import_paths(paths=[tmp_path])

    run = ImportRun.objects.get()
    assert (run.status, run.items_failed) == (ImportRun.Status.FAILED, 1)
    assert run.items[-1]["error"] == "stopped by an unexpected error: MemoryError"
