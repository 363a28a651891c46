"""What the parsers of reviewed claims (tables, ClaimReview) yield, before anything is stored."""

from dataclasses import dataclass
from datetime import date, datetime


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
