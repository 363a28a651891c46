"""Checked before? Match claims against the existing ones.

- Exact: the same statement after normalising case, punctuation, quotes and whitespace shares
  `claim_fingerprint` (indexed); a new claim with an earlier twin gets `duplicate_of` and a
  `ClaimMatch(kind=duplicate, score=1)`. Its status is unchanged: an editor decides.
- Similar: candidates come from PostgreSQL (below) and are re-ranked by `_similarity`: the mean
  of the Dice overlap of content words and pg_trgm's trigram similarity. Above
  `SUGGEST_THRESHOLD` a new claim gets a `ClaimMatch(kind=suggested, score)`.

On import (`claims_match_new`, one query per source) the candidates are the claims sharing a
key with the new statement: hashes of its first (`match_head`) and of its last (`match_tail`)
five words, which claims.matchkeys.match_keys derives from the text when the row is written.
An edit in one half of a statement keeps the other half's key, and keys are nearly unique, so
the lookup reads a few B-tree entries even at millions of claims made of common words.

Free-text search (`claim_match`, used by the API and the evaluation) reads the text cleaned
(`match_clean`: links, emoji and retweet marks dropped, hashtags split) and works in two stages.
PostgreSQL finds candidates in the stored `search_vector` (GIN): the union of three bounded sets
(claims holding all the query's lexemes; all lexemes of one of three interleaved groups; claims
holding any of its rarer lexemes) scored by BM25 without term frequencies, each lexeme weighted
by its inverse document frequency as the planner's statistics know it (pg_stats). The best
`CANDIDATES` are re-ranked by the cosine of their stored sentence embeddings with the query's
(claims/embeddings.py), or of their published verdict's headline when that is closer, plus
`LEXICAL_WEIGHT` times their BM25 score relative to the best one; a candidate marked as the
duplicate of another candidate is folded into it.
"""

import html
import math
import os
import re
import time
import unicodedata
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.utils import timezone

from claims.embeddings import texts_embed, vector_from_bytes
from claims.matchkeys import match_keys, text_normalise
from claims.models import ClaimEvent, ClaimMatch, Verdict
from factcheck.errors import Conflict

__all__ = [
    "SUGGEST_THRESHOLD",
    "MatchResult",
    "claim_match",
    "claim_match_confirm",
    "claim_match_dismiss",
    "claims_match_new",
    "match_candidates",
    "match_clean",
    "match_keys",
    "match_normalise",
    "match_rerank",
]

SUGGEST_THRESHOLD = 0.6
_SUGGESTIONS_PER_CLAIM = 3
# Claims holding a whole word group of a new statement that are compared with it on import.
_IMPORT_CANDIDATES = 100
# claim_match: claims scored lexically per query (the rare-word branch fetches at most this
# many), candidates re-ranked by embedding, and the weight of the lexical score in the
# re-ranking. CANDIDATES and LEXICAL_WEIGHT were chosen on the CheckThat! 2020 train split
# (bench/eval_matching.py --split train); the dev split is reported, never tuned on.
RARE_BUDGET = 1000
# Fewer candidates than this from the rare words: look among the common ones too.
FEW_CANDIDATES = 20
CANDIDATES = 200
LEXICAL_WEIGHT = 0.3
# BM25's term-frequency saturation and length normalisation (its usual values).
_K1 = 1.2
_B = 0.75
# How long a process trusts its copy of the lexeme statistics.
STATS_SECONDS = 600

