"""Import-time matching: each newly imported claim compared with the earlier claims.

- Exact: the same statement after normalising case, punctuation, quotes and whitespace shares
  the claim's `fingerprint` (claim_fingerprint, indexed); a new claim with an earlier twin from
  another source is linked to it (`duplicate_of`, through the workflow, which logs the event)
  and gets a `ClaimMatch(kind=duplicate, score=1)`. Its status is unchanged: an editor decides.
- Similar: the candidates are the claims sharing a key with the new statement (`match_head`,
  `match_tail`: hashes of its first and last five words, text.match_keys), so the lookup reads a
  few B-tree entries even at millions of claims made of common words. Scored by text_similarity;
  above `SUGGEST_THRESHOLD` a new claim gets a `ClaimMatch(kind=suggested, score)`.

A worker runs this right after an import commits (claims.tasks.claims_match_new_task).
"""

from collections.abc import Sequence
from typing import NamedTuple

from django.db import connection
from django.db.backends.utils import CursorWrapper

from claims.matching.text import content_words, text_similarity, word_stems
from claims.workflow import claims_mark_duplicates_found

__all__ = ["SUGGEST_THRESHOLD", "claims_match_new"]

SUGGEST_THRESHOLD = 0.6
_SUGGESTIONS_PER_CLAIM = 3
# Claims sharing a key with a new statement that are compared with it on import.
_IMPORT_CANDIDATES = 100


class NewClaim(NamedTuple):
    """A claim to match, with the earliest claim of another source it repeats, if any."""

    claim_id: int
    text: str
    source_id: int
    original_id: int | None  # same fingerprint, not a duplicate itself


class MatchPair(NamedTuple):
    """One `ClaimMatch` row to write (its status starts as `suggested`)."""

    claim_id: int
    matched_id: int
    kind: str
    score: float


def claims_match_new(*, claim_ids: Sequence[int]) -> int:
    """Compare newly inserted claims with the earlier claims of other sources; return how many
    ClaimMatch rows were written.

    A claim whose fingerprint an earlier claim shares gets `duplicate_of` (the earliest such claim
    that is not a duplicate itself; workflow.claims_mark_duplicates_found logs it) and a
    duplicate match; the others get suggested matches above SUGGEST_THRESHOLD from one batched
    candidate query. Statuses are unchanged. Idempotent: a pair is matched once (unique
    constraint), a claim linked and logged once. Runs in the caller's transaction.
    """
    if not claim_ids:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT n.id, n.text, n.source_id, d.id
            FROM claims_claim AS n
            LEFT JOIN LATERAL (
                SELECT e.id FROM claims_claim AS e
                WHERE e.fingerprint = n.fingerprint AND e.source_id <> n.source_id
                  AND e.id < n.id AND e.duplicate_of_id IS NULL
                ORDER BY e.id LIMIT 1
            ) AS d ON true
            WHERE n.id = ANY(%s)
            ORDER BY n.id
            """,
            [list(claim_ids)],
        )
        new = list(map(NewClaim._make, cursor.fetchall()))
        duplicates = [
            MatchPair(claim.claim_id, claim.original_id, "duplicate", 1.0)
            for claim in new
            if claim.original_id is not None
        ]
        claims_mark_duplicates_found(originals={p.claim_id: p.matched_id for p in duplicates})
        pairs = duplicates + _suggest(cursor, [c for c in new if c.original_id is None])
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


def _suggest(cursor: CursorWrapper, new: Sequence[NewClaim]) -> list[MatchPair]:
    """Suggested matches for `new`: one candidate query for all, by the `match_head` and
    `match_tail` keys stored with each claim."""
    words_of = {}
    for claim in new:
        words = content_words(claim.text)
        if len(words) >= 3:  # fewer: too short to suggest anything useful
            words_of[claim.claim_id] = word_stems(words)
    if not words_of:
        return []
    cursor.execute(
        """
        SELECT n.id, best.id, best.text, best.trigram
        FROM claims_claim AS n
        CROSS JOIN LATERAL (
            SELECT c.id, c.text, similarity(c.text, n.text) AS trigram
            FROM (
                SELECT c.id, c.text FROM claims_claim AS c
                WHERE (c.match_head = n.match_head OR c.match_tail = n.match_tail)
                  AND c.source_id <> n.source_id AND c.id < n.id
                LIMIT %s
            ) AS c
            ORDER BY trigram DESC
            LIMIT %s
        ) AS best
        WHERE n.id = ANY(%s)
        """,
        [_IMPORT_CANDIDATES, _SUGGESTIONS_PER_CLAIM * 2, list(words_of)],
    )
    best: dict[int, list[tuple[float, int]]] = {}
    for claim_id, matched_id, text, trigram in cursor.fetchall():
        score = text_similarity(words_of[claim_id], text, trigram)
        if score >= SUGGEST_THRESHOLD:
            best.setdefault(claim_id, []).append((score, matched_id))
    out = []
    for claim_id, found in best.items():
        for score, matched_id in sorted(found, reverse=True)[:_SUGGESTIONS_PER_CLAIM]:
            out.append(MatchPair(claim_id, matched_id, "suggested", round(min(score, 1.0), 4)))
    return out
