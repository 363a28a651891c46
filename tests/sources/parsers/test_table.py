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
