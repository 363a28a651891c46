"""Writes on claims that are not status changes (those live in claims/workflow.py)."""

import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from django.db import connection
from django.utils import timezone

from claims.checkworthiness import claim_scores
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


def claims_score_missing(*, batch_size: int = 5000) -> int:
    """Score every claim that has no check-worthiness score yet, in batches; return how many.

    Each batch is one UPDATE from arrays; outside a transaction (the `score_claims` command) each
    batch commits on its own, so a backfill of millions of claims can be interrupted and resumed.
    """
    done = 0
    last_id = 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                "SELECT id, text FROM claims_claim WHERE score IS NULL AND id > %s"
                " ORDER BY id LIMIT %s",
                [last_id, batch_size],
            )
            rows = cursor.fetchall()
            if not rows:
                return done
            ids = [row[0] for row in rows]
            cursor.execute(
                "UPDATE claims_claim AS c SET score = v.score"
                " FROM unnest(%s::bigint[], %s::float8[]) AS v(id, score) WHERE c.id = v.id",
                [ids, claim_scores([row[1] for row in rows])],
            )
            done += len(rows)
            last_id = ids[-1]


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
