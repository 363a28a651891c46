"""Reads for the public API: published work only, as plain dicts, one query per page.

Verdict rows come from one hand-written join (no model instances, no per-row queries, the
citations aggregated in PostgreSQL); the ORM only says which verdicts, as a subquery, so
django-filter and keyset paging keep working. The API renders the dicts with orjson. That keeps
the list page close to a hand-written psycopg query (see bench/bench_api.py).
"""

import functools
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

import orjson
from django.contrib.postgres.search import SearchQuery
from django.core.exceptions import EmptyResultSet
from django.db.models import (
    BooleanField,
    Exists,
    F,
    Field,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.expressions import Combinable, RawSQL
from django.utils import timezone

from claims.claimreview import claimreview_organization_site
from claims.models import (
    VERDICT_IN_FORCE_STATUSES,
    VERDICT_LISTED_AT,
    VERDICT_PUBLIC_STATUSES,
    Claim,
    Claimant,
    Rating,
    Verdict,
    verdict_status_sql,
)
from factcheck.api.pagination import keyset_after
from factcheck.replicas import read_connection

# --- what is public: the one rule ----------------------------------------------------------------
# A verdict, ours or imported from another fact-checker, is public while it is published or
# retracted. A retracted verdict stays readable, marked retracted, but is no longer in force: it
# leaves whatever presents verdicts as standing (ClaimReview markup and its feed, claims:search,
# "checked before?" for the public). A claim is public while it has a public verdict. Every
# surface (API, feeds, claims:search, the public site, CSV, matching, webhooks) asks the
# functions below; no other code filters on a status to decide what the public sees.
# claims/models.py declares the statuses, and the triggers that store the rule on each claim.

PUBLIC_STATUSES = VERDICT_PUBLIC_STATUSES


def _statuses(in_force: bool) -> tuple[str, ...]:
    return VERDICT_IN_FORCE_STATUSES if in_force else PUBLIC_STATUSES


def verdict_is_public(status: str, *, in_force: bool = False) -> bool:
    """Whether a verdict in `status` is public (in force, with `in_force`)."""
    return status in _statuses(in_force)


def verdicts_public(*, in_force: bool = False) -> QuerySet[Verdict]:
    """The public verdicts (only those in force, with `in_force`), unordered."""
    return Verdict.objects.filter(status__in=_statuses(in_force))


def claim_public_q(*, in_force: bool = False) -> Q:
    """Claims that have a public verdict (one in force, with `in_force`): the claim's own
    flag, which the database keeps in step with its verdicts."""
    return Q(in_force=True) if in_force else Q(public=True)


def verdict_public_sql(alias: str, *, in_force: bool = False) -> str:
    """The rule as a condition on the verdict row `alias`, for hand-written SQL."""
    return verdict_status_sql(alias, _statuses(in_force))


def claim_public_sql(alias: str, *, in_force: bool = False) -> str:
    """The rule as a condition on the claim row `alias`, for hand-written SQL: the claim's own
    flag (with `in_force`, served by claim_search_in_force_idx for full-text search)."""
    return f"{alias}.in_force" if in_force else f"{alias}.public"


def verdicts_in_force_by_claim(*, claim_ids: Iterable[int]) -> dict[int, Verdict]:
    """The verdict in force of each claim among `claim_ids` that has one (at most one a claim:
    verdict_one_published_per_claim), with its rating: what "checked before?" shows."""
    verdicts = verdicts_public(in_force=True).filter(claim_id__in=list(claim_ids))
    return {v.claim_id: v for v in verdicts.select_related("rating")}


# --- verdicts ------------------------------------------------------------------------------------


def verdict_public_queryset(*, in_force: bool = False) -> QuerySet[Verdict]:
    """The public verdicts (only those in force, with `in_force`) in sync order (updated_at,
    id): filter, page and slice it, then read the public rows with `verdict_public_rows`."""
    # Built once per process and cloned (a lazy queryset; no rows are cached): resolving the
    # filter anew was 6% of a list page's time.
    return _verdict_public_base(in_force).all()


@functools.cache
def _verdict_public_base(in_force: bool) -> QuerySet[Verdict]:
    return verdicts_public(in_force=in_force).order_by("updated_at", "id")


# One public verdict per row: the verdict, its claim, claimant, source, rating (with the scale's
# bounds, InitPlans evaluated once per query) and author, and its citations aggregated as one
# JSON text, so a page is one round trip. Written once by hand: the ORM spent longer compiling
# these thirty joined columns (0.7 ms) than PostgreSQL spent running the query.
_VERDICT_ROWS = """
SELECT v.id, v.claim_id, v.status, v.origin, v.headline, v.summary, v.explanation,
       v.corrections, v.original_rating, v.review_url, v.publisher_name, v.publisher_site,
       v.published_at, v.updated_at,
       c.text, c.claim_date, c.language, c.claimant_id, cl.name,
       c.source_id, s.title, s.url, s.publisher, s.published_at,
       r.slug, r.label, r.value,
       coalesce(nullif(trim(concat_ws(' ', u.first_name, u.last_name)), ''), u.username),
       (SELECT max(value) FROM claims_rating), (SELECT min(value) FROM claims_rating),
       (SELECT coalesce(json_agg(json_build_object(
                  'url', ci.url, 'quote', ci.quote, 'note', ci.note,
                  'source_id', ci.source_id, 'source_title', cs.title)
                ORDER BY ci.position, ci.id), '[]')::text
        FROM claims_citation ci LEFT JOIN sources_source cs ON cs.id = ci.source_id
        WHERE ci.verdict_id = v.id)
FROM claims_verdict v
JOIN claims_claim c ON c.id = v.claim_id
JOIN sources_source s ON s.id = c.source_id
LEFT JOIN claims_claimant cl ON cl.id = c.claimant_id
LEFT JOIN claims_rating r ON r.id = v.rating_id
LEFT JOIN auth_user u ON u.id = v.author_id
"""
_VERDICT_BY_ID = f"{_VERDICT_ROWS} WHERE v.id = %s AND {verdict_public_sql('v')}"


def verdict_public_get(*, pk: int) -> dict[str, Any] | None:
    """The public verdict `pk` (published or retracted), or None: one query, nothing compiled."""
    if not 0 < pk < 2**63:  # beyond bigint: no such row (and no numeric comparison to scan)
        return None
    with read_connection().cursor() as cursor:
        cursor.execute(_VERDICT_BY_ID, [pk])
        row = cursor.fetchone()
    return None if row is None else verdict_public_dict(row=row)


def verdict_public_rows(*, verdicts: QuerySet[Verdict]) -> list[dict[str, Any]]:
    """The public verdicts `verdicts` selects, in its order, in one query.

    `verdicts` is `verdict_public_queryset()` filtered, ordered and sliced as the caller needs;
    the ORM compiles only which ids it selects (filters, order, slice), as a subquery of the
    hand-written row query, which repeats its order.
    """
    try:
        ids, params = verdicts.values("id").query.sql_with_params()
    except EmptyResultSet:  # e.g. `.none()` or `pk__in=[]`: nothing to ask the database
        return []
    order = ", ".join(_order_column(name) for name in verdicts.query.order_by)
    if not order:
        raise ValueError("verdict_public_rows needs an ordered queryset")
    with read_connection().cursor() as cursor:
        cursor.execute(f"{_VERDICT_ROWS} WHERE v.id IN ({ids}) ORDER BY {order}", params)
        return [verdict_public_dict(row=row) for row in cursor.fetchall()]


def _order_column(name: str | Combinable) -> str:
    """The row query's ORDER BY term for one of the queryset's `order_by` entries: a column of
    the verdict, ascending or descending (`-`)."""
    if isinstance(name, str):
        field = Verdict._meta.get_field("id" if name.lstrip("-") == "pk" else name.lstrip("-"))
        if isinstance(field, Field):
            return f"v.{field.column} {'DESC' if name.startswith('-') else 'ASC'}"
    raise ValueError(f"verdict_public_rows orders by the verdict's columns, not by {name!r}")


def verdict_search(*, queryset: QuerySet, q: str, language: str = "") -> QuerySet:
    """Narrow `queryset` to verdicts whose claim or review text matches the web-search query `q`.

    With a language the query is stemmed in that language's configuration; the `simple` part of
    the stored vector always matches exact words. Served by the GIN index verdict_search_idx.
    """
    in_language = Func(Value(language), function="factcheck_ts_config")
    query = SearchQuery(q, config="simple", search_type="websearch") | SearchQuery(
        q, config=in_language, search_type="websearch"
    )
    return queryset.filter(search_vector=query)


def claim_search(*, queryset: QuerySet[Claim], q: str) -> QuerySet[Claim]:
    """Narrow `queryset` to claims whose text matches the web-search query `q` ("quoted phrase",
    -word, or), stemmed in English as the claims' stored vector is. Served by the GIN index
    claim_search_vector_idx, which claim matching reads too."""
    return queryset.filter(search_vector=SearchQuery(q, config="english", search_type="websearch"))


def verdict_public_dict(*, row: tuple[Any, ...]) -> dict[str, Any]:
    """One public verdict from a row of `_VERDICT_ROWS`: the JSON the API answers (before the
    URLs)."""
    # Left unformatted: its lines follow the column lines of _VERDICT_ROWS, one name a column.
    (
        pk, claim_id, status, origin, headline, summary, explanation,
        corrections, original_rating, review_url, publisher_name, publisher_site,
        published_at, updated_at,
        claim_text, claim_date, language, claimant_id, claimant_name,
        source_id, source_title, source_url, source_publisher, source_published_at,
        rating_slug, rating_label, rating_value,
        author, rating_best, rating_worst, citations,
    ) = row  # fmt: skip
    return {
        "id": pk,
        "status": status,
        "origin": origin,
        "claim": {
            "id": claim_id,
            "text": claim_text,
            "claimant": {"id": claimant_id, "name": claimant_name} if claimant_id else None,
            "claim_date": claim_date,
            "language": language,
            "source": {
                "id": source_id,
                "title": source_title,
                "url": source_url,
                "publisher": source_publisher,
                "published_at": source_published_at,
            },
        },
        "rating": {
            "slug": rating_slug,
            "label": rating_label,
            "value": rating_value,
            "best": rating_best,
            "worst": rating_worst,
        }
        if rating_label is not None
        else None,
        "original_rating": original_rating,
        "headline": headline,
        "summary": summary,
        "explanation": explanation,
        "citations": orjson.loads(citations),
        "author": author,
        "publisher": {"name": publisher_name, "site": publisher_site}
        if origin == Verdict.Origin.IMPORTED
        else None,
        "review_url": review_url,
        "published_at": published_at,
        "updated_at": updated_at,
        # jsonb arrives as text (Django's psycopg setup leaves decoding to JSONField).
        "corrections": orjson.loads(corrections),
    }


def verdict_public_iter(*, queryset: QuerySet, batch: int = 1000) -> Iterator[dict[str, Any]]:
    """Every verdict of `queryset` (in sync order) as public dicts, `batch` rows per query: for
    streamed exports that must not hold the whole table in memory."""
    after: tuple[datetime, int] | None = None
    while True:
        page = queryset
        if after is not None:
            page = keyset_after(queryset=page, fields=("updated_at", "id"), values=after)
        rows = verdict_public_rows(verdicts=page[:batch])
        yield from rows
        if len(rows) < batch:
            return
        after = (rows[-1]["updated_at"], rows[-1]["id"])


def verdict_factcheck_search(
    *, query: str, language: str, publisher_site: str, max_age_days: int, offset: int, limit: int
) -> list[dict[str, Any]]:
    """Published verdicts as Fact Check Tools' `claims:search` selects them, newest review
    first: rows `offset` to `offset + limit` of those matching the web-search `query` (stemmed
    in `language`), on claims in `language`, reviewed by `publisher_site` (our own site: our own
    verdicts), published in the last `max_age_days` days. An empty value (or 0) selects all."""
    verdicts = verdict_public_queryset(in_force=True)
    if query:
        verdicts = verdict_search(queryset=verdicts, q=query, language=language)
    if language:
        verdicts = verdicts.filter(claim__language=language)
    if publisher_site:
        if publisher_site == claimreview_organization_site():
            verdicts = verdicts.filter(origin=Verdict.Origin.OWN)
        else:
            verdicts = verdicts.filter(publisher_site__iexact=publisher_site)
    if max_age_days:
        verdicts = verdicts.filter(published_at__gte=timezone.now() - timedelta(days=max_age_days))
    newest_first = verdicts.order_by("-published_at", "-id")
    return verdict_public_rows(verdicts=newest_first[offset : offset + limit])


# --- the public site -----------------------------------------------------------------------------

# The keyset condition of the site's pages: rows strictly before the last one shown, in the
# order of verdict_listed_idx (VERDICT_LISTED_AT, id), as one row comparison the index answers.
_LISTED_BEFORE = (
    '(COALESCE("claims_verdict"."published_at", "claims_verdict"."created_at"),'
    ' "claims_verdict"."id") < (%s, %s)'
)
# The verdicts of one claimant's or one source's claims: those claims first (their own index),
# computed once as an array, then their verdicts by claim and sorted. A join lets the planner
# walk verdict_listed_idx instead, testing each verdict's claim until a page is found: at a
# million claims, 15,000 verdicts for one of 500 claimants (0.45 s).
_OF_CLAIMS = '"claims_verdict"."claim_id" = ANY(ARRAY(SELECT id FROM claims_claim WHERE {} = %s))'


def verdict_public_latest(
    *,
    limit: int,
    q: str = "",
    language: str = "",
    rating: str = "",
    claimant_id: int | None = None,
    source_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before: tuple[datetime, int] | None = None,
) -> list[dict[str, Any]]:
    """The public verdicts as the public site lists them, newest first: up to `limit` of those
    matching the web-search `q` (stemmed in `language` too), rated `rating` (a slug), on claims
    by `claimant_id` or from `source_id`, listed at or after `since` and before `until`, and
    after the keyset position `before` (the previous page's last `listed_at` and `id`).

    Each row is a public dict (`verdict_public_dict`) with its `listed_at` (VERDICT_LISTED_AT).
    Retracted verdicts are listed, marked by their status, as the API lists them. Two queries:
    which verdicts (verdict_listed_idx, or the search index), then their rows by id.
    """
    verdicts = verdict_public_queryset().annotate(listed_at=VERDICT_LISTED_AT)
    if q:
        verdicts = verdict_search(queryset=verdicts, q=q, language=language)
    if rating:
        verdicts = verdicts.filter(rating__slug=rating)
    for column, value in (("claimant_id", claimant_id), ("source_id", source_id)):
        if value is not None:
            of_claims = RawSQL(_OF_CLAIMS.format(column), [value], output_field=BooleanField())
            verdicts = verdicts.filter(of_claims)
    if since is not None:
        verdicts = verdicts.filter(listed_at__gte=since)
    if until is not None:
        verdicts = verdicts.filter(listed_at__lt=until)
    if before is not None:
        verdicts = verdicts.filter(RawSQL(_LISTED_BEFORE, before, output_field=BooleanField()))
    listed = dict(verdicts.order_by("-listed_at", "-id").values_list("id", "listed_at")[:limit])
    if not listed:
        return []
    rows = verdict_public_rows(verdicts=verdict_public_queryset().filter(pk__in=listed))
    by_id = {row["id"]: row for row in rows}
    # Python dicts keep their insertion order: `listed` is in the page's order.
    return [{**by_id[pk], "listed_at": at} for pk, at in listed.items() if pk in by_id]


# --- claims, sources, claimants, ratings ---------------------------------------------------------


def claim_list(*, staff: bool) -> QuerySet[Claim, Mapping[str, Any]]:
    """Claims in sync order (updated_at, id): staff see all; anyone else only public claims.
    `verdict_id` is the claim's public verdict (the one in force first, then ours)."""
    claims = Claim.objects.all()
    if not staff:
        claims = claims.filter(claim_public_q())
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
            verdicts_public()
            .filter(claim_id=OuterRef("pk"))
            # "published" before "retracted", "own" before "imported", then the newest
            .order_by("status", "-origin", "-updated_at")
            .values("id")[:1]
        ),
    ).order_by("updated_at", "id")


def claimant_list(*, staff: bool) -> QuerySet[Claimant, Mapping[str, Any]]:
    """Claimants by id: staff see all; anyone else only claimants of public claims."""
    claimants = Claimant.objects.all()
    if not staff:
        public = Claim.objects.filter(claim_public_q(), claimant_id=OuterRef("pk"))
        claimants = claimants.filter(Exists(public))
    return claimants.values("id", "name", "description").order_by("id")


def rating_list() -> list[Mapping[str, Any]]:
    """The published rating scale, in its order."""
    ratings = Rating.objects.order_by("order", "id")
    return list(ratings.values("slug", "label", "value", "description", "order"))
