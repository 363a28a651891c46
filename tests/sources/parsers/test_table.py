"""Reading tables: a range of rows is the same rows as a slice of all of them."""

from itertools import islice

import pytest

from sources.parsers.table import TableFormat, TableLayout, parse_table
from tests.sources.conftest import LIAR


@pytest.mark.parametrize(("first", "last"), [(0, None), (0, 10), (10, 20), (35, None), (50, 60)])
def test_a_range_of_table_rows_is_the_same_rows_as_a_slice_of_all(
    first: int, last: int | None
) -> None:
    """parse_table(first=, last=) skips the rows before the range without building them, and
    yields what slicing every row would (blank lines are not rows; a short row is one)."""

    raw = LIAR.read_bytes().replace(b"\n", b"\n\n", 3)  # a few blank lines too
    liar = TableFormat(layout=TableLayout.LIAR)
    every = parse_table(raw, name=LIAR.name, table_format=liar)
    ranged = parse_table(raw, name=LIAR.name, table_format=liar, first=first, last=last)
    assert list(ranged) == list(islice(every, first, last))


def test_a_column_map_overrides_the_layouts_own_and_none_leaves_a_field_unread() -> None:
    raw = b"statement,speaker,verdict,when\nRents rose.,Ms Lee,False,2024-05-01\n"
    columns = {"claimant": None, "date": 3, "rating": "verdict"}
    [row] = parse_table(raw, name="t.csv", table_format=TableFormat(columns=columns))
    assert row.claim is not None
    assert (row.claim.text, row.claim.claimant, str(row.claim.claim_date)) == (
        "Rents rose.",
        "",  # "speaker" is a claimant's header name, but the map says not to read it
        "2024-05-01",
    )
    liar = TableFormat(layout=TableLayout.LIAR, columns={"claimant": None})
    first = next(parse_table(LIAR.read_bytes(), name=LIAR.name, table_format=liar))
    assert first.claim is not None and first.claim.claimant == ""
