"""Reading reviewed claims from CSV/TSV tables: with a header row, with a column map, or in the
LIAR layout (no header, 14 columns: id, label, statement, subject, speaker, job, state, party,
five history counts, context)."""

import _csv
import csv
import hashlib
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from dateutil import parser as dateparser

from sources.parsers.reviewed import ImportedClaim, ParsedItem, review_key

LIAR_COLUMNS = {"id": 0, "rating": 1, "claim": 2, "claimant": 4, "context": 13}
# Header names understood without a column map (lower case).
HEADER_NAMES = {
    "claim": ("claim", "statement", "claimreviewed", "text"),
    "rating": ("rating", "label", "verdict", "textual_rating", "alternatename"),
    "claimant": ("claimant", "speaker", "author", "said_by"),
    "id": ("id", "external_id"),
    "context": ("context", "appearance", "where", "source"),
    "date": ("date", "claim_date"),
    "review_url": ("review_url", "url"),
    "publisher": ("publisher", "fact_checker"),
    "language": ("language", "lang"),
}


class TableError(Exception):
    """The table as a whole cannot be read (no claim column, unknown column name...)."""


class TableLayout(StrEnum):
    HEADER = "header"  # the first row names the columns
    LIAR = "liar"  # LIAR_COLUMNS, no header
    PLAIN = "plain"  # no header: the column map gives each field's 0-based index


@dataclass(frozen=True)
class TableFormat:
    """How to read a table: its layout, a column map (field → index or header name; None: not
    read, even where the layout or a header names it) that overrides the layout's own, the
    delimiter (None: tab for .tsv, .tab and LIAR, else comma), and the publisher and language
    of rows that do not name their own."""

    layout: TableLayout = TableLayout.HEADER
    columns: Mapping[str, int | str | None] | None = None
    delimiter: str | None = None
    publisher: str = ""
    language: str = ""


HEADER_TABLE = TableFormat()


def parse_table(
    raw: bytes,
    *,
    name: str,
    table_format: TableFormat = HEADER_TABLE,
    first: int = 0,
    last: int | None = None,
) -> Iterator[ParsedItem]:
    """Rows of the table `name` as claims, each labelled "name:line". `first`, `last`: only the
    rows [first, last) of those it yields (a range of a table shared by several tasks); the
    rows before `first` are counted, not built."""
    layout, columns = table_format.layout, table_format.columns
    delimiter, publisher = table_format.delimiter, table_format.publisher
    if delimiter is None:
        delimiter = "\t" if name.endswith((".tsv", ".tab")) or layout == TableLayout.LIAR else ","
    reader = table_reader(raw, delimiter=delimiter)
    if layout == TableLayout.LIAR:
        mapping = _apply_columns(dict(LIAR_COLUMNS), columns or {}, [], name)
        publisher = publisher or "PolitiFact"
        namespace = "liar"
    elif layout == TableLayout.PLAIN:
        if not columns:
            raise TableError("a table without a header needs a column map (field=index)")
        mapping = _apply_columns({}, columns, [], name)
        namespace = f"table|{name}"
    else:
        try:
            header = [h.strip().lower() for h in next(reader)]
        except StopIteration:
            raise TableError(f"{name}: empty table") from None
        mapping = _apply_columns(header_mapping(header), columns or {}, header, name)
        namespace = f"table|{name}"
    if "claim" not in mapping:
        raise TableError(f"{name}: no claim column (map one with claim=<column>)")
    width = max(mapping.values()) + 1
    count = 0  # rows yielded or skipped so far
    for row in reader:
        if last is not None and count >= last:
            return
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        count += 1
        if count <= first:
            continue
        if len(row) < width:
            error = f"line {line}: {len(row)} columns, expected {width}"
            yield ParsedItem(f"{name}:{line}", None, error)
            continue
        yield _row(row, mapping, line, name, namespace, publisher, table_format.language)


def table_reader(raw: bytes, *, delimiter: str) -> _csv.Reader:
    """The rows of a table's bytes (UTF-8, a BOM dropped). LIAR's statements contain stray
    quotes: a TSV is read without quote processing."""
    text = raw.decode("utf-8-sig", errors="replace")
    quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quoting=quoting)


def header_mapping(header: list[str]) -> dict[str, int]:
    """The fields a header row names (HEADER_NAMES; `header` in lower case): field → index."""
    mapping: dict[str, int] = {}
    for field, names in HEADER_NAMES.items():
        for candidate in names:
            if candidate in header:
                mapping[field] = header.index(candidate)
                break
    return mapping


def _apply_columns(
    mapping: dict[str, int],
    columns: Mapping[str, int | str | None],
    header: list[str],
    name: str,
) -> dict[str, int]:
    """`mapping` with the column map applied: an index, a header name, or None (not read)."""
    for field, column in columns.items():
        if column is None:
            mapping.pop(field, None)
        elif isinstance(column, int) or str(column).isdigit():
            mapping[field] = int(column)
        elif str(column).lower() in header:
            mapping[field] = header.index(str(column).lower())
        else:
            raise TableError(f"{name}: no column named {column!r} (for {field})")
    return mapping


def _row(
    row: list[str],
    mapping: dict[str, int],
    line: int,
    name: str,
    namespace: str,
    publisher: str,
    language: str,
) -> ParsedItem:
    label = f"{name}:{line}"

    def cell(field: str) -> str:
        return row[mapping[field]].strip() if field in mapping else ""

    text = cell("claim")
    if not text:
        return ParsedItem(label, None, f"line {line}: the claim column is empty")
    claim_date: date | None = None
    if cell("date"):
        try:
            claim_date = dateparser.parse(cell("date")).date()
        except (ValueError, OverflowError):
            return ParsedItem(label, None, f"line {line}: date is not a date: {cell('date')!r}")
    external = cell("id") or hashlib.sha256("\t".join(row).encode()).hexdigest()
    rating = cell("rating")
    site = cell("publisher") or publisher
    key = f"{namespace}|{external}"
    if cell("review_url"):
        key = review_key(publisher_site=site, review_url=cell("review_url"))
    return ParsedItem(
        label,
        ImportedClaim(
            key=key,
            text=text,
            origin=cell("context") or f"{name}:{line}",
            claimant=cell("claimant")[:300],
            claim_date=claim_date,
            language=(cell("language") or language)[:8],
            original_rating=rating,
            publisher_name=site,
            publisher_site=site,
            review_url=cell("review_url"),
        ),
    )
