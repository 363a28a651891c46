"""schema.org ClaimReview for a public verdict: the one builder the JSON-LD endpoint, the DataFeed
and the public HTML page share. Properties follow Google's ClaimReview documentation
(https://developers.google.com/search/docs/appearance/structured-data/factcheck)."""

from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from factcheck.links import web_url_or_empty


def _iso_date(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    return value.isoformat()


def claimreview_organization() -> dict[str, str]:
    """Our organisation as a schema.org Organization (FACTCHECK_ORGANIZATION_* settings)."""
    organization = {"@type": "Organization", "name": settings.FACTCHECK_ORGANIZATION_NAME}
    if settings.FACTCHECK_ORGANIZATION_URL:
        organization["url"] = settings.FACTCHECK_ORGANIZATION_URL
    return organization


def claimreview_organization_site() -> str:
    """Our organisation's site, as Fact Check Tools names a review's publisher: the host of
    FACTCHECK_ORGANIZATION_URL ("" without one)."""
    return urlsplit(settings.FACTCHECK_ORGANIZATION_URL).hostname or ""


def claimreview_build(*, verdict: dict[str, Any], url: str) -> dict[str, Any]:
    """The ClaimReview of one public verdict (a dict from `verdict_public_dict`).

    `url` is where the review is read: our page for our own verdicts; an imported verdict keeps
    its fact-checker's URL and is authored by that fact-checker.
    """
    claim = verdict["claim"]
    rating = verdict["rating"]
    review_rating: dict[str, Any] = {
        "@type": "Rating",
        "alternateName": rating["label"] if rating else verdict["original_rating"] or "Unrated",
    }
    if rating and rating["value"] is not None:
        review_rating.update(
            ratingValue=rating["value"], bestRating=rating["best"], worstRating=rating["worst"]
        )
    if verdict["publisher"]:
        author: dict[str, str] = {"@type": "Organization", "name": verdict["publisher"]["name"]}
        if verdict["publisher"]["site"]:
            author["url"] = f"https://{verdict['publisher']['site']}"
        # Consumers render these as links: a URL that is not plain http(s) is left out.
        url = web_url_or_empty(verdict["review_url"]) or url
    else:
        author = claimreview_organization()

    source = claim["source"]
    appearance: dict[str, Any] = {"@type": "CreativeWork"}
    if web_url_or_empty(source["url"]):
        appearance["url"] = source["url"]
    if source["title"]:
        appearance["headline"] = source["title"]
    if source["publisher"]:
        appearance["publisher"] = {"@type": "Organization", "name": source["publisher"]}
    if source["published_at"]:
        appearance["datePublished"] = _iso_date(source["published_at"])
    item: dict[str, Any] = {"@type": "Claim", "appearance": [appearance]}
    item["firstAppearance"] = appearance
    if claim["claimant"]:
        item["author"] = {"@type": "Person", "name": claim["claimant"]["name"]}
    if claim["claim_date"]:
        item["datePublished"] = _iso_date(claim["claim_date"])

    review: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": url,
        "claimReviewed": claim["text"],
        "datePublished": _iso_date(verdict["published_at"] or verdict["updated_at"]),
        "dateModified": _iso_date(verdict["updated_at"]),
        "author": author,
        "reviewRating": review_rating,
        "itemReviewed": item,
    }
    if verdict["headline"]:
        review["headline"] = verdict["headline"]
    if claim["language"]:
        review["inLanguage"] = claim["language"]
    return review


def claimreview_feed_item(*, review: dict[str, Any]) -> dict[str, Any]:
    """One DataFeedItem of the ClaimReview DataFeed (Data Commons' feed shape)."""
    item = {key: value for key, value in review.items() if key != "@context"}
    return {
        "@type": "DataFeedItem",
        "dateCreated": review["datePublished"],
        "dateModified": review["dateModified"],
        "url": review["url"],
        "item": [item],
    }
