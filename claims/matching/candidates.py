"""claim_match's first stage: PostgreSQL finds the candidates in the stored `search_vector` (GIN).

The union of bounded sets (the claims sharing the query's first or last five words, by the
`match_head`/`match_tail` keys; the claims holding any of its rarer lexemes; when those find
next to nothing, the claims holding all of a few of its common ones) is scored by BM25 without
term frequencies, each lexeme weighted by its inverse document frequency as the planner's
statistics know it (pg_stats). The best `CANDIDATES` go on to the re-ranking (rerank.py).

The SQL is written by hand: the query shape (one `@@` per lexeme, each branch bounded, the union
scored without joining back to the table) is what keeps a search at a million claims within a
few tens of milliseconds.
"""

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import transaction

from claims.matching.text import content_words, match_clean, match_keys, query_text
from claims.models import CLAIM_SEARCH_SAMPLE, claim_search_sample_sql
from claims.selectors import claim_public_sql
from factcheck.replicas import read_connection

__all__ = [
    "CANDIDATES",
    "Candidate",
    "CandidateQuery",
    "candidates_find",
    "candidates_find_many",
    "match_candidates",
    "term_stats",
]

# Claims scored lexically per query (the rare-word branch fetches at most this many).
RARE_BUDGET = 1000
# Fewer candidates than this from the rare words: look among the common ones too.
FEW_CANDIDATES = 20
# Claims each branch of common words fetches at most (an arbitrary such many of them).
FALLBACK_LIMIT = 500
# Candidates re-ranked by embedding; chosen on the CheckThat! 2020 train split
# (bench/eval_matching.py --split train --tune); the dev split is reported, never tuned on.
CANDIDATES = 200
# BM25's term-frequency saturation and length normalisation (its usual values).
_K1 = 1.2
_B = 0.75
# Queries whose candidates one statement finds (their parameters stay well under PostgreSQL's
# 65,535 per statement).
QUERIES_PER_STATEMENT = 100
# How long a process trusts its copy of the lexeme statistics.
STATS_SECONDS = 600


class Candidate(NamedTuple):
    """One claim the first stage found, with what the re-ranking reads of it."""

    claim_id: int
    text: str
    status: str
    lexical: float  # BM25 score without term frequencies
    trigram: float  # pg_trgm similarity of the claim's text and the query
    vector: bytes | None  # stored sentence embedding, None until embedded
    duplicate_of_id: int | None
    headline_vector: bytes | None  # embedding of its published verdict's headline


@dataclass(frozen=True)
class TermStats:
    """How common each lexeme of `search_vector` is, from the planner's statistics (pg_stats
    keeps the frequencies of the most common lexemes of a tsvector column; ANALYZE, which
    autovacuum runs, refreshes them). No table of term counts to maintain on import."""

    rows: float
    frequency: dict[str, float]
    rare: float  # frequency assumed for a lexeme below the most common ones
    length: float  # average lexemes per claim
    in_force: float = 0.0  # fraction of the claims in force (pg_stats of the flag; 0 unknown)


def _term_stats_read() -> tuple[TermStats, float]:
    """The statistics, and the row count (reltuples) they were read with."""
    with read_connection().cursor() as cursor:
        cursor.execute(
            """
            SELECT c.reltuples, s.most_common_elems::text::text[], s.most_common_elem_freqs,
                   s.elem_count_histogram, f.most_common_vals::text::text[], f.most_common_freqs
            FROM pg_class AS c
            LEFT JOIN pg_stats AS s ON s.schemaname = current_schema()
                 AND s.tablename = 'claims_claim' AND s.attname = 'search_vector'
            LEFT JOIN pg_stats AS f ON f.schemaname = current_schema()
                 AND f.tablename = 'claims_claim' AND f.attname = 'in_force'
            WHERE c.oid = 'claims_claim'::regclass
            """
        )
        rows, elems, freqs, lengths, flags, flag_freqs = cursor.fetchone()
    elems = elems or []
    # most_common_elem_freqs ends with the minimum and maximum frequency and the null fraction.
    frequency = dict(zip(elems, freqs or [], strict=False))
    rare = freqs[len(elems)] / 2 if elems else 0.0
    stats = TermStats(
        rows=max(float(rows or 0), 1.0),
        frequency=frequency,
        rare=rare,
        length=float(lengths[-1]) if lengths else 12.0,
        in_force=dict(zip(flags or [], flag_freqs or [], strict=False)).get("t", 0.0),
    )
    return stats, float(rows)


