"""Writes on claims that are not status changes (those live in claims/workflow.py)."""

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from django.db import connection
from django.utils import timezone

from claims.checkworthiness import claim_scores
from claims.matching.text import fingerprint_normal, match_keys_normal, text_normalise
from claims.models import ApiKey, Claim
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
        with connection.cursor() as cursor:
            with cursor.cursor.copy(_copy_sql("claims_claim", _COPY_COLUMNS)) as copy:
                copy.write(_copy_text(documents, features, timezone.now()))
        claim_ids = Claim.objects.filter(
            source_id__in=[source.pk for source, _spans in documents]
        ).values_list("id", flat=True)
        # Matched by a worker right after the commit: in the import's transaction, matching
        # against millions of claims would hold the importer to a fraction of its speed.
        claims_match_new_later(claim_ids=list(claim_ids))
    return counts


# COPY's text format escapes these four characters with a backslash (PostgreSQL "COPY", File
# Formats); NULL is \N.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_escape(value: str) -> str:
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_COPY_ESCAPES)
    return value


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
        middle = f"\t{_copy_escape(source.language)}\t{Claim.Status.PENDING.value}\t"
        after = f"\t\\N\t{stamp}\t{stamp}\t"
        prefix = f"{source.pk}\t"
        for position, (start, end) in enumerate(spans):
            f = next(values)
            head = "\\N" if f.match_head is None else f.match_head
            tail = "\\N" if f.match_tail is None else f.match_tail
            lines.append(
                f"{prefix}{_copy_escape(body[start:end])}\t{start}\t{end}\t{position}"
                f"{middle}{f.fingerprint}{after}{f.score!r}\t{head}\t{tail}\n"
            )
    return "".join(lines)


def bulk_write_settings() -> None:
    """Settings for the rest of the caller's import transaction (SET LOCAL: they end with it).

    - `synchronous_commit = off`: the commit returns before its WAL reaches the disk. Safe for
      imports: a crash of the database server can lose only the last few hundred milliseconds
      of commits, never corrupt anything, and every import is idempotent by natural keys (the
      content hash), so the next run stores exactly what was lost; a run whose batches were
      lost still shows as `running` and is then recorded as interrupted. Whatever an ImportRun
      reports as finished is durable: the run's own (synchronous) commit flushes the WAL up to
      it, and the earlier import commits with it. A matching task queued for claims lost in
      such a crash finds no rows and does nothing.
    - `jit = off`: without statistics on the staging table the planner expects millions of
      rows and JIT-compiles each batch's insert statement: 0.35 s of a 5,000-row batch's
      1.2 s (LIAR), for a statement that runs once.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('synchronous_commit', 'off', true), set_config('jit', 'off', true)"
        )


def _copy_sql(table: str, columns: Sequence[str]) -> str:
    names = ", ".join(f'"{name}"' for name in columns)
    return f"COPY {table} ({names}) FROM STDIN"


def copy_rows(*, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write `rows` (values in `columns` order) into `table` with one COPY; return how many.

    COPY is the floor for bulk inserts: `bulk_create` spends most of its time building model
    instances and quoting parameters. Precondition: the caller holds a transaction."""
    count = 0
    with connection.cursor() as cursor:
        with cursor.cursor.copy(_copy_sql(table, columns)) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


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
