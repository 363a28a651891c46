"""Writes on claims that are not status changes (those live in claims/workflow.py)."""

import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from django.db import connection
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from claims.checkworthiness import claim_scores, score_model_names
from claims.embeddings import vector_from_bytes
from claims.matching.text import fingerprint_normal, match_keys_normal, text_normalise
from claims.models import ApiKey


class ClaimFeatures(NamedTuple):
    """The values of a claim's row that Python derives from its text."""

    score: float  # check-worthiness
    fingerprint: str  # claims.matching.text.claim_fingerprint
    match_head: int | None  # claims.matching.text.match_keys
    match_tail: int | None


def claim_features(texts: Sequence[str]) -> list[ClaimFeatures]:
    """The values an imported claim's row carries that Python computes, per text. Pure Python,
    no database: an importer may compute them in another thread while the database writes the
    previous batch."""
    normals = [text_normalise(text) for text in texts]  # once, for the fingerprint and keys
    return [
        ClaimFeatures(score, fingerprint_normal(normal), *match_keys_normal(normal))
        for score, normal in zip(claim_scores(texts), normals, strict=True)
    ]


# The claims to score, with their sentence vector where stored; {where} picks them.
_TO_SCORE = """
SELECT c.id, c.text, e.vector
FROM claims_claim AS c
LEFT JOIN claims_claimembedding AS e ON e.claim_id = c.id
WHERE {where}
ORDER BY c.id
"""


def claims_score(*, claim_ids: Sequence[int]) -> int:
    """Score the claims among `claim_ids` again with the shipped model, with their sentence
    vectors where stored (refining the words-only score of the import); return how many.

    Call it once their vectors are written (claims.tasks.claims_embed_task), outside the
    import's transaction. Writes `score` and `score_model`; idempotent."""
    if not claim_ids:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(_TO_SCORE.format(where="c.id = ANY(%s)"), [list(claim_ids)])
        return _score_rows(cursor, cursor.fetchall())


def claims_score_stale(*, batch_size: int = 5000) -> int:
    """Score every claim whose score the shipped model did not write with all it could use:
    claims without a score, scored at import (words only), scored by another model version, or
    scored from words alone while their vector is now stored; return how many.

    Each batch is one UPDATE from arrays; outside a transaction (the `score_claims` command) each
    batch commits on its own, so a rescoring of millions of claims can be interrupted and
    resumed."""
    words, with_vector = score_model_names()
    done = 0
    last_id = 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                _TO_SCORE.format(
                    where="c.id > %s AND c.score_model"
                    " <> CASE WHEN e.vector IS NULL THEN %s ELSE %s END"
                )
                + " LIMIT %s",
                [last_id, words, with_vector, batch_size],
            )
            rows = cursor.fetchall()
            if not rows:
                return done
            done += _score_rows(cursor, rows)
            last_id = rows[-1][0]


def _score_rows(cursor: CursorWrapper, rows: Sequence[tuple[int, str, bytes | None]]) -> int:
    """Score and write `rows` read by _TO_SCORE; return how many were written."""
    if not rows:
        return 0
    vectors = [None if row[2] is None else vector_from_bytes(row[2]) for row in rows]
    words, with_vector = score_model_names()
    cursor.execute(
        "UPDATE claims_claim AS c SET score = v.score, score_model = v.model"
        " FROM unnest(%s::bigint[], %s::float8[], %s::text[]) AS v(id, score, model)"
        " WHERE c.id = v.id",
        [
            [row[0] for row in rows],
            claim_scores([row[1] for row in rows], vectors),
            [words if vector is None else with_vector for vector in vectors],
        ],
    )
    return cursor.rowcount


def api_key_hash(key: str) -> str:
    """The stored form of an API key. Keys are 32 random bytes, so a fast hash is enough: there
    is nothing to brute-force that a slow password hash would protect."""
    return hashlib.sha256(key.encode()).hexdigest()


def api_key_create(
    *, name: str, rate: str = "1000/hour", expires_at: datetime | None = None
) -> tuple[ApiKey, str]:
    """Create a key for an API consumer; return it with the key itself, which is not stored and
    cannot be shown again."""
    key = api_key_generate()
    api_key = ApiKey(name=name, rate=rate, expires_at=expires_at)
    api_key_assign(api_key=api_key, key=key)
    api_key.full_clean()
    api_key.save()
    return api_key, key


def api_key_generate() -> str:
    """A new random key: "fc_" and 43 URL-safe characters (32 random bytes)."""
    return f"fc_{secrets.token_urlsafe(32)}"


def api_key_assign(*, api_key: ApiKey, key: str) -> None:
    """Set the prefix and hash of `key` on an unsaved `api_key` (the admin's add form)."""
    api_key.prefix = key[:11]
    api_key.key_hash = api_key_hash(key)


def api_key_find(*, key: str) -> ApiKey | None:
    """The usable (not revoked, not expired) API key `key`, or None."""
    api_key = ApiKey.objects.filter(key_hash=api_key_hash(key), revoked=False).first()
    if api_key is None or (api_key.expires_at and api_key.expires_at <= timezone.now()):
        return None
    return api_key
