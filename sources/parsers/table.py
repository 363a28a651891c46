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

from sources.parsers.clean import nul_free, stray_nul_bytes_dropped
from sources.parsers.reviewed import (
    ImportedClaim,
    ParsedItem,
    imported_claim_checked,
    review_key,
)
from sources.parsers.text import UnreadableInput, decode_text

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


# Longest field, in characters. The csv module's own limit (128 KB) raises in the middle of a
# table; this one is above any claim (MAX_STATEMENT_CHARS) or context a row should carry, so a
# row holding a longer field is refused alone, with its line number. (The limit is the csv
# module's, for the whole process: nothing else here reads CSV.)
MAX_FIELD_CHARS = 1024 * 1024
csv.field_size_limit(MAX_FIELD_CHARS)


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
    rows before `first` are counted, not built.

    A row is known by a key that does not depend on the file's name, so the same table under
    another name imports nothing twice: the review
    URL per publisher when the row has one; else the row's id per publisher (LIAR: its id);
    else, or without a publisher, the hash of the row's cells per publisher. A row that cannot
    be read or stored fails alone, with its line number and the reason."""
    layout, columns = table_format.layout, table_format.columns
    delimiter, publisher = table_format.delimiter, table_format.publisher
    text = table_text(raw, name=name)
    if delimiter is None:
        delimiter = "\t" if name.endswith((".tsv", ".tab")) or layout == TableLayout.LIAR else ","
    reader = table_reader(text, delimiter=delimiter)
    if layout == TableLayout.LIAR:
        mapping = _apply_columns(dict(LIAR_COLUMNS), columns or {}, [], name)
        publisher = publisher or "PolitiFact"
        namespace = "liar"
    elif layout == TableLayout.PLAIN:
        if not columns:
            raise TableError("a table without a header needs a column map (field=index)")
        mapping = _apply_columns({}, columns, [], name)
        namespace = "table"
    else:
        try:
            header = [h.strip().lower() for h in next(reader)]
        except StopIteration:
            raise TableError(f"{name}: empty table") from None
        except csv.Error as exc:
            raise TableError(f"{name}: the header row cannot be read: {exc}") from None
        mapping = _apply_columns(header_mapping(header), columns or {}, header, name)
        namespace = "table"
    if "claim" not in mapping:
        raise TableError(f"{name}: no claim column (map one with claim=<column>)")
    width = max(mapping.values()) + 1
    count = 0  # rows yielded or skipped so far
    while last is None or count < last:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # the reader goes on with the next line
            count += 1
            if count > first:
                line = reader.line_num
                yield ParsedItem(f"{name}:{line}", None, f"line {line}: {exc}")
            continue
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
        try:
            item = _row(row, mapping, line, name, namespace, publisher, table_format.language)
        except Exception as exc:  # one row's surprise must not end the table
            error = f"line {line}: cannot be read: {exc.__class__.__name__}: {exc}"
            item = ParsedItem(f"{name}:{line}", None, error)
        yield item


def table_text(raw: bytes, *, name: str) -> str:
    """A table's bytes decoded as documents are. Raises TableError when they are no text."""
    try:
        # A stray NUL byte in one row must not make the whole table look binary.
        return nul_free(decode_text(stray_nul_bytes_dropped(raw)))
    except UnreadableInput as exc:
        raise TableError(f"{name}: {exc}") from None


def table_reader(text: str, *, delimiter: str) -> _csv.Reader:
    """The rows of a table's text."""
    return csv.reader(
        io.StringIO(text, newline=""),
        delimiter=delimiter,
        # LIAR's statements contain stray quotes; a TSV is read without quote processing.
        quoting=csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL,
    )


def header_mapping(header: list[str]) -> dict[str, int]:
    """The fields a header row names (HEADER_NAMES; `header` in lower case): field → index."""
    mapping: dict[str, int] = {}
    for field, names in HEADER_NAMES.items():
        for candidate in names:
            if candidate in header:
                mapping[field] = header.index(candidate)
                break
    return mapping


def _date(value: str) -> date:
    """A cell's date: ISO 8601 read directly (the common case, about 50 times faster than
    dateutil, which took most of a large table's reading time), anything else by dateutil.
    Raises ValueError or OverflowError when it is no date."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        return dateparser.parse(value).date()


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
            claim_date = _date(cell("date"))
        except (ValueError, OverflowError):
            return ParsedItem(label, None, f"line {line}: date is not a date: {cell('date')!r}")
    rating = cell("rating")
    site = cell("publisher") or publisher
    if cell("review_url"):
        key = review_key(publisher_site=site, review_url=cell("review_url"))
    elif namespace == "liar":
        key = f"liar|{cell('id') or _row_hash(row)}"
    elif cell("id") and site:
        key = f"table|{site}|id|{cell('id')}"
    else:  # ids without a publisher are too weak a key ("1", "2"...): the row's content
        key = f"table|{site}|row|{_row_hash(row)}"
    try:
        claim = imported_claim_checked(
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
            )
        )
    except ValueError as exc:
        return ParsedItem(label, None, f"line {line}: {exc}")
    return ParsedItem(label, claim)


def _row_hash(row: list[str]) -> str:
    return hashlib.sha256("\t".join(row).encode("utf-8", "surrogatepass")).hexdigest()
