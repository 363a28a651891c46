"""Spotting the claims in a text: each statement with its check-worthiness and what it matches.

`text_spot` splits a text as the importers split a document (sources.parsers.split), scores
every statement's words for check-worthiness (claims.checkworthiness), and, for the statements
worth a look (Medium or High, the `MATCHED_STATEMENTS` most check-worthy), embeds them (half in
the embedding thread, half in the request's), refines their scores with those vectors as a
stored claim's score is refined, and ranks the existing claims against each with the match
API's two stages (matching.search.matches_rank), one round trip for all of them. It stores
nothing: POST /api/v1/claims:spot and the admin's "Spot the claims" page call it; the page adds
the statements an editor picks as claims through sources.imports.spotted.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from claims.checkworthiness import Level, claim_scores, score_level
from claims.embeddings import texts_embed
from claims.matching.candidates import CandidateQuery
from claims.matching.search import MatchResult, embedding_thread, match_results, matches_rank
from claims.matching.text import content_words, match_clean
from sources.parsers.split import split_statements

__all__ = ["MATCHED_STATEMENTS", "MAX_TEXT_BYTES", "Spotted", "text_spot"]

# The longest text spotted, in UTF-8 bytes (a long speech or a debate's transcript).
MAX_TEXT_BYTES = 100 * 1024
# Statements embedded and matched per text: a 100 KB transcript holds about a thousand, and
# embedding runs at a few hundred a second per core; the most check-worthy are the ones a
# reader checks.
MATCHED_STATEMENTS = 50


@dataclass(frozen=True)
class Spotted:
    """One statement of the text: its span `[start, end)`, its check-worthiness, and the
    existing claims it matches, best first (None: not looked up, see text_spot)."""

    start: int
    end: int
    text: str
    score: float
    level: Level
    matches: list[MatchResult] | None


def text_spot(*, text: str, limit: int = 3, published_only: bool = True) -> list[Spotted]:
    """The statements of `text` in order, each with its check-worthiness score and level and,
    for the `MATCHED_STATEMENTS` most check-worthy of those scoring Medium or High, its
    refined score and its `limit` best matches (published claims only with `published_only`,
    as for anonymous callers). No side effects: nothing is stored.

    A statement's score is the one a claim of the same text gets: from its words, then, once
    embedded, from its words and sentence vector (claims.checkworthiness)."""
    spans = split_statements(text)
    texts = [text[start:end] for start, end in spans]
    scores = claim_scores(texts)
    worth = [i for i, score in enumerate(scores) if score_level(score) is not Level.LOW]
    chosen = sorted(worth, key=lambda i: (-scores[i], i))[:MATCHED_STATEMENTS]
    matches: dict[int, list[MatchResult]] = {}
    if chosen:
        refined, matches = _refine_and_match(texts, sorted(chosen), limit, published_only)
        scores = [refined.get(i, score) for i, score in enumerate(scores)]
    return [
        Spotted(
            start=start,
            end=end,
            text=texts[i],
            score=round(scores[i], 4),
            level=score_level(scores[i]) or Level.LOW,
            matches=matches.get(i) if i in chosen else None,
        )
        for i, (start, end) in enumerate(spans)
    ]


def _refine_and_match(
    texts: Sequence[str], chosen: Sequence[int], limit: int, published_only: bool
) -> tuple[dict[int, float], dict[int, list[MatchResult]]]:
    """The refined scores and the matches of the statements `chosen` (indices into `texts`).

    Each statement is embedded as a claim is (its text) and, as a query is, through
    match_clean, which for most sentences is the same text and is embedded once. Embedding is
    most of a request's work: the embedding thread embeds the first half of the texts while
    PostgreSQL finds the candidates, and this thread the second half once they are found, so
    that two cores share the model's work."""
    cleaned = {i: match_clean(texts[i]) for i in chosen}
    queried = [i for i in chosen if content_words(cleaned[i])]
    extra = [i for i in queried if cleaned[i] != texts[i]]
    batch = [texts[i] for i in chosen] + [cleaned[i] for i in extra]
    half = (len(batch) + 1) // 2
    first = embedding_thread.executor().submit(texts_embed, batch[:half])
    second: list[np.ndarray] = []

    def embedded() -> np.ndarray:
        if not second:
            second.append(texts_embed(batch[half:]))
        return np.concatenate([first.result(), second[0]])

    ranked = matches_rank(
        queries=[CandidateQuery(cleaned[i]) for i in queried],
        vectors=lambda: _query_vectors(embedded(), chosen, queried, extra),
        published_only=published_only,
    )
    found = match_results(ranked=ranked, limit=limit)
    vectors = embedded()
    refined = claim_scores([texts[i] for i in chosen], list(vectors[: len(chosen)]))
    matches: dict[int, list[MatchResult]] = {i: [] for i in chosen}
    matches |= dict(zip(queried, found, strict=True))
    return dict(zip(chosen, refined, strict=True)), matches


def _query_vectors(
    vectors: np.ndarray, chosen: Sequence[int], queried: Sequence[int], extra: Sequence[int]
) -> np.ndarray:
    """The rows of `vectors` (the texts of `chosen`, then the cleaned texts of `extra`) that
    embed each query of `queried`."""
    row = {i: n for n, i in enumerate(chosen)}
    row |= {i: len(chosen) + n for n, i in enumerate(extra)}
    return vectors[[row[i] for i in queried]]