_URL = re.compile(r"(?:https?://|www\.|pic\.twitter\.com/)\S*", re.IGNORECASE)
_HANDLE = re.compile(r"@\w+")
_HASHTAG = re.compile(r"#(\w+)")
# Word boundaries inside a hashtag: lower to upper case, an acronym's end, letters to digits.
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=\d)")
# Emoji, pictographs and dingbats, variation selectors, zero-width and bidirectional marks.
_SYMBOLS = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\ufe00-\ufe0f\u200b-\u200f\u202a-\u202e\u2060-\u206f]"
)
_RETWEET = re.compile(r"^\s*RT\b:?")
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
    normalised away (claims.matchkeys.text_normalise, as for `claim_fingerprint`, without the
    links and handles)."""
    return text_normalise(_query_text(text))


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


def _tsquery(lexemes: Sequence[str], operator: str) -> str:
    """tsquery input joining `lexemes` (already stemmed) with `operator`, each quoted."""
    quoted = ("'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'" for lexeme in lexemes)
    return f" {operator} ".join(quoted)


@dataclass(frozen=True)
class _TermStats:
    """How common each lexeme of `search_vector` is, from the planner's statistics (pg_stats
    keeps the frequencies of the most common lexemes of a tsvector column; ANALYZE, which
    autovacuum runs, refreshes them). No table of term counts to maintain on import."""

    rows: float
    frequency: dict[str, float]
    rare: float  # frequency assumed for a lexeme below the most common ones
    length: float  # average lexemes per claim


_stats: tuple[float, _TermStats] | None = None


def _term_stats() -> _TermStats:
    global _stats
    if _stats is not None and time.monotonic() - _stats[0] < STATS_SECONDS:
        return _stats[1]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.reltuples, s.most_common_elems::text::text[], s.most_common_elem_freqs,
                   s.elem_count_histogram
            FROM pg_class AS c
            LEFT JOIN pg_stats AS s ON s.schemaname = current_schema()
                 AND s.tablename = 'claims_claim' AND s.attname = 'search_vector'
            WHERE c.oid = 'claims_claim'::regclass
            """
        )
        rows, elems, freqs, lengths = cursor.fetchone()
    elems = elems or []
    # most_common_elem_freqs ends with the minimum and maximum frequency and the null fraction.
    frequency = dict(zip(elems, freqs or [], strict=False))
    rare = freqs[len(elems)] / 2 if elems else 0.0
    stats = _TermStats(
        rows=max(float(rows or 0), 1.0),
        frequency=frequency,
        rare=rare,
        length=float(lengths[-1]) if lengths else 12.0,
    )
    _stats = (time.monotonic(), stats)
    return stats


def _weights(lexemes: Sequence[str], stats: _TermStats) -> list[float]:
    """BM25's inverse document frequency of each lexeme (rare words weigh most)."""
    out = []
    for lexeme in lexemes:
        docs = stats.frequency.get(lexeme, stats.rare) * stats.rows
        out.append(math.log(1 + (stats.rows - docs + 0.5) / (docs + 0.5)))
    return out


@dataclass(frozen=True)
class MatchResult:
    """One existing claim that matches a text, best first, with its published verdict if any."""

    claim_id: int
    text: str
    status: str
    score: float
    verdict: Verdict | None


def match_clean(text: str) -> str:
    """What claim_match reads of a text a user brings (a post, a tweet, a sentence): HTML
    entities decoded, compatibility forms folded (NFKC), links dropped, hashtags split into
    their words (#JeffreyEpstein: Jeffrey Epstein), emoji and invisible marks dropped, and a
    leading retweet mark. Names and @handles stay: a claim often names who said it."""
    text = _URL.sub(" ", unicodedata.normalize("NFKC", html.unescape(text)))
    text = _HASHTAG.sub(lambda m: " " + _CAMEL.sub(" ", m.group(1)) + " ", text)
    return " ".join(_RETWEET.sub(" ", _SYMBOLS.sub(" ", text)).split())


def _query_text(text: str) -> str:
    # Links and @handles carry no claim; punctuation stays for PostgreSQL's parser (numbers).
    return _HANDLE.sub(" ", _URL.sub(" ", unicodedata.normalize("NFKC", text)))


def match_candidates(*, text: str, published_only: bool = True) -> list[tuple]:
    """claim_match's first stage: up to CANDIDATES rows (id, text, status, lexical score,
    trigram similarity, stored vector or None, duplicate_of_id, stored headline vector or
    None), best lexical score first."""
    clean = match_clean(text)
    return _candidates(clean, published_only) if _content_words(clean) else []


