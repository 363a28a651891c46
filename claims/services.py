"""Writes on claims that are not status changes (those live in claims/workflow.py)."""

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NamedTuple

from django.db import connection
from django.utils import timezone

from claims.checkworthiness import claim_scores
from claims.matching.text import fingerprint_normal, match_keys_normal, text_normalise
from claims.models import ApiKey, Claim
from factcheck.db import copy_escape, copy_text
from sources.models import Source

# The columns claims_create_for_source writes; the others keep their defaults (NULL or '').
_COPY_COLUMNS = (
    "source_id", "text", "start", "end", "position", "language", "status", "fingerprint",
    "claimant_id", "created_at", "updated_at", "score", "match_head", "match_tail",
)  # fmt: skip


def claims_create_for_source(*, source: Source, spans: Iterable[tuple[int, int]]) -> int:
    """Create one pending claim per span of `source.body`; return how many were created.

    Precondition: the caller holds a transaction and `source` is saved. Spans are [start, end)
    offsets into `source.body`, in order; each claim's text is exactly `body[start:end]`.
    See claims_create_for_sources.
    """
    return claims_create_for_sources(documents=[(source, list(spans))])[0]


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


def claims_create_for_sources(
    *,
    documents: Sequence[tuple[Source, Sequence[tuple[int, int]]]],
    features: Sequence[ClaimFeatures] | None = None,
) -> list[int]:
    """Create one pending claim per span of each (source, spans) pair; return how many claims
    each source got, in order.

    Precondition: the caller holds a transaction and the sources are saved. Writes every
    source's claims with one COPY, the floor for bulk inserts: an import is dominated by this
    write, and `bulk_create` spends most of its time building model instances and quoting
    parameters. Each claim is scored for check-worthiness in the same row; its comparison with
    the existing claims (claims.matching.on_import: duplicates and suggested matches) is
    queued for right after the commit (claims.tasks.claims_match_new_task). `features`:
    claim_features of the claims' texts in order, when the caller computed them already.
    """
    from claims.tasks import claims_match_new_later  # matching imports this module

    if features is None:
        features = claim_features(
            [source.body[start:end] for source, spans in documents for start, end in spans]
        )
    counts = [len(spans) for _source, spans in documents]
    if sum(counts):
        copy_text(
            table="claims_claim",
            columns=_COPY_COLUMNS,
            text=_copy_text(documents, features, timezone.now()),
        )
        claim_ids = Claim.objects.filter(
            source_id__in=[source.pk for source, _spans in documents]
        ).values_list("id", flat=True)
        # Matched by a worker right after the commit: in the import's transaction, matching
        # against millions of claims would hold the importer to a fraction of its speed.
        claims_match_new_later(claim_ids=list(claim_ids))
    return counts


def _copy_text(
    documents: Sequence[tuple[Source, Sequence[tuple[int, int]]]],
    features: Sequence[ClaimFeatures],
    now: datetime,
) -> str:
    """The claims' rows (_COPY_COLUMNS) in COPY's text format, one string.

    Formatted here rather than by psycopg's `write_row`, which looks up a dumper for each of a
    row's 14 values (about 9 µs a row, the largest Python cost of a document import after
    scoring); the values are the same ones: integers, escaped text, the timestamp and the
    score's shortest round-trip repr (tests/claims/test_issue5_import_speed.py compares the
    stored rows with write_row's)."""
    stamp = now.isoformat()
    values = iter(features)
    lines = []
    for source, spans in documents:
        body = source.body
        # Between the span and the fingerprint: language, status; after it: claimant (NULL),
        # created_at and updated_at.
        middle = f"\t{copy_escape(source.language)}\t{Claim.Status.PENDING.value}\t"
        after = f"\t\\N\t{stamp}\t{stamp}\t"
        prefix = f"{source.pk}\t"
        for position, (start, end) in enumerate(spans):
            f = next(values)
            head = "\\N" if f.match_head is None else f.match_head
            tail = "\\N" if f.match_tail is None else f.match_tail
            lines.append(
                f"{prefix}{copy_escape(body[start:end])}\t{start}\t{end}\t{position}"
                f"{middle}{f.fingerprint}{after}{f.score!r}\t{head}\t{tail}\n"
            )
    return "".join(lines)


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
