"""CSV export of public verdicts, streamed: the API's `?format=csv` and the admin action."""

import csv
from collections.abc import Iterable, Iterator
from typing import Any

CSV_COLUMNS = (
    "id",
    "status",
    "origin",
    "claim_id",
    "claim_text",
    "claimant",
    "claim_date",
    "language",
    "source_title",
    "source_url",
    "rating",
    "rating_value",
    "headline",
    "summary",
    "author",
    "published_at",
    "updated_at",
    "corrections",
)


# A spreadsheet reads a cell starting with one of these as a formula (=HYPERLINK(...) in a
# claim's text would run when the file is opened); such a cell is written with a leading "'",
# which spreadsheets show as text (OWASP's advice for CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


class _Line:
    """A file-like object whose write() returns the line, so csv.writer can feed a stream."""

    def write(self, value: str) -> str:
        return value


def verdict_csv_lines(*, verdicts: Iterable[dict[str, Any]]) -> Iterator[str]:
    """A header line, then one line per public verdict dict (corrections joined by newlines);
    text that a spreadsheet would take for a formula is prefixed with "'"."""
    writer = csv.writer(_Line())
    yield writer.writerow(CSV_COLUMNS)
    for verdict in verdicts:
        claim = verdict["claim"]
        rating = verdict["rating"] or {}
        row = (
            verdict["id"],
            verdict["status"],
            verdict["origin"],
            claim["id"],
            claim["text"],
            (claim["claimant"] or {}).get("name", ""),
            claim["claim_date"] or "",
            claim["language"],
            claim["source"]["title"],
            claim["source"]["url"] or "",
            rating.get("label", verdict["original_rating"]),
            "" if rating.get("value") is None else rating["value"],
            verdict["headline"],
            verdict["summary"],
            verdict["author"] or "",
            verdict["published_at"].isoformat() if verdict["published_at"] else "",
            verdict["updated_at"].isoformat(),
            "\n".join(f"{c['date']}: {c['note']}" for c in verdict["corrections"]),
        )
        yield writer.writerow([_cell(value) for value in row])
