"""Checked before? Match claims against the existing ones.

- Exact: the same statement after normalising case, punctuation, quotes and whitespace shares
  `claim_fingerprint` (indexed); a new claim with an earlier twin gets `duplicate_of` and a
  `ClaimMatch(kind=duplicate, score=1)`. Its status is unchanged: an editor decides.
- Similar: candidates come from PostgreSQL (below) and are re-ranked by `_similarity`: the mean
  of the Dice overlap of content words and pg_trgm's trigram similarity. Above
  `SUGGEST_THRESHOLD` a new claim gets a `ClaimMatch(kind=suggested, score)`.

On import (`claims_match_new`, one query per source) the candidates are the claims sharing a
key with the new statement: hashes of its first (`match_head`) and of its last (`match_tail`)
five words, which the database derives from the text (migration 0003). An edit in one half of a
statement keeps the other half's key, and keys are nearly unique, so the lookup reads a few
B-tree entries even at millions of claims made of common words.

Free-text search (`claim_match`, used by the API and the evaluation) searches the stored
`search_vector` (GIN): it unions three bounded candidate sets (claims holding all the words; all
words of one of three interleaved groups; a sample of claims holding any word), ranks them by
`ts_rank_cd`, and re-ranks the best by `_similarity`.
"""

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.utils import timezone

from claims.models import ClaimEvent, ClaimMatch, Verdict
from factcheck.api import Conflict

__all__ = [
    "SUGGEST_THRESHOLD",
    "MatchResult",
    "claim_match",
    "claim_match_confirm",
    "claim_match_dismiss",
    "claims_match_new",
    "match_normalise",
]

SUGGEST_THRESHOLD = 0.6
# Candidates fetched per statement before re-ranking.
_CANDIDATES = 50
_SUGGESTIONS_PER_CLAIM = 3
# Claims holding a whole word group of a new statement that are compared with it on import.
_IMPORT_CANDIDATES = 100
# Claims holding any word of a free-text query that are ranked (an unbounded OR over millions
# of claims made of common words would rank them all).
_ANY_SAMPLE = 3000

_URL = re.compile(r"(?:https?://|www\.|pic\.twitter\.com/)\S*", re.IGNORECASE)
_HANDLE = re.compile(r"@\w+")
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
# English function words (PostgreSQL's english stop words drop them too; listing them here keeps
# them out of the Dice overlap and out of the tsquery groups).
_STOP = frozenset(
    """a about above after again against all am an and any are as at be because been before being
    below between both but by can did do does doing down during each few for from further had has
    have having he her here hers herself him himself his how i if in into is it its itself just me
    more most my myself no nor not now of off on once only or other our ours ourselves out over own
    same she should so some such than that the their theirs them themselves then there these they
    this those through to too under until up very was we were what when where which while who whom
    why will with you your yours yourself yourselves s t don""".split()
)


def match_normalise(text: str) -> str:
    """Lower-case words only: compatibility forms, case, punctuation, quotes, URLs and @handles
    normalised away (the same normalisation as `claim_fingerprint`, plus links and handles)."""
    text = _HANDLE.sub(" ", _URL.sub(" ", unicodedata.normalize("NFKC", text)))
    return _NOT_WORD.sub(" ", text.casefold()).strip()


def _content_words(text: str) -> list[str]:
    return [w for w in match_normalise(text).split() if w not in _STOP]


def _stem(word: str) -> str:
    # Crude plural folding for the Dice overlap ("taxes" ~ "tax"); PostgreSQL stems the search.
    if len(word) > 4 and word.endswith("es"):
        return word[:-2]
    if len(word) > 3 and word.endswith("s"):
        return word[:-1]
    return word


def _similarity(query_words: set[str], text: str, trigram: float) -> float:
    words = {_stem(w) for w in _content_words(text)}
    if not query_words or not words:
        return trigram
    dice = 2 * len(query_words & words) / (len(query_words) + len(words))
    return (dice + trigram) / 2


