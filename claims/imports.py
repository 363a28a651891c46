"""Writing claims that arrive with another fact-checker's verdict (ClaimReview, LIAR-like tables).

Every importer of reviewed claims goes through `claims_create_imported`. Semantics:
- each item becomes one Source (its body is the claim text, so `body[0:len] == text`; `origin`
  says where the claim appeared), one Claim with status `published` (it was checked before and
  must not flood the review queue) and one imported, published Verdict carrying the original
  rating, the rating mapped onto our scale, the publisher, the review URL and date;
- an item is identified by its natural key (the review URL per publisher, a table's row id, or
  the row's content): the Source's unique content hash is derived from it, so a re-run, a
  redelivered task or a run resumed after a killed worker creates nothing twice;
- rows are written in batches with one statement per table (INSERT ... SELECT FROM unnest ...
  ON CONFLICT DO NOTHING), one transaction per batch.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db import connection, transaction
from django.utils import timezone

from claims.checkworthiness import claim_scores
from claims.models import Claim, Rating, Verdict
from claims.services import claim_fingerprint
from claims.tasks import claims_match_new_later


@dataclass
class ImportedClaim:
    """One reviewed claim read by an importer, before it is stored."""

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
class ImportedResult:
    key: str
    status: str  # "imported" | "unchanged"
    claim: int | None = None


class RatingMapper:
    """Maps a fact-checker's rating onto our scale: first by alias (case and surrounding
    punctuation ignored), then by the numeric value scaled onto our ordinal ratings."""

    def __init__(self) -> None:
        ratings = list(Rating.objects.all())
        self._by_alias: dict[str, int] = {}
        for rating in ratings:
            for alias in [rating.label, rating.slug, *rating.aliases]:
                self._by_alias.setdefault(_normal_label(alias), rating.pk)
        self._ordinal = sorted((r.value, r.pk) for r in ratings if r.value is not None)

    def rating_id(
        self, label: str, numeric: tuple[float, float, float] | None = None
    ) -> int | None:
        if label:
            found = self._by_alias.get(_normal_label(label))
            if found is not None:
                return found
        if numeric is None or not self._ordinal:
            return None
        value, worst, best = numeric
        if best == worst or not (min(worst, best) <= value <= max(worst, best)):
            return None
        share = (value - worst) / (best - worst)  # 0: the worst rating, 1: the best
        low, high = self._ordinal[0][0], self._ordinal[-1][0]
        target = low + share * (high - low)
        return min(self._ordinal, key=lambda vp: abs(vp[0] - target))[1]


def _normal_label(label: str) -> str:
    return " ".join(label.casefold().strip(" \t\n.!?¡¿\"'").replace("_", " ").split())


def imported_content_hash(key: str) -> str:
    """The Source content hash of an imported item: derived from its natural key."""
    return hashlib.sha256(f"imported\0{key}".encode()).hexdigest()


def claims_create_imported(
    *,
    items: Sequence[ImportedClaim],
    import_run_id: int | None = None,
    request_id: str = "",
    mapper: RatingMapper | None = None,
) -> list[ImportedResult]:
    """Store `items` (already validated: non-empty text and key) as published claims with
    imported verdicts, in one transaction; items whose key was stored before are `unchanged`.

    Returns one result per item, in order. Idempotent: a concurrent or repeated call with the
    same keys creates nothing twice (the unique content hash settles races). Each claim is scored
    for check-worthiness; matching against the existing claims is queued for after the commit.
    """
    mapper = mapper or RatingMapper()
    first: dict[str, ImportedClaim] = {}
    for item in items:
        first.setdefault(item.key, item)
    unique = list(first.values())
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        claimant_ids = _claimants(cursor, {i.claimant for i in unique if i.claimant}, now)
        hashes = [imported_content_hash(i.key) for i in unique]
        cursor.execute(
            """
            INSERT INTO sources_source (title, url, publisher, author, published_at, language,
                body, content_hash, origin, import_run_id, created_at)
            SELECT left(t.body, 200), NULL, t.publisher, '', NULL, t.language, t.body, t.hash,
                t.origin, %s, %s
            FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::text[])
                AS t(body, publisher, language, hash, origin)
            ON CONFLICT (content_hash) DO NOTHING
            RETURNING id, content_hash
            """,
            [
                import_run_id,
                now,
                [i.text for i in unique],
                [i.publisher_name for i in unique],
                [i.language for i in unique],
                hashes,
                [i.origin for i in unique],
            ],
        )
        source_by_hash = {h: pk for pk, h in cursor.fetchall()}
        new = [
            (i, source_by_hash[h])
            for i, h in zip(unique, hashes, strict=True)
            if h in source_by_hash
        ]
        claim_by_key: dict[str, int] = {}
        if new:
            cursor.execute(
                """
                INSERT INTO claims_claim (source_id, text, start, "end", position, claimant_id,
                    claim_date, language, status, fingerprint, score, created_at, updated_at)
                SELECT t.source_id, t.text, 0, length(t.text), 0, t.claimant_id, t.claim_date,
                    t.language, %s, t.fingerprint, t.score, %s, %s
                FROM unnest(%s::bigint[], %s::text[], %s::bigint[], %s::date[], %s::text[],
                    %s::text[], %s::float8[]) AS t(source_id, text, claimant_id, claim_date,
                    language, fingerprint, score)
                RETURNING id, source_id
                """,
                [
                    Claim.Status.PUBLISHED.value,
                    now,
                    now,
                    [s for _, s in new],
                    [i.text for i, _ in new],
                    [claimant_ids.get(i.claimant) for i, _ in new],
                    [i.claim_date for i, _ in new],
                    [i.language for i, _ in new],
                    [claim_fingerprint(i.text) for i, _ in new],
                    claim_scores([i.text for i, _ in new]),
                ],
            )
            claim_by_source = {source_id: pk for pk, source_id in cursor.fetchall()}
            claim_by_key = {i.key: claim_by_source[s] for i, s in new}
            claim_ids = [claim_by_key[i.key] for i, _ in new]
            _verdicts(cursor, [i for i, _ in new], claim_ids, mapper, now)
            _events(cursor, claim_ids, request_id, import_run_id, now)
            # "Checked before?": the new claims are compared with the existing ones by a worker
            # right after this commits. Matching costs about 1 ms a claim, which would hold a
            # bulk load of reviewed claims (5,000+ rows/s) to a fifth of its speed.
            claims_match_new_later(claim_ids=claim_ids)
    results = []
    for item in items:
        claim = claim_by_key.pop(item.key, None)
        results.append(ImportedResult(item.key, "imported" if claim else "unchanged", claim))
    return results


def _claimants(cursor, names: set[str], now: datetime) -> dict[str, int]:  # type: ignore[no-untyped-def]
    if not names:
        return {}
    ordered = sorted(names)
    cursor.execute(
        """
        INSERT INTO claims_claimant (name, description, created_at)
        SELECT n, '', %s FROM unnest(%s::text[]) AS n
        ON CONFLICT (name) DO NOTHING
        """,
        [now, ordered],
    )
    cursor.execute("SELECT name, id FROM claims_claimant WHERE name = ANY(%s)", [ordered])
    return dict(cursor.fetchall())


def _verdicts(cursor, items, claim_ids, mapper, now) -> None:  # type: ignore[no-untyped-def]
    cursor.execute(
        """
        INSERT INTO claims_verdict (claim_id, rating_id, headline, summary, explanation, status,
            origin, version, corrections, original_rating, review_url, publisher_name,
            publisher_site, published_at, created_at, updated_at)
        SELECT t.claim_id, t.rating_id, t.headline, '', '', %s, %s, 1, '[]'::jsonb,
            t.original_rating, t.review_url, t.publisher_name, t.publisher_site,
            t.published_at, %s, %s
        FROM unnest(%s::bigint[], %s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[],
            %s::text[], %s::timestamptz[]) AS t(claim_id, rating_id, headline, original_rating,
            review_url, publisher_name, publisher_site, published_at)
        ON CONFLICT DO NOTHING
        """,
        [
            Verdict.Status.PUBLISHED.value,
            Verdict.Origin.IMPORTED.value,
            now,
            now,
            claim_ids,
            [mapper.rating_id(i.original_rating, i.rating_numeric) for i in items],
            [i.headline[:300] for i in items],
            [i.original_rating[:200] for i in items],
            [i.review_url for i in items],
            [i.publisher_name[:300] for i in items],
            [i.publisher_site[:300] for i in items],
            [i.review_date for i in items],
        ],
    )


def _events(cursor, claim_ids, request_id, import_run_id, now) -> None:  # type: ignore[no-untyped-def]
    cursor.execute(
        """
        INSERT INTO claims_claimevent (claim_id, code, from_status, to_status, note, data,
            request_id, created_at)
        SELECT c, 'claim.imported', '', %s, '', %s::jsonb, %s, %s FROM unnest(%s::bigint[]) AS c
        """,
        [
            Claim.Status.PUBLISHED.value,
            f'{{"import_run": {import_run_id or "null"}}}',
            request_id,
            now,
            claim_ids,
        ],
    )