class _TermStatsCache:
    """The lexeme statistics this process read last, trusted for STATS_SECONDS: they change
    only when ANALYZE runs, and reading them costs a query per search. A caller that knows the
    table's row count as ANALYZE (or VACUUM) last set it (`pg_class.reltuples`, read with the
    query's lexemes at no extra round trip) has them read again as soon as it differs: every
    process then sees an ANALYZE after a large import (sources/imports/analyze.py) at once."""

    def __init__(self) -> None:
        self._read: tuple[float, float, TermStats] | None = None  # when, reltuples, stats

    def get(self, *, reltuples: float | None = None) -> TermStats:
        if self._read is not None:
            read_at, read_reltuples, stats = self._read
            fresh = time.monotonic() - read_at < STATS_SECONDS
            if fresh and (reltuples is None or reltuples == read_reltuples):
                return stats
        stats, read_reltuples = _term_stats_read()
        # A column not analyzed yet (a new database, a first large import before autovacuum
        # gets to it) has no frequencies: every word would weigh alike and count as rare, which
        # ranks worse and costs more. Those are read again on next use, not trusted for minutes.
        self._read = (time.monotonic(), read_reltuples, stats) if stats.frequency else None
        return stats

    def forget(self) -> None:
        """Read the statistics again on next use (after an ANALYZE)."""
        self._read = None


term_stats = _TermStatsCache()


def _weights(lexemes: Sequence[str], stats: TermStats) -> list[float]:
    """BM25's inverse document frequency of each lexeme (rare words weigh most)."""
    out = []
    for lexeme in lexemes:
        docs = stats.frequency.get(lexeme, stats.rare) * stats.rows
        out.append(math.log(1 + (stats.rows - docs + 0.5) / (docs + 0.5)))
    return out


def _tsquery(lexemes: Sequence[str], operator: str) -> str:
    """tsquery input joining `lexemes` (already stemmed) with `operator`, each quoted."""
    quoted = ("'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'" for lexeme in lexemes)
    return f" {operator} ".join(quoted)


def match_candidates(*, text: str, published_only: bool = True) -> list[Candidate]:
    """claim_match's first stage: up to CANDIDATES claims, best lexical score first."""
    clean = match_clean(text)
    return candidates_find(clean, published_only) if content_words(clean) else []


class CandidateQuery(NamedTuple):
    """One text to find candidates for, already through match_clean, with content words."""

    text: str
    # (claim id, source id) of a stored claim the text is: only earlier claims (lower ids) of
    # other sources are candidates, as import-time matching compares them; None: every claim.
    claim: tuple[int, int] | None = None


def candidates_find(text: str, published_only: bool) -> list[Candidate]:
    """match_candidates of a text already through match_clean, with content words."""
    return candidates_find_many([CandidateQuery(text)], published_only)[0]


def candidates_find_many(
    queries: Sequence[CandidateQuery], published_only: bool
) -> list[list[Candidate]]:
    """candidates_find of each query, in order: up to CANDIDATES claims each, best lexical
    score first. QUERIES_PER_STATEMENT queries share each round trip (two or three statements
    for them all), so a text of many sentences or an import of many claims costs a few
    statements, not a few per sentence."""
    found: list[list[Candidate]] = []
    for start in range(0, len(queries), QUERIES_PER_STATEMENT):
        found.extend(_find_chunk(queries[start : start + QUERIES_PER_STATEMENT], published_only))
    return found


class _Plan(NamedTuple):
    """The SQL branches and parameters of one query's candidate search."""

    first: list[str]  # branches when the query has rare lexemes, else []
    fallback: list[str]  # branches when those find fewer than FEW_CANDIDATES, else []
    lexical: str  # the BM25 sum over the query's lexemes
    params: dict[str, Any]