def _any_words_query(words: Sequence[str]) -> str:
    """A to_tsquery() string matching any of `words` (they hold word characters only)."""
    return " | ".join(f"'{w}'" for w in dict.fromkeys(words))


def _group_query(words: Sequence[str]) -> str:
    """A to_tsquery() string matching texts that hold all words of one of three interleaved
    groups of `words`: a text with one or two of the words changed keeps a group whole."""
    unique = list(dict.fromkeys(words))
    if len(unique) < 6:
        groups = [unique]
    else:
        groups = [unique[i::3] for i in range(3)]
    return " | ".join("(" + " & ".join(f"'{w}'" for w in g) + ")" for g in groups if g)


@dataclass(frozen=True)
class MatchResult:
    """One existing claim that matches a text, best first, with its published verdict if any."""

    claim_id: int
    text: str
    status: str
    score: float
    verdict: Verdict | None


def claim_match(*, text: str, limit: int = 5, published_only: bool = True) -> list[MatchResult]:
    """Existing claims ranked by similarity to `text` (at most `limit`), with their published
    verdicts. `published_only` restricts the search to published claims (anonymous callers)."""
    words = _content_words(text)
    if not words or limit < 1:
        return []
    published = "AND status = 'published'" if published_only else ""
    # Three bounded candidate sets (see the module docstring): claims holding all the words,
    # claims holding one interleaved group of them, and a sample of claims holding any. Each
    # LIMIT bounds the work when a query is made of very common words; the union is ranked
    # without joining back to the table (each branch carries the columns it needs).
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH candidate AS (
                (SELECT id, text, status, search_vector FROM claims_claim
                 WHERE search_vector @@ to_tsquery('english', %(all)s) {published} LIMIT 200)
                UNION ALL
                (SELECT id, text, status, search_vector FROM claims_claim
                 WHERE search_vector @@ to_tsquery('english', %(groups)s) {published} LIMIT 500)
                UNION ALL
                (SELECT id, text, status, search_vector FROM claims_claim
                 WHERE search_vector @@ to_tsquery('english', %(any)s) {published} LIMIT %(sample)s)
            )
            SELECT ranked.id, ranked.text, ranked.status, similarity(ranked.text, %(text)s)
            FROM (
                SELECT DISTINCT ON (rank, id) id, text, status, rank FROM (
                    SELECT id, text, status, ts_rank_cd(search_vector, q, 1) AS rank
                    FROM candidate, to_tsquery('english', %(any)s) AS q
                ) AS scored
                ORDER BY rank DESC, id
                LIMIT %(candidates)s
            ) AS ranked
            """,
            {
                "text": text,
                "all": " & ".join(f"'{w}'" for w in dict.fromkeys(words)),
                "groups": _group_query(words),
                "any": _any_words_query(words),
                "sample": _ANY_SAMPLE,
                "candidates": _CANDIDATES,
            },
        )
        rows = cursor.fetchall()
    query_words = {_stem(w) for w in words}
    ranked = sorted(
        ((_similarity(query_words, row[1], row[3]), row) for row in rows),
        key=lambda item: (-item[0], item[1][0]),
    )[:limit]
    verdicts = {
        v.claim_id: v
        for v in Verdict.objects.filter(
            claim_id__in=[row[0] for _, row in ranked], status=Verdict.Status.PUBLISHED
        ).select_related("rating")
    }
    return [
        MatchResult(
            claim_id=row[0],
            text=row[1],
            status=row[2],
            score=round(min(score, 1.0), 4),
            verdict=verdicts.get(row[0]),
        )
        for score, row in ranked
    ]


def claims_match_new(*, claim_ids: Sequence[int]) -> int:
    """Compare newly inserted claims with the earlier claims of other sources; return how many
    ClaimMatch rows were written.

    A claim whose fingerprint an earlier claim shares gets `duplicate_of` (the earliest such claim
    that is not a duplicate itself) and a duplicate match; the others get suggested matches above
    SUGGEST_THRESHOLD from one batched candidate query. Statuses are unchanged. Idempotent: a pair
    is matched once (unique constraint). Runs in the caller's transaction.
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
        new = cursor.fetchall()
        duplicates = [(row[0], row[3], "duplicate", 1.0) for row in new if row[3] is not None]
        if duplicates:
            cursor.execute(
                "UPDATE claims_claim AS c SET duplicate_of_id = v.original"
                " FROM unnest(%s::bigint[], %s::bigint[]) AS v(id, original)"
                " WHERE c.id = v.id AND c.duplicate_of_id IS NULL",
                [[d[0] for d in duplicates], [d[1] for d in duplicates]],
            )
        suggestions = _suggest(cursor, [row for row in new if row[3] is None])
        pairs = duplicates + suggestions
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
            [[p[0] for p in pairs], [p[1] for p in pairs], [p[2] for p in pairs],
             [p[3] for p in pairs]],
        )  # fmt: skip
        return cursor.rowcount


