"""Reads for the public API: published work only, as plain dicts built from one or two queries.

List rows come from `.values()` over one join (no model instances, no per-row queries) and the
citations of a whole page from one more query; the API renders the dicts with orjson. That keeps
the list page close to a hand-written psycopg query (see bench/bench_api.py).
"""

import base64
import binascii
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from django.db.models import (
    BooleanField,
    Exists,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Concat, NullIf

from claims.models import Citation, Claim, Claimant, Rating, Verdict
from factcheck.api import DomainError

PUBLIC_VERDICT_STATUSES = (Verdict.Status.PUBLISHED, Verdict.Status.RETRACTED)
PUBLIC_CLAIM_STATUSES = (Claim.Status.PUBLISHED, Claim.Status.RETRACTED)


class BadParameter(DomainError):
    """A query parameter the API cannot use; the message names it."""

    code = "invalid_parameter"


# --- verdicts ------------------------------------------------------------------------------------

# The columns of one public verdict row, flat; `verdict_public_dict` nests them.
_VERDICT_VALUES = {
    "claim_text": F("claim__text"),
    "claim_date": F("claim__claim_date"),
    "claim_language": F("claim__language"),
    "claimant_id": F("claim__claimant_id"),
    "claimant_name": F("claim__claimant__name"),
    "source_id": F("claim__source_id"),
    "source_title": F("claim__source__title"),
    "source_url": F("claim__source__url"),
    "source_publisher": F("claim__source__publisher"),
    "source_published_at": F("claim__source__published_at"),
    "rating_slug": F("rating__slug"),
    "rating_label": F("rating__label"),
    "rating_value": F("rating__value"),
    "author_name": Coalesce(
        NullIf(Concat("author__first_name", Value(" "), "author__last_name"), Value(" ")),
        "author__username",
    ),
}


def verdict_public_queryset() -> QuerySet[Verdict]:
    """Published and retracted verdicts, as flat dicts, in sync order (updated_at, id)."""
    return (
        Verdict.objects.filter(status__in=PUBLIC_VERDICT_STATUSES)
        .values(
            "id",
            "claim_id",
            "status",
            "origin",
            "headline",
            "summary",
            "explanation",
            "corrections",
            "original_rating",
            "review_url",
            "publisher_name",
            "publisher_site",
            "published_at",
            "updated_at",
            **_VERDICT_VALUES,
            # Uncorrelated: PostgreSQL evaluates each once per query (an InitPlan), not per row.
            rating_best=RawSQL("SELECT max(value) FROM claims_rating", ()),
            rating_worst=RawSQL("SELECT min(value) FROM claims_rating", ()),
        )
        .order_by("updated_at", "id")
    )


def verdict_search(*, queryset: QuerySet, q: str, language: str = "") -> QuerySet:
    """Narrow `queryset` to verdicts whose claim or review text matches the web-search query `q`.

    With a language the query is stemmed in that language's configuration; the `simple` part of
    the stored vector always matches exact words.
    """
    sql = (
        "claims_verdict.search_vector @@ (websearch_to_tsquery('simple', %s)"
        " || websearch_to_tsquery(factcheck_ts_config(%s), %s))"
    )
    return queryset.filter(RawSQL(sql, (q, language, q), output_field=BooleanField()))


def verdict_citations(*, verdict_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """The citations of several verdicts in one query, by verdict id, in their order."""
    found: dict[int, list[dict[str, Any]]] = {}
    rows = (
        Citation.objects.filter(verdict_id__in=list(verdict_ids))
        .order_by("verdict_id", "position", "id")
        .values("verdict_id", "url", "quote", "note", "source_id", source_title=F("source__title"))
    )
    for row in rows:
        found.setdefault(row.pop("verdict_id"), []).append(row)
    return found


def verdict_public_dict(
    *, row: dict[str, Any], citations: list[dict[str, Any]], bounds: dict[str, int | None]
) -> dict[str, Any]:
    """One public verdict from its flat row: the JSON the API answers (before the URLs)."""
    claimant = (
        {"id": row["claimant_id"], "name": row["claimant_name"]} if row["claimant_id"] else None
    )
    rating = None
    if row["rating_label"] is not None:
        rating = {
            "slug": row["rating_slug"],
            "label": row["rating_label"],
            "value": row["rating_value"],
            "best": bounds["best"],
            "worst": bounds["worst"],
        }
    return {
        "id": row["id"],
        "status": row["status"],
        "origin": row["origin"],
        "claim": {
            "id": row["claim_id"],
            "text": row["claim_text"],
            "claimant": claimant,
            "claim_date": row["claim_date"],
            "language": row["claim_language"],
            "source": {
                "id": row["source_id"],
                "title": row["source_title"],
                "url": row["source_url"],
                "publisher": row["source_publisher"],
                "published_at": row["source_published_at"],
            },
        },
        "rating": rating,
        "original_rating": row["original_rating"],
        "headline": row["headline"],
        "summary": row["summary"],
        "explanation": row["explanation"],
        "citations": citations,
        "author": row["author_name"],
        "publisher": {"name": row["publisher_name"], "site": row["publisher_site"]}
        if row["origin"] == Verdict.Origin.IMPORTED
        else None,
        "review_url": row["review_url"],
        "published_at": row["published_at"],
        "updated_at": row["updated_at"],
        "corrections": row["corrections"],
    }


def verdict_public_dicts(*, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Public verdicts for a page of rows: one more query for the citations of all of them."""
    if not rows:
        return []
    citations = verdict_citations(verdict_ids=[row["id"] for row in rows])
    bounds = {"best": rows[0]["rating_best"], "worst": rows[0]["rating_worst"]}
    return [
        verdict_public_dict(row=row, citations=citations.get(row["id"], []), bounds=bounds)
        for row in rows
    ]


def verdict_public_iter(*, queryset: QuerySet, batch: int = 1000) -> Iterator[dict[str, Any]]:
    """Every verdict of `queryset` (in sync order) as public dicts, `batch` rows per query: for
    streamed exports that must not hold the whole table in memory."""
    after: tuple[datetime, int] | None = None
    while True:
        page = queryset
        if after is not None:
            page = keyset_after(queryset=page, fields=("updated_at", "id"), values=after)
        rows = list(page[:batch])
        yield from verdict_public_dicts(rows=rows)
        if len(rows) < batch:
            return
        after = (rows[-1]["updated_at"], rows[-1]["id"])


# --- keyset pagination ---------------------------------------------------------------------------


def keyset_after(
    *, queryset: QuerySet, fields: tuple[str, ...], values: tuple[Any, ...]
) -> QuerySet:
    """Rows strictly after `values` in the ascending order of `fields` (a row comparison, which
    PostgreSQL answers from a composite index on those columns)."""
    table = queryset.model._meta.db_table
    columns = ", ".join(f'"{table}"."{queryset.model._meta.get_field(f).column}"' for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    return queryset.filter(
        RawSQL(f"({columns}) > ({marks})", tuple(values), output_field=BooleanField())
    )


def cursor_encode(values: tuple[Any, ...]) -> str:
    text = "|".join(v.isoformat() if isinstance(v, datetime) else str(v) for v in values)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def cursor_decode(*, token: str, fields: tuple[str, ...], name: str = "cursor") -> tuple[Any, ...]:
    """The position a cursor token names; a token we did not issue is a 400 naming `name`."""
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        parts = text.split("|")
        if len(parts) != len(fields):
            raise ValueError(text)
        values: list[Any] = []
        for field, part in zip(fields, parts, strict=True):
            if field.endswith("_at"):
                moment = datetime.fromisoformat(part)
                if moment.tzinfo is None:
                    raise ValueError(part)
                values.append(moment)
            else:
                values.append(int(part))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadParameter(f"Invalid {name}: not a token this API issued.") from None
    return tuple(values)


# --- claims, sources, claimants, ratings ---------------------------------------------------------


def claim_list(*, staff: bool) -> QuerySet[Claim]:
    """Claims in sync order (updated_at, id): staff see all; anyone else only claims whose
    verdict is published or retracted."""
    claims = Claim.objects.all()
    if not staff:
        claims = claims.filter(status__in=PUBLIC_CLAIM_STATUSES)
    return claims.values(
        "id",
        "text",
        "claim_date",
        "language",
        "status",
        "claimant_id",
        "source_id",
        "assignee_id",
        "created_at",
        "updated_at",
        claimant_name=F("claimant__name"),
        verdict_id=Subquery(
            Verdict.objects.filter(claim_id=OuterRef("pk"), status__in=PUBLIC_VERDICT_STATUSES)
            .order_by("-origin")  # "own" before "imported"
            .values("id")[:1]
        ),
    ).order_by("updated_at", "id")


def claimant_list(*, staff: bool) -> QuerySet[Claimant]:
    """Claimants by id: staff see all; anyone else only claimants of public claims."""
    claimants = Claimant.objects.all()
    if not staff:
        public = Claim.objects.filter(claimant_id=OuterRef("pk"), status__in=PUBLIC_CLAIM_STATUSES)
        claimants = claimants.filter(Exists(public))
    return claimants.values("id", "name", "description").order_by("id")


def rating_list() -> list[dict[str, Any]]:
    """The published rating scale, in its order."""
    return list(
        Rating.objects.order_by("order", "id").values(
            "slug", "label", "value", "description", "order"
        )
    )
