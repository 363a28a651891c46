"""Checked before? Existing claims ranked by similarity to a text a user brings.

`claim_match` (the API's match endpoint and the evaluation call it) reads the text through
`match_clean` and works in two stages: PostgreSQL finds candidates in the stored search vectors
(candidates.py), and the best of them are re-ranked by their sentence embeddings
(rerank.py). The query is embedded in a thread while PostgreSQL searches.
"""

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from claims.embeddings import texts_embed
from claims.matching.candidates import candidates_find
from claims.matching.rerank import match_rerank
from claims.matching.text import content_words, match_clean
from claims.models import Verdict
from claims.selectors import verdicts_in_force_by_claim
from factcheck.metrics import MATCH_SECONDS

__all__ = ["MatchResult", "claim_match"]


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
    vector = embedding_thread.executor().submit(texts_embed, [clean])
    rows = candidates_find(clean, published_only)
    if not rows:
        return []  # the running embedding finishes on its own; nobody waits for it
    ranked = match_rerank(rows=rows, text=clean, query_vector=vector.result()[0])[:limit]
    verdicts = verdicts_in_force_by_claim(claim_ids=[r.claim_id for r in ranked])
    return [
        MatchResult(
            claim_id=r.claim_id,
            text=r.text,
            status=r.status,
            score=round(min(max(r.score, 0.0), 1.0), 4),
            verdict=verdicts.get(r.claim_id),
        )
        for r in ranked
    ]
