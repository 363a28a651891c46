"""Reading ClaimReview data: a schema.org DataFeed, a JSON array or object, or HTML pages with
embedded JSON-LD. Tolerant of what real feeds contain (CreativeWork for Claim, numbers as
strings, several date formats, missing optional fields); an unusable item is reported with its
reason and the others are still read."""

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

from dateutil import parser as dateparser
from django.utils import timezone
from lxml import html as lxml_html

from factcheck.links import UnsafeURL, web_url_check
from sources.parsers.reviewed import (
    ImportedClaim,
    ParsedItem,
    imported_claim_checked,
    review_key,
)

# Deepest nesting of arrays and objects read: ClaimReview needs fewer than ten levels. (The JSON
# parser's own limit, Python's recursion limit, ends deeper input with a RecursionError.)
MAX_JSON_DEPTH = 64


class ClaimReviewError(Exception):
    """The whole document cannot be read as ClaimReview data."""


def parse_claimreview(raw: bytes, *, origin: str) -> list[ParsedItem]:
    """Every ClaimReview object in `raw` (JSON or HTML), each parsed or with its error."""
    text = raw.decode("utf-8-sig", errors="replace").strip()
    if not text:
        raise ClaimReviewError("empty document")
    if text[0] in "[{":
        try:
            documents = [_json(text)]
        except json.JSONDecodeError as exc:
            raise ClaimReviewError(
                f"invalid JSON: line {exc.lineno} column {exc.colno}: {exc.msg}"
            ) from None
        except ValueError as exc:
            raise ClaimReviewError(f"invalid JSON: {exc}") from None
    else:
        documents = list(_json_ld_blocks(text))
        if not documents:
            raise ClaimReviewError("neither JSON nor HTML with JSON-LD")
    reviews = [node for doc in documents for node in _walk(doc) if _is_review(node)]
    if not reviews:
        raise ClaimReviewError("no ClaimReview objects found")
    items = []
    for n, node in enumerate(reviews, start=1):
        url = node.get("url")
        label = f"item {n}" + (f" ({url[:300]})" if isinstance(url, str) else "")
        try:
            items.append(ParsedItem(label, imported_claim_checked(_claim(node, origin=origin))))
        except Exception as exc:  # one item's surprise must not end the document
            reason = str(exc) if isinstance(exc, ValueError) else f"{exc.__class__.__name__}: {exc}"
            items.append(ParsedItem(label, None, reason))
    return items


def _json(text: str) -> Any:
    """`text` parsed as JSON; ValueError when it is not JSON or nested too deeply for the
    parser (which raises RecursionError; _walk refuses what is deeper than MAX_JSON_DEPTH)."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError(f"nested deeper than {MAX_JSON_DEPTH} levels") from None


def _json_ld_blocks(text: str) -> Iterator[Any]:
    try:
        tree = lxml_html.fromstring(text)
    except (ValueError, lxml_html.etree.ParserError):
        return
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            yield _json(script.text_content())
        except ValueError:
            continue  # a broken block on a page does not hide the others


def _walk(root: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object in `root`, depth first (DataFeed elements, @graph, items). Raises
    ClaimReviewError for nesting deeper than MAX_JSON_DEPTH."""
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise ClaimReviewError(f"invalid JSON: nested deeper than {MAX_JSON_DEPTH} levels")
        if isinstance(node, dict):
            yield node
            values = reversed(node.values())
        elif isinstance(node, list):
            values = reversed(node)
        else:
            continue
        stack.extend((v, depth + 1) for v in values if isinstance(v, (dict, list)))


def _types(node: dict[str, Any]) -> set[str]:
    value = node.get("@type", [])
    values = value if isinstance(value, list) else [value]
    return {str(v).rsplit("/", 1)[-1] for v in values}


def _is_review(node: dict[str, Any]) -> bool:
    return "ClaimReview" in _types(node)


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _name(value: Any) -> str:
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("name") or value.get("alternateName") or ""
    return str(value).strip() if value else ""


def _number(value: Any, field: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(str(value).strip().replace(",", "."))
    except ValueError:
        raise ValueError(f"{field} is not a number: {value!r}") from None


def _datetime(value: Any, field: str) -> datetime | None:
    value = _first(value)
    if not value:
        return None
    try:
        parsed = dateparser.parse(str(value))
    except (ValueError, OverflowError):
        raise ValueError(f"{field} is not a date: {value!r}") from None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, UTC)
    return parsed


def _date(value: Any, field: str) -> date | None:
    parsed = _datetime(value, field)
    return parsed.date() if parsed else None


def _host(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


def _claim(node: dict[str, Any], *, origin: str) -> ImportedClaim:
    text = node.get("claimReviewed")
    if isinstance(text, list):
        text = _first(text)
    text = str(text).strip() if text else ""
    item = _first(node.get("itemReviewed")) or {}
    if not isinstance(item, dict):
        item = {}
    if not text:
        text = str(item.get("name") or item.get("text") or "").strip()
    if not text:
        raise ValueError("claimReviewed is missing or empty")
    url = node.get("url")
    review_url = url.strip() if isinstance(url, str) else ""
    rating = _first(node.get("reviewRating")) or {}
    if not isinstance(rating, dict):
        rating = {"alternateName": str(rating)}
    label = _name(rating.get("alternateName")) or _name(rating.get("name"))
    value = _number(rating.get("ratingValue"), "reviewRating.ratingValue")
    numeric = None
    if value is not None:
        worst = _number(rating.get("worstRating"), "reviewRating.worstRating")
        best = _number(rating.get("bestRating"), "reviewRating.bestRating")
        numeric = (value, 1.0 if worst is None else worst, 5.0 if best is None else best)
    if not label and numeric is None:
        raise ValueError("reviewRating has neither alternateName nor ratingValue")
    author = _first(node.get("author")) or {}
    publisher_name = _name(author) or _name(node.get("publisher"))
    author_url = author.get("url", "") if isinstance(author, dict) else ""
    site = _host(str(author_url or review_url)) or publisher_name
    appearance = _first(item.get("appearance")) or _first(item.get("firstAppearance"))
    if isinstance(appearance, dict):
        link = appearance.get("url")
        if isinstance(link, str) and link:
            try:
                web_url_check(link.strip())
            except UnsafeURL as exc:
                raise ValueError(f"appearance URL refused: {exc}") from None
        appearance = link or _name(appearance)
    if review_url:
        key = review_key(publisher_site=site, review_url=review_url)
    else:
        key = f"claimreview|{site}|{text}"
    return ImportedClaim(
        key=key,
        text=text,
        origin=str(appearance or review_url or origin),
        claimant=_name(item.get("author"))[:300],
        claim_date=_date(item.get("datePublished"), "itemReviewed.datePublished"),
        language=str(_name(node.get("inLanguage")) or "")[:8],
        original_rating=label or f"{value:g}",
        rating_numeric=numeric,
        headline=_name(node.get("headline")) or _name(node.get("name")),
        publisher_name=publisher_name,
        publisher_site=site,
        review_url=review_url,
        review_date=_datetime(node.get("datePublished"), "datePublished"),
    )