def _suggest(cursor, new: Sequence[tuple]) -> list[tuple[int, int, str, float]]:
    """Suggested matches for (id, text, source_id, _) rows: one candidate query for all, by the
    `match_head`/`match_tail` keys the database derives from each text (see migration 0003)."""
    queries = [(row[0], _content_words(row[1])) for row in new]
    queries = [q for q in queries if len(q[1]) >= 3]  # too short to suggest anything useful
    if not queries:
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
        [_IMPORT_CANDIDATES, _SUGGESTIONS_PER_CLAIM * 2, [q[0] for q in queries]],
    )
    words_of = {q[0]: {_stem(w) for w in q[1]} for q in queries}
    best: dict[int, list[tuple[float, int]]] = {}
    for claim_id, matched_id, text, trigram in cursor.fetchall():
        score = _similarity(words_of[claim_id], text, trigram)
        if score >= SUGGEST_THRESHOLD:
            best.setdefault(claim_id, []).append((score, matched_id))
    out = []
    for claim_id, found in best.items():
        for score, matched_id in sorted(found, reverse=True)[:_SUGGESTIONS_PER_CLAIM]:
            out.append((claim_id, matched_id, "suggested", round(min(score, 1.0), 4)))
    return out


@transaction.atomic
def _decide(*, match: ClaimMatch, to: str, actor: AbstractBaseUser, note: str) -> ClaimMatch:
    now = timezone.now()
    moved = ClaimMatch.objects.filter(pk=match.pk, status=match.status).update(
        status=to, decided_by=actor, decided_at=now
    )
    if moved != 1:
        raise Conflict(f"match #{match.pk} was decided meanwhile; reload and try again")
    ClaimEvent.objects.create(
        claim_id=match.claim_id,
        code=f"match.{to}",
        actor=actor,
        note=note,
        data={"match": match.pk, "matched_claim": match.matched_id, "score": match.score},
    )
    match.status, match.decided_by, match.decided_at = to, actor, now
    return match


def claim_match_confirm(
    *, match: ClaimMatch, actor: AbstractBaseUser, note: str = ""
) -> ClaimMatch:
    """Confirm that `match.claim` repeats `match.matched`; logs `match.confirmed`. The claim's
    status is unchanged (marking it a duplicate is the workflow's)."""
    if match.status == ClaimMatch.Status.CONFIRMED:
        raise Conflict(f"match #{match.pk} is already confirmed")
    return _decide(match=match, to=ClaimMatch.Status.CONFIRMED, actor=actor, note=note)


def claim_match_dismiss(
    *, match: ClaimMatch, actor: AbstractBaseUser, note: str = ""
) -> ClaimMatch:
    """Dismiss a match as not the same claim; logs `match.dismissed`. No status change."""
    if match.status == ClaimMatch.Status.DISMISSED:
        raise Conflict(f"match #{match.pk} is already dismissed")
    return _decide(match=match, to=ClaimMatch.Status.DISMISSED, actor=actor, note=note)
