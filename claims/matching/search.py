"""Checked before? Existing claims ranked by similarity to a text a user brings.

`claim_match` (the API's match endpoint and the evaluation call it) reads the text through
`match_clean` and works in two stages: PostgreSQL finds candidates in the stored search vectors
(candidates.py), and the best of them are re-ranked by their sentence embeddings
(rerank.py). The query is embedded in a thread while PostgreSQL searches.
"""

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from claims.embeddings import texts_embed
from claims.matching.candidates import CandidateQuery, candidates_find_many
from claims.matching.rerank import Ranked, match_rerank
from claims.matching.text import content_words, match_clean
from claims.models import Verdict
from claims.selectors import verdicts_in_force_by_claim
from factcheck.metrics import MATCH_SECONDS

__all__ = ["MatchResult", "claim_match", "match_results", "match_score", "matches_rank"]


@dataclass(frozen=True)
class MatchResult:
    """One existing claim that matches a text, best first, with its published verdict if any."""

    claim_id: int
    text: str
    status: str
    score: float
    verdict: Verdict | None


class _EmbeddingThread:
    """One thread per process that embeds claim_match's queries, made again in a forked child
    (a Celery or gunicorn worker), which does not inherit its parent's threads."""

    def __init__(self) -> None:
        self._owned: tuple[int, ThreadPoolExecutor] | None = None

    def executor(self) -> ThreadPoolExecutor:
        pid = os.getpid()
        if self._owned is None or self._owned[0] != pid:
            self._owned = (pid, ThreadPoolExecutor(1, thread_name_prefix="claim-match-embed"))
        return self._owned[1]


embedding_thread = _EmbeddingThread()


@MATCH_SECONDS.time()
def claim_match(*, text: str, limit: int = 5, published_only: bool = True) -> list[MatchResult]:
    """Existing claims ranked by similarity to `text` (at most `limit`), with their published
    verdicts. `published_only` restricts the search to published claims (anonymous callers).

    First stage (PostgreSQL, candidates.py): bounded candidate sets (claims sharing the query's
    first or last five words; claims holding its rarer words; else all of a few of its common
    ones), scored by BM25 without term frequency (each matched lexeme adds its inverse document
    frequency, normalised by the claim's length); the best `CANDIDATES` go on. Second stage
    (rerank.py): the cosine of their stored embeddings with the query's, or of their published
    verdict's headline's when that is higher, plus `LEXICAL_WEIGHT` times the lexical score
    relative to the best one; a candidate without a vector yet uses the Dice/trigram similarity
    in place of the cosine. A duplicate of another candidate is folded into it.
    """
    clean = match_clean(text)
    if limit < 1 or not content_words(clean):
        return []
    # The query is embedded while PostgreSQL finds the candidates: the model and the wait for
    # the server both release the GIL, so the two overlap (a 30-word post: ~17 ms and ~29 ms).
    # When nothing is found, the running embedding finishes on its own; nobody waits for it.
    vector = embedding_thread.executor().submit(texts_embed, [clean])
    ranked = matches_rank(
        queries=[CandidateQuery(clean)],
        vectors=lambda: vector.result(),
        published_only=published_only,
    )
    return match_results(ranked=ranked, limit=limit)[0]


def matches_rank(
    *,
    queries: Sequence[CandidateQuery],
    vectors: Callable[[], np.ndarray],
    published_only: bool,
) -> list[list[Ranked]]:
    """Both stages for each of `queries` (texts through match_clean, with content words): the
    candidates of all of them from a few statements (candidates_find_many), each query's re-ranked
    by its row of `vectors()` (the embeddings of the queries' texts, in order; called once, and
    only when some query has candidates). claim_match, import-time matching
    (on_import.claims_match_new) and spotting the claims of a text (claims.spot) all rank here."""
    rows_of = candidates_find_many(queries, published_only)
    if not any(rows_of):
        return [[] for _ in queries]
    embedded = vectors()
    return [
        match_rerank(rows=rows, text=query.text, query_vector=vector) if rows else []
        for query, rows, vector in zip(queries, rows_of, embedded, strict=True)
    ]


def match_results(*, ranked: Sequence[Sequence[Ranked]], limit: int) -> list[list[MatchResult]]:
    """The best `limit` of each ranking, with their verdicts in force (one query for all)."""
    kept = [list(r[:limit]) for r in ranked]
    verdicts = verdicts_in_force_by_claim(claim_ids=[r.claim_id for rs in kept for r in rs])
    return [
        [
            MatchResult(
                claim_id=r.claim_id,
                text=r.text,
                status=r.status,
                score=match_score(r.score),
                verdict=verdicts.get(r.claim_id),
            )
            for r in rs
        ]
        for rs in kept
    ]


def match_score(score: float) -> float:
    """A re-ranking score as it is shown and stored: within 0..1, four decimals."""
    return round(min(max(score, 0.0), 1.0), 4)