def _candidates(text: str, published_only: bool) -> list[tuple]:
    """match_candidates of a text already through match_clean, with content words."""
    query_text = _query_text(text)
    with connection.cursor() as cursor:
        cursor.execute("SELECT tsvector_to_array(to_tsvector('english', %s))", [query_text])
        lexemes: list[str] = cursor.fetchone()[0]
    if not lexemes:
        return []
    stats = _term_stats()
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
        f"(CASE WHEN search_vector @@ %(l{i})s::tsquery THEN %(w{i})s ELSE 0 END)"
        for i in range(len(lexemes))
    )
    head, tail = match_keys(text)
    params: dict[str, object] = {
        "text": text,
        "head": head,
        "tail": tail,
        "rare": _tsquery(rare, "|"),
        "common": _tsquery(common[:3], "&"),
        "usual": _tsquery(common[-2:], "&"),
        "sample": RARE_BUDGET,
        "candidates": CANDIDATES,
        "length": stats.length,
    }
    for i, (lexeme, weight) in enumerate(zip(lexemes, weights, strict=True)):
        params[f"l{i}"] = _tsquery([lexeme], "|")
        params[f"w{i}"] = weight
    published = "AND status = 'published'" if published_only else ""
    branch = (
        "(SELECT id, text, status, duplicate_of_id, search_vector FROM claims_claim"
        " WHERE {} {} LIMIT {})"
    )
    # Claims sharing the query's first or last five words (an edited copy): B-tree lookups on
    # the keys claims.matchkeys derives from every claim's text, here from the query's.
    keys_sql = "(match_head = %(head)s::integer OR match_tail = %(tail)s::integer)"
    keys = branch.format(keys_sql, published, 200)
    rows: list[tuple] = []
    if rare:
        rows = _score(
            [keys, branch.format("search_vector @@ %(rare)s::tsquery", published, "%(sample)s")],
            lexical,
            params,
        )
    if len(rows) < FEW_CANDIDATES and common:
        # Rare words found (next to) nothing: the query is made of common words, or its rare
        # ones are nowhere (or in no published claim). Then the claims holding the three least
        # common of the common lexemes (an edited copy holds them), and, so that something
        # close comes back, those holding the two most common: GIN intersects posting lists,
        # so an AND of a few common lexemes stays cheap where an OR would read them whole.
        rows = _score(
            [
                keys,
                branch.format("search_vector @@ %(common)s::tsquery", published, 500),
                branch.format("search_vector @@ %(usual)s::tsquery", published, 500),
            ]
            + (
                [branch.format("search_vector @@ %(rare)s::tsquery", published, "%(sample)s")]
                if rare
                else []
            ),
            lexical,
            params,
        )
    return rows


