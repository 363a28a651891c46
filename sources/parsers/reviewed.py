"""What the parsers of reviewed claims (tables, ClaimReview) yield, before anything is stored."""

from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from typing import Any

from factcheck.links import UnsafeURL, web_url_check
from sources.parsers.clean import storable
from sources.parsers.split import MAX_STATEMENT_CHARS


@dataclass
class ImportedClaim:
    """One reviewed claim read by a parser, before it is stored."""

    key: str  # natural key, e.g. "claimreview|politifact.com|https://..." or "liar|2635.json"
    text: str
    origin: str  # where the claim appeared: an appearance URL, a context, "file.tsv:12"
    claimant: str = ""
    claim_date: date | None = None
    language: str = ""
    original_rating: str = ""
    # A numeric rating as the publisher gave it: (value, worst, best), e.g. (1, 1, 5).
    rating_numeric: tuple[float, float, float] | None = None
    headline: str = ""
    publisher_name: str = ""
    publisher_site: str = ""
    review_url: str = ""
    review_date: datetime | None = None


@dataclass
class ParsedItem:
    """One item of the input: its claim, or the reason it has none."""

    label: str  # where the item is, e.g. "item 3 (https://...)" or "file.tsv:12"
    claim: ImportedClaim | None
    error: str | None = None


def review_key(*, publisher_site: str, review_url: str) -> str:
    """The natural key of a review: its URL per publisher, whichever importer brings it (a
    ClaimReview feed and a table row naming the same review are one item)."""
    return f"review|{publisher_site}|{review_url}"


_TEXT_FIELDS = [f.name for f in fields(ImportedClaim) if f.type is str]


def imported_claim_checked(claim: ImportedClaim) -> ImportedClaim:
    """`claim` as it can be stored, or ValueError saying why it cannot: each parser checks its
    items here, so that one bad item fails alone, with its reason, instead of making the
    database refuse the batch it would be written with.

    Text fields lose NUL characters and lone surrogates (clean.storable); the claim is at most
    MAX_STATEMENT_CHARS long; the review URL, when there is one, is an http(s) URL
    (factcheck.links: it is rendered as a link)."""
    values = [getattr(claim, name) for name in _TEXT_FIELDS]
    joined = "".join(values)  # one scan of every field for the common case: nothing to clean
    if "\x00" in joined or not joined.isascii():
        changed: dict[str, Any] = {
            name: clean
            for name, value in zip(_TEXT_FIELDS, values, strict=True)
            if (clean := storable(value)) != value
        }
        if changed:
            claim = replace(claim, **changed)
    if len(claim.text) > MAX_STATEMENT_CHARS:
        raise ValueError(
            f"the claim is {len(claim.text):,} characters long, over {MAX_STATEMENT_CHARS:,}"
        )
    if claim.review_url:
        try:
            web_url_check(claim.review_url)
        except UnsafeURL as exc:
            raise ValueError(f"review URL refused: {exc}") from None
    return claim
