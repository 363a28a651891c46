"""Tables holding hostile or broken rows beside good ones, and tables imported again under
another name: every good row is stored once, every bad row fails alone with its line and
reason, and the run finishes."""

import codecs
from pathlib import Path

import pytest

from claims.models import Claim, Verdict
from sources.imports.tables import source_import_table
from sources.models import ImportRun, Source
from sources.parsers.table import TableFormat, TableLayout
from sources.tasks import table_import_task
from tests.sources.conftest import LIAR

pytestmark = pytest.mark.django_db

HEADER = "id,claim,rating,review_url\n"


def test_each_bad_row_fails_alone_with_its_line_and_every_good_row_is_stored_once() -> None:
    rows = [
        "1,The moon is made of cheese.,false,https://checker.example/1",
        "2,Taxes\x00 doubled last year.,false,",  # NUL: stored without it
        f"3,{'A claim that never ends ' * 8000},false,",  # 192 KB: over the csv module's limit
        f'4,"{"x" * (1024 * 1024 + 1)}",false,',  # over the largest field read
        "5,Click here.,false,javascript:alert(document.cookie)",
        "6,See this.,false,data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "7,Crime fell by 5%.,true,https://checker.example/7",
    ]
    raw = (HEADER + "\n".join(rows) + "\n").encode()

    run = source_import_table(
        raw=raw, name="checks.csv", table_format=TableFormat(publisher="Checker"), trusted=True
    )

    assert run.status == ImportRun.Status.PARTIAL and run.finished_at is not None
    assert (run.claims_created, run.items_failed) == (3, 4)
    errors = {i["path"]: i["error"] for i in run.items if i["status"] == "failed"}
    assert errors["checks.csv:4"] == "line 4: the claim is 191,999 characters long, over 5,000"
    assert errors["checks.csv:5"].startswith("line 5: field larger than field limit")
    assert errors["checks.csv:6"].startswith("line 6: review URL refused: 'javascript:")
    assert "only http and https" in errors["checks.csv:6"]
    assert errors["checks.csv:7"].startswith("line 7: review URL refused: 'data:")
    assert set(Claim.objects.values_list("text", flat=True)) == {
        "The moon is made of cheese.",
        "Taxes doubled last year.",
        "Crime fell by 5%.",
    }
    assert not Verdict.objects.exclude(review_url="").exclude(review_url__startswith="https://")

    again = source_import_table(
        raw=raw, name="checks.csv", table_format=TableFormat(publisher="Checker"), trusted=True
    )
    assert (again.claims_created, again.items_unchanged, again.items_failed) == (0, 3, 4)


def test_a_utf16_table_without_a_header_is_read() -> None:
    text = LIAR.read_text(encoding="utf-8")

    run = source_import_table(
        raw=codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
        name="liar-utf16.tsv",
        table_format=TableFormat(layout=TableLayout.LIAR),
        trusted=True,
    )

    assert (run.claims_created, run.items_failed) == (40, 1)
    assert Claim.objects.filter(claimant__name="dwayne-bohac").exists()


def test_a_binary_table_fails_as_a_whole_with_the_reason() -> None:
    run = source_import_table(raw=b"claim\n" + bytes(range(32)) * 50, name="x.csv", trusted=True)

    assert run.status == ImportRun.Status.FAILED
    assert "binary" in run.items[0]["error"]


@pytest.mark.parametrize(
    ("layout", "publisher", "table"),
    [
        ("liar", "", LIAR.read_text(encoding="utf-8")),
        ("header", "Checker", "id,claim,rating\na1,Taxes doubled.,false\na2,Crime is down.,true\n"),
        ("header", "", "claim,rating\nTaxes doubled.,false\nCrime is down.,true\n"),
        ("header", "", "id,claim,rating\n1,Taxes doubled.,false\n2,Crime is down.,true\n"),
    ],
)
def test_the_same_table_uploaded_again_under_another_name_imports_nothing(
    tmp_path: Path, layout: str, publisher: str, table: str
) -> None:
    """Admin uploads are saved under a random prefix: the rows' keys ignore the file's name."""
    first, second = tmp_path / "3f2a-checks.tsv", tmp_path / "9c1b-checks-copy.tsv"
    for path in (first, second):
        path.write_text(table.replace(",", "\t"), encoding="utf-8")

    one = ImportRun.objects.get(pk=table_import_task(str(first), layout, None, publisher))
    counts = (Source.objects.count(), Claim.objects.count(), Verdict.objects.count())
    two = ImportRun.objects.get(pk=table_import_task(str(second), layout, None, publisher))

    assert one.claims_created == counts[1] > 0
    assert (two.claims_created, two.items_unchanged) == (0, one.claims_created)
    assert (Source.objects.count(), Claim.objects.count(), Verdict.objects.count()) == counts


def test_ids_without_a_publisher_do_not_merge_different_rows() -> None:
    source_import_table(
        raw=b"id,claim,rating\n1,Taxes doubled.,false\n", name="a.csv", trusted=True
    )
    run = source_import_table(
        raw=b"id,claim,rating\n1,Crime is down.,true\n", name="b.csv", trusted=True
    )

    assert run.claims_created == 1
    assert Claim.objects.count() == 2