def _score(branches: Sequence[str], lexical: str, params: dict[str, object]) -> list[tuple]:
    """The best CANDIDATES of the union of `branches` by BM25 (`lexical` sums the weights of
    the query lexemes a claim holds), with their trigram similarity, stored vector, the claim
    they duplicate (`duplicate_of_id`) and the vector of their published verdict's headline."""
    # Each LIMIT bounds the work when a query is made of very common words; the union is
    # scored without joining back to the table (each branch carries the columns it needs).
    union = "\n                UNION ALL\n                ".join(branches)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH candidate AS (
                {union}
            )
            SELECT ranked.id, ranked.text, ranked.status, ranked.lexical,
                   similarity(ranked.text, %(text)s), e.vector, ranked.duplicate_of_id,
                   e.headline_vector
            FROM (
                SELECT DISTINCT ON (lexical, id) id, text, status, duplicate_of_id, lexical FROM (
                    SELECT id, text, status, duplicate_of_id,
                           ({lexical}) * {_K1 + 1} / (1 + {_K1} * ({1 - _B} + {_B}
                               * length(search_vector) / %(length)s::float8)) AS lexical
                    FROM candidate
                ) AS scored
                ORDER BY lexical DESC, id
                LIMIT %(candidates)s
            ) AS ranked
            LEFT JOIN claims_claimembedding AS e ON e.claim_id = ranked.id
            ORDER BY ranked.lexical DESC, ranked.id
            """,
            params,
        )
        return cursor.fetchall()


def match_rerank(
    *, rows: Sequence[tuple], text: str, query_vector: np.ndarray
) -> list[tuple[float, int, str, str]]:
    """claim_match's second stage: (score, id, text, status) of `rows`, best first.

    A claim marked as a duplicate of another candidate (`duplicate_of`: the same statement,
    imported later) is folded into that earlier claim, which stands for both: one statement is
    listed once, under the claim that carries its history."""
    if not rows:
        return []
    query_words = {_stem(w) for w in _content_words(text)}
    best_lexical = max(row[3] for row in rows) or 1.0
    present = {row[0] for row in rows}
    scored = []
    for pk, claim_text, status, lexical, trigram, vector, duplicate_of, headline in rows:
        if duplicate_of in present:
            continue
        if vector is None:  # not embedded yet (manage.py embed_claims fills these in)
            closeness = _similarity(query_words, claim_text, trigram)
        else:
            closeness = float(vector_from_bytes(vector) @ query_vector)
        if headline is not None:  # its fact-check's headline: the closer wording counts
            closeness = max(closeness, float(vector_from_bytes(headline) @ query_vector))
        score = (closeness + LEXICAL_WEIGHT * lexical / best_lexical) / (1 + LEXICAL_WEIGHT)
        scored.append((score, pk, claim_text, status))
    return sorted(scored, key=lambda item: (-item[0], item[1]))


_pool: tuple[int, ThreadPoolExecutor] | None = None


def _embedder() -> ThreadPoolExecutor:
    """One thread per process that embeds claim_match's queries (made again in a forked child,
    which does not inherit its parent's threads)."""
    global _pool
    if _pool is None or _pool[0] != os.getpid():
        _pool = (os.getpid(), ThreadPoolExecutor(1, thread_name_prefix="claim-match-embed"))
    return _pool[1]


def claim_match(*, text: str, limit: int = 5, published_only: bool = True) -> list[MatchResult]:
    """Existing claims ranked by similarity to `text` (at most `limit`), with their published
    verdicts. `published_only` restricts the search to published claims (anonymous callers).

    First stage (PostgreSQL): the union of three bounded candidate sets (claims holding all the
    query's words; all words of one of three interleaved groups; claims holding any of its rarer
    words), scored by BM25 without term frequency (each matched lexeme adds its inverse document
    frequency, normalised by the claim's length); the best `CANDIDATES` go on. Second stage: the
    cosine of their stored embeddings with the query's (claims/embeddings.py), or of their
    published verdict's headline's when that is higher, plus `LEXICAL_WEIGHT` times the lexical
    score relative to the best one; a candidate without a vector yet uses the Dice/trigram
    similarity in place of the cosine. A duplicate of another candidate is folded into it. The
    query is read through `match_clean` first.
    """
    clean = match_clean(text)
    if limit < 1 or not _content_words(clean):
        return []
    # The query is embedded while PostgreSQL finds the candidates: the model and the wait for
    # the server both release the GIL, so the two overlap (a 30-word post: ~17 ms and ~29 ms).
    vector = _embedder().submit(texts_embed, [clean])
    rows = _candidates(clean, published_only)
    if not rows:
        return []  # the running embedding finishes on its own; nobody waits for it
    ranked = match_rerank(rows=rows, text=clean, query_vector=vector.result()[0])[:limit]
    verdicts = {
        v.claim_id: v
        for v in Verdict.objects.filter(
            claim_id__in=[pk for _, pk, _, _ in ranked], status=Verdict.Status.PUBLISHED
        ).select_related("rating")
    }
    return [
        MatchResult(
            claim_id=pk,
            text=claim_text,
            status=status,
            score=round(min(max(score, 0.0), 1.0), 4),
            verdict=verdicts.get(pk),
        )
        for score, pk, claim_text, status in ranked
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
    `match_head`/`match_tail` keys stored with each claim (claims.matchkeys)."""
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