def _find_chunk(queries: Sequence[CandidateQuery], published_only: bool) -> list[list[Candidate]]:
    with read_connection().cursor() as cursor:
        cursor.execute(
            "SELECT tsvector_to_array(to_tsvector('english', q.text)),"
            " (SELECT reltuples FROM pg_class WHERE oid = 'claims_claim'::regclass)"
            " FROM unnest(%s::text[]) WITH ORDINALITY AS q(text, n) ORDER BY q.n",
            [[query_text(q.text) for q in queries]],
        )
        fetched = cursor.fetchall()
    lexemes_of: list[list[str]] = [row[0] for row in fetched]
    stats = term_stats.get(reltuples=float(fetched[0][1]))
    plans = [
        _plan(index, query, lexemes, stats, published_only)
        for index, (query, lexemes) in enumerate(zip(queries, lexemes_of, strict=True))
    ]
    found: list[list[Candidate]] = [[] for _ in queries]
    _score(found, {i: plan.first for i, plan in enumerate(plans) if plan.first}, plans)
    few = {
        i: plan.fallback
        for i, plan in enumerate(plans)
        if plan.fallback and len(found[i]) < FEW_CANDIDATES
    }
    _score(found, few, plans)
    return found


def _plan(
    index: int, query: CandidateQuery, lexemes: list[str], stats: TermStats, published_only: bool
) -> _Plan:
    """Query `index`'s branches: its parameters are named `q<index>_...`."""
    if not lexemes:
        return _Plan([], [], "0", {})
    p = f"q{index}_"
    weights = _weights(lexemes, stats)
    # The rarer lexemes find the candidates: their posting lists are short, and a claim sharing
    # only common words with the query would not rank anyway. Rarest first, while the claims
    # they are expected to fetch stay within RARE_BUDGET.
    by_rarity = sorted(lexemes, key=lambda lex: stats.frequency.get(lex, stats.rare))
    rare, expected = [], 0.0
    for lexeme in by_rarity:
        expected += stats.frequency.get(lexeme, stats.rare) * stats.rows
        if expected > RARE_BUDGET:
            break
        rare.append(lexeme)
    common = by_rarity[len(rare) :]
    # One term per lexeme: `@@` with a one-lexeme tsquery is a binary search in the claim's
    # sorted lexemes, cheaper than unnesting them.
    lexical = " + ".join(
        f"(CASE WHEN search_vector @@ %({p}l{i})s::tsquery THEN %({p}w{i})s ELSE 0 END)"
        for i in range(len(lexemes))
    )
    head, tail = match_keys(query.text)
    params: dict[str, Any] = {
        f"{p}text": query.text,
        f"{p}head": head,
        f"{p}tail": tail,
        f"{p}rare": _tsquery(rare, "|"),
        f"{p}common": _tsquery(common[:3], "&"),
        f"{p}usual": _tsquery(common[-2:], "&"),
    }
    for i, (lexeme, weight) in enumerate(zip(lexemes, weights, strict=True)):
        params[f"{p}l{i}"] = _tsquery([lexeme], "|")
        params[f"{p}w{i}"] = weight
    # Published only: the claim's in-force flag, so that each full-text branch reads the
    # partial index of claims in force (claim_search_in_force_idx), not the index of them all.
    scope = f"AND {claim_public_sql('claims_claim', in_force=True)}" if published_only else ""
    if query.claim is not None:
        params[f"{p}claim"], params[f"{p}source"] = query.claim
        scope += f" AND id < %({p}claim)s AND source_id <> %({p}source)s"
    branch = (
        "(SELECT id, text, status, duplicate_of_id, search_vector FROM claims_claim"
        " WHERE {} " + scope + " LIMIT {})"
    )
    # Claims sharing the query's first or last five words (an edited copy): B-tree lookups on
    # the keys match_keys derives from every claim's text, here from the query's.
    keys_sql = f"(match_head = %({p}head)s::integer OR match_tail = %({p}tail)s::integer)"
    keys = branch.format(keys_sql, 200)
    rare_branch = branch.format(f"search_vector @@ %({p}rare)s::tsquery", RARE_BUDGET)
    first = [keys, rare_branch] if rare else []
    # Rare words found (next to) nothing: the query is made of common words, or its rare ones
    # are nowhere (or in no published claim). Then the claims holding the three least common of
    # the common lexemes (an edited copy holds them), and, so that something close comes back,
    # those holding the two most common: GIN intersects posting lists, so an AND of a few
    # common lexemes stays cheap where an OR would read them whole.
    sample = published_only and query.claim is None
    fallback = (
        [
            keys,
            branch.format(_all_of(f"{p}common", common[:3], stats, sample), FALLBACK_LIMIT),
            branch.format(_all_of(f"{p}usual", common[-2:], stats, sample), FALLBACK_LIMIT),
        ]
        + ([rare_branch] if rare else [])
        if common
        else []
    )
    return _Plan(first, fallback, lexical, params)


