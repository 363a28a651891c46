"""Import-time matching: each newly imported claim compared with the earlier claims.

- Exact: the same statement after normalising case, punctuation, quotes and whitespace shares
  the claim's `fingerprint` (claim_fingerprint, indexed); a new claim with an earlier twin from
  another source is linked to it (`duplicate_of`, through the workflow, which logs the event)
  and gets a `ClaimMatch(kind=duplicate, score=1)`. Its status is unchanged: an editor decides.
- Similar: the claim is ranked against the earlier claims of other sources by the two stages
  of claim_match (search.matches_rank: PostgreSQL's candidates, re-ranked by the claim's
  sentence vector), the same code and the same scores as the match API; the best
  `SUGGESTIONS_PER_CLAIM` scoring `SUGGEST_THRESHOLD` or more become
  `ClaimMatch(kind=suggested, score)`.

A worker links the exact duplicates right after an import commits (claims.tasks
.claims_match_new_task), and suggests the similar claims once it has stored the claims' vectors
(claims_embed_task).
"""

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from django.db import connection, transaction

from claims.embeddings import texts_embed, vector_from_bytes
from claims.matching.candidates import CandidateQuery
from claims.matching.search import match_score, matches_rank
from claims.matching.text import content_words, match_clean
from claims.workflow import claims_mark_duplicates_found

__all__ = ["SUGGESTIONS_PER_CLAIM", "SUGGEST_THRESHOLD", "claims_match_new"]

# The lowest re-ranking score (search.matches_rank) stored as a suggestion: the highest at which
# the "Checked before?" panels of CheckThat! 2020's train tweets, imported as claims, keep
# MAP@5 within half a point of the match API's (bench/eval_matching.py --split train --tune
# --through-import; docs/matching.md has the grid).
SUGGEST_THRESHOLD = 0.42
# Suggestions stored per claim: what the "Checked before?" panel lists, and what MAP@5 reads.
SUGGESTIONS_PER_CLAIM = 5


class NewClaim(NamedTuple):
    """A claim to match, with the earliest claim of another source it repeats, if any."""

    claim_id: int
    text: str
    source_id: int
    original_id: int | None  # same fingerprint, not a duplicate itself
    vector: bytes | None  # its stored sentence vector


class MatchPair(NamedTuple):
    """One `ClaimMatch` row to write (its status starts as `suggested`)."""

    claim_id: int
    matched_id: int
    kind: str
    score: float


def claims_match_new(*, claim_ids: Sequence[int], similar: bool = True) -> int:
    """Compare newly inserted claims with the earlier claims of other sources; return how many
    ClaimMatch rows were written. Without `similar`, only exact duplicates: the matching task
    links them at once, and suggests similar claims once the claims' vectors are stored.

    A claim whose fingerprint an earlier claim shares gets `duplicate_of` (the earliest such claim
    that is not a duplicate itself; workflow.claims_mark_duplicates_found logs it) and a
    duplicate match; the others get up to SUGGESTIONS_PER_CLAIM suggested matches scoring
    SUGGEST_THRESHOLD or more by matches_rank, the match API's two stages. Statuses are
    unchanged. Idempotent: a pair is matched once (unique constraint), a claim linked and logged
    once. Writes in a transaction of its own (nested in the caller's, if any); ranks before it,
    outside.
    """
    if not claim_ids:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT n.id, n.text, n.source_id, d.id, v.vector
            FROM claims_claim AS n
            LEFT JOIN LATERAL (
                SELECT e.id FROM claims_claim AS e
                WHERE e.fingerprint = n.fingerprint AND e.source_id <> n.source_id
                  AND e.id < n.id AND e.duplicate_of_id IS NULL
                ORDER BY e.id LIMIT 1
            ) AS d ON true
            LEFT JOIN claims_claimembedding AS v ON v.claim_id = n.id
            WHERE n.id = ANY(%s)
            ORDER BY n.id
            """,
            [list(claim_ids)],
        )
        new = list(map(NewClaim._make, cursor.fetchall()))
    # Ranked before the transaction: reads only, and a few statements per hundred claims.
    suggested = _suggest([c for c in new if c.original_id is None]) if similar else []
    duplicates = [
        MatchPair(claim.claim_id, claim.original_id, "duplicate", 1.0)
        for claim in new
        if claim.original_id is not None
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        claims_mark_duplicates_found(originals={p.claim_id: p.matched_id for p in duplicates})
        pairs = duplicates + suggested
        if not pairs:
            return 0
        cursor.execute(
            """
            INSERT INTO claims_claimmatch (claim_id, matched_id, kind, score, status, created_at)
            SELECT v.claim, v.matched, v.kind, v.score, 'suggested', now()
            FROM unnest(%s::bigint[], %s::bigint[], %s::text[], %s::float8[])
                AS v(claim, matched, kind, score)
            ON CONFLICT (claim_id, matched_id) DO NOTHING
            """,
            [
                [p.claim_id for p in pairs],
                [p.matched_id for p in pairs],
                [p.kind for p in pairs],
                [p.score for p in pairs],
            ],
        )
        return cursor.rowcount


def _suggest(new: Sequence[NewClaim]) -> list[MatchPair]:
    """Suggested matches for `new`: each claim's text, through match_clean as any query, ranked
    by matches_rank against the earlier claims of other sources, with its stored vector (or,
    when match_clean changed the text or no vector is stored yet, the cleaned text's)."""
    queries, claims = [], []
    for claim in new:
        clean = match_clean(claim.text)
        if len(content_words(clean)) >= 3:  # fewer: too short to suggest anything useful
            queries.append(CandidateQuery(clean, (claim.claim_id, claim.source_id)))
            claims.append(claim)
    if not queries:
        return []

    def vectors() -> np.ndarray:
        stored = [
            c.vector if c.vector is not None and q.text == c.text else None
            for q, c in zip(queries, claims, strict=True)
        ]
        missing = [i for i, vector in enumerate(stored) if vector is None]
        embedded = iter(texts_embed([queries[i].text for i in missing]))
        return np.stack(
            [next(embedded) if vector is None else vector_from_bytes(vector) for vector in stored]
        )

    out = []
    ranked = matches_rank(queries=queries, vectors=vectors, published_only=False)
    for claim, found in zip(claims, ranked, strict=True):
        for r in found[:SUGGESTIONS_PER_CLAIM]:
            if r.score >= SUGGEST_THRESHOLD:
                out.append(MatchPair(claim.claim_id, r.claim_id, "suggested", match_score(r.score)))
    return out
