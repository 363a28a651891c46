"""claim_match's second stage: the first stage's candidates re-ranked by meaning.

Each candidate scores the cosine of its stored sentence embedding (claims/embeddings.py) with
the query's, or of its published verdict's headline when that is closer, plus `LEXICAL_WEIGHT`
times its BM25 score relative to the best candidate's. A candidate without a vector yet uses
text_similarity (content words and trigrams) in place of the cosine.
"""

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from claims.embeddings import vector_from_bytes
from claims.matching.candidates import Candidate
from claims.matching.text import content_words, text_similarity, word_stems

__all__ = ["LEXICAL_WEIGHT", "Ranked", "match_rerank"]

# The weight of the lexical score in the re-ranking; chosen with CANDIDATES on the CheckThat!
# 2020 train split (bench/eval_matching.py --split train --tune).
LEXICAL_WEIGHT = 0.3


class Ranked(NamedTuple):
    """A candidate's place in claim_match's answer."""

    score: float
    claim_id: int
    text: str
    status: str


def match_rerank(*, rows: Sequence[Candidate], text: str, query_vector: np.ndarray) -> list[Ranked]:
    """claim_match's second stage: `rows` scored against the query `text` (through match_clean)
    and its embedding, best first.

    A claim marked as a duplicate of another candidate (`duplicate_of`: the same statement,
    imported later) is folded into that earlier claim, which stands for both: one statement is
    listed once, under the claim that carries its history."""
    if not rows:
        return []
    query_stems = word_stems(content_words(text))
    best_lexical = max(row.lexical for row in rows) or 1.0
    present = {row.claim_id for row in rows}
    scored = []
    for row in rows:
        if row.duplicate_of_id in present:
            continue
        if row.vector is None:  # not embedded yet (manage.py embed_claims fills these in)
            closeness = text_similarity(query_stems, row.text, row.trigram)
        else:
            closeness = float(vector_from_bytes(row.vector) @ query_vector)
        if row.headline_vector is not None:  # its fact-check's headline: the closer wording
            closeness = max(closeness, float(vector_from_bytes(row.headline_vector) @ query_vector))
        score = (closeness + LEXICAL_WEIGHT * row.lexical / best_lexical) / (1 + LEXICAL_WEIGHT)
        scored.append(Ranked(score, row.claim_id, row.text, row.status))
    return sorted(scored, key=lambda item: (-item.score, item.claim_id))