def _all_of(param: str, lexemes: Sequence[str], stats: TermStats, sample: bool) -> str:
    """A fallback branch's condition: the claim holds all of `lexemes` (the tsquery `param`).

    Among the claims in force (`sample`), a branch expected to match CLAIM_SEARCH_SAMPLE times
    its LIMIT or more looks only in the fixed sample of them that claim_search_sample_idx
    holds. It keeps an arbitrary LIMIT of its claims either way, but a GIN scan reads every
    posting of its words before the LIMIT applies: on the index of every claim in force, its
    cost grows with them (docs/performance.md, "10 million claims"). The expectation is the
    words' frequencies, taken as independent as the planner takes them, times the claims in
    force; a stored claim's scope (its earlier claims), which they do not describe, is never
    sampled."""
    condition = f"search_vector @@ %({param})s::tsquery"
    expected = stats.rows * stats.in_force
    for lexeme in lexemes:
        expected *= stats.frequency.get(lexeme, stats.rare)
    if sample and expected >= CLAIM_SEARCH_SAMPLE * FALLBACK_LIMIT:
        condition += f" AND {claim_search_sample_sql('claims_claim')}"
    return condition


def _score(
    found: list[list[Candidate]], branches: dict[int, list[str]], plans: list[_Plan]
) -> None:
    """Set found[i] to the best CANDIDATES of the union of branches[i] by BM25 (the plan's
    `lexical` sums the weights of the query lexemes a claim holds), with their trigram
    similarity to the query, stored vector, the claim they duplicate (`duplicate_of_id`) and the
    vector of their published verdict's headline: one statement for every query in `branches`."""
    if not branches:
        return
    selects, params = [], {"candidates": CANDIDATES, "length": term_stats.get().length}
    for index, query_branches in branches.items():
        plan = plans[index]
        p = f"q{index}_"
        params.update(plan.params)
        # Each LIMIT bounds the work when a query is made of very common words; the union is
        # scored without joining back to the table (each branch carries the columns it needs).
        union = "\n                UNION ALL\n                ".join(query_branches)
        selects.append(
            f"""(
            WITH candidate AS (
                {union}
            )
            SELECT {index}, ranked.id, ranked.text, ranked.status, ranked.lexical,
                   similarity(ranked.text, %({p}text)s), e.vector, ranked.duplicate_of_id,
                   e.headline_vector
            FROM (
                SELECT DISTINCT ON (lexical, id) id, text, status, duplicate_of_id, lexical FROM (
                    SELECT id, text, status, duplicate_of_id,
                           ({plan.lexical}) * {_K1 + 1} / (1 + {_K1} * ({1 - _B} + {_B}
                               * length(search_vector) / %(length)s::float8)) AS lexical
                    FROM candidate
                ) AS scored
                ORDER BY lexical DESC, id
                LIMIT %(candidates)s
            ) AS ranked
            LEFT JOIN claims_claimembedding AS e ON e.claim_id = ranked.id
            )"""
        )
    database = read_connection()
    with transaction.atomic(using=database.alias), database.cursor() as cursor:
        # No JIT: the statement's estimated cost grows with the queries it answers, and past
        # jit_above_cost PostgreSQL compiles every branch's expressions before running it
        # (fifteen sentences of an article: 0.7 s of compiling for 0.15 s of searching).
        cursor.execute("SELECT set_config('jit', 'off', true)")
        cursor.execute("\nUNION ALL\n".join(selects), params)
        rows = cursor.fetchall()
    for index in branches:
        found[index] = []
    for row in rows:
        found[row[0]].append(Candidate._make(row[1:]))
    for index in branches:
        found[index].sort(key=lambda c: (-c.lexical, c.claim_id))
