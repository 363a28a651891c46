"""Demo data in bulk: sources, claimants, claims and published verdicts for benchmarks and demos.

The rows are synthetic but shaped like real ones: ~20 statements per source, a few languages,
claims spread over two years, some in each status, published verdicts with a rating, a citation
and two demo staff users as author and approver; with `vectors`, every claim a stand-in
embedding (and a published claim its headline's).

Written for size (10,000,000 claims is a supported call, see docs/performance.md):
- Every row goes in with COPY (the floor for bulk inserts), in chunks of CHUNK_SOURCES sources,
  each generated in a second thread while the database writes the one before
  (sources.imports.pipeline), so memory stays flat however many claims are asked for.
- The ids are reserved up front (`_ids_reserve`: the table locked against other writers, the
  sequence moved past the range), so rows carry their own ids and foreign keys: nothing is read
  back, and a duplicate is written pointing at its original instead of updated afterwards.
- When a call adds at least as many claims as the table holds (and REBUILD_MIN or more), the
  indexes no constraint needs and the foreign keys of the tables it fills are dropped first and
  made again at the end, with a larger `maintenance_work_mem` (as pg_restore does): one sorted
  build per index instead of millions of random inserts into B-trees and a GIN index that
  outgrew memory, and one join per foreign key instead of a lookup per row. Unique and
  primary-key indexes stay, so uniqueness is checked as rows arrive. Otherwise foreign keys are
  checked at the end of each chunk's COPY (SET CONSTRAINTS ALL IMMEDIATE), which keeps
  PostgreSQL's queue of pending checks small.
- `synchronous_commit` and JIT are off for the transaction (factcheck.db.bulk_write_settings).
It all happens in one transaction: a failed call leaves nothing behind (but a gap in the ids).
"""

import hashlib
import random
import secrets
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, Literal, NamedTuple

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.db import connection, transaction
from django.utils import timezone

from claims.embeddings import DIMENSIONS, vector_to_bytes
from claims.matching.text import claim_fingerprint, match_keys
from claims.models import Claim, Claimant, Rating, Verdict
from claims.selectors import verdict_is_public
from factcheck.db import bulk_write_settings, copy_escape, copy_rows, copy_text
from sources.imports.pipeline import pipelined

CLAIMS_PER_SOURCE = 20
CLAIMANTS = 500
LANGUAGES = ("en",) * 8 + ("es", "de")
WORDS = (
    "the government spent billion dollars on schools last year while unemployment rose to "
    "percent in the state according to new figures crime fell by half since taxes were cut "
    "for working families and the senator voted against every bill on climate health care "
    "costs doubled under the mayor who promised more police officers hospitals vaccines "
    "immigration wages inflation housing prices record high lowest level in decades"
).split()

# Of the claims without a published verdict, which status they are in (the queue is mostly
# pending, as in a real newsroom; none awaits approval, which would need a draft verdict).
OTHER_STATUSES = (
    (Claim.Status.PENDING, 0.80),
    (Claim.Status.IN_REVIEW, 0.10),
    (Claim.Status.REJECTED, 0.07),
    (Claim.Status.DUPLICATE, 0.03),
)

# Sources per COPY: 200,000 claims, a few tens of megabytes of COPY text at a time.
CHUNK_SOURCES = 10_000
# Adding at least this many claims, and at least as many as the table holds, rebuilds the indexes
# no constraint needs after the COPY rather than updating them row by row.
REBUILD_MIN = 100_000
# Tables whose indexes and foreign keys are dropped and made again.
_REBUILT_TABLES = ("claims_claim", "claims_verdict", "claims_citation", "claims_claimembedding")

# The columns each COPY writes: the id, and every NOT NULL column without a database default.
# Wrapped as the rows the COPYs write are (`_claim_lines`, `_verdict_lines`), so a value and its
# column sit at the same place; the formatter would give each name and each value a line of
# its own.
_SOURCE_COLUMNS = (
    "id", "title", "publisher", "author", "language", "body", "content_hash", "origin",
    "created_at",
)  # fmt: skip
_CLAIM_COLUMNS = (
    "id", "source_id", "text", "start", "end", "position", "language", "status", "fingerprint",
    "claimant_id", "score", "assignee_id", "duplicate_of_id", "created_at", "updated_at",
    "match_head", "match_tail", "public", "in_force",
)  # fmt: skip
_VERDICT_COLUMNS = (
    "id", "claim_id", "rating_id", "headline", "summary", "explanation", "status", "origin",
    "author_id", "approver_id", "version", "corrections", "original_rating", "review_url",
    "publisher_name", "publisher_site", "published_at", "created_at", "updated_at",
)  # fmt: skip
_CITATION_COLUMNS = ("verdict_id", "url", "quote", "note", "position")

Progress = Callable[[str, int, int], None]


class _Chunk(NamedTuple):
    """One chunk's rows in COPY's text format, the range of its claims' ids, and how many
    claims this call has written with it."""

    sources: str
    claims: str
    verdicts: str
    citations: str
    first_claim: int
    last_claim: int
    done: int


def _sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(8, 18))
    return " ".join(words).capitalize() + f" {rng.randint(2, 99_000):,}."


def _field(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return copy_escape(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _line(values: Sequence[Any]) -> str:
    """One row in COPY's text format."""
    return "\t".join(map(_field, values)) + "\n"


def _demo_user(username: str, group: str) -> AbstractBaseUser:
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"is_staff": True}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    user.groups.add(Group.objects.get(name=group))
    return user


def _ids_reserve(table: str, count: int) -> int:
    """The first of `count` consecutive ids of `table` that no one else will take: the table is
    locked against other writers until the transaction ends, and its sequence moved past them."""
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
        cursor.execute(
            "SELECT greatest(nextval(seq::regclass),"
            f" (SELECT coalesce(max(id), 0) + 1 FROM {table}))"
            " FROM pg_get_serial_sequence(%s, 'id') AS seq",
            [table],
        )
        first: int = cursor.fetchone()[0]
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
            [table, first + max(count, 1) - 1],
        )
    return first


def _indexes_drop(tables: Sequence[str]) -> list[str]:
    """Drop the foreign keys of `tables` and their indexes that back no constraint (primary keys
    and unique indexes stay); return the statements that make them again (`_indexes_create`)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
            " FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])"
            " ORDER BY conrelid, conname",
            [list(tables)],
        )
        keys = cursor.fetchall()
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
            " WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisunique"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)"
            " ORDER BY i.indrelid, 1",
            [list(tables)],
        )
        indexes = cursor.fetchall()
        for table, name, _ in keys:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
    return [definition for _, definition in indexes] + [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
        for table, name, definition in keys
    ]


def _indexes_create(statements: Sequence[str], report: Progress) -> None:
    """Run `_indexes_drop`'s statements: each index built in one sort, each foreign key checked
    in one join over the whole table rather than a lookup per row."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('maintenance_work_mem', '1GB', true)")
        for done, statement in enumerate(statements, 1):
            cursor.execute(statement)
            report("indexes and foreign keys", done, len(statements))


def _claim_flags_trigger(action: Literal["DISABLE", "ENABLE"]) -> None:
    """DISABLE or ENABLE the trigger that sets Claim.public and Claim.in_force after an insert
    of verdicts. Off while this call writes, which sets the flags with each claim: the trigger
    would look up the verdicts of every new verdict's claim, without the index on
    claims_verdict.claim_id while it is rebuilt, and find each flag right. The table is locked
    against other writers meanwhile (`_ids_reserve`), and a failed call rolls back both."""
    [trigger] = [t for t in Verdict._meta.triggers if t.name == "claim_public_insert"]  # type: ignore[attr-defined]
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE claims_verdict {action} TRIGGER {trigger.get_pgid(Verdict)}")


def _stand_in_vector(seed: int) -> bytes:
    """A unit vector of random direction in the embeddings' format: matching does the same work
    whatever the vectors hold (embedding millions of demo claims would take hours)."""
    import numpy as np

    vector = np.random.default_rng(seed).standard_normal(DIMENSIONS)
    return vector_to_bytes(vector / np.linalg.norm(vector))


@transaction.atomic
def demo_data_generate(
    *,
    claims: int,
    verdicts: int,
    seed: int = 0,
    vectors: bool = False,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Add `claims` claims (in sources of ~20) and `verdicts` published verdicts on some of them;
    with `vectors`, a stand-in embedding for each new claim.

    Precondition: the rating scale and groups installed by migration exist; `verdicts <= claims`.
    Side effects: creates the users `demo_reviewer` and `demo_editor` if missing, 500 demo
    claimants if missing; locks the tables it writes until it returns; may drop and rebuild
    indexes (module docstring); runs ANALYZE so the planner sees the new rows. `progress` is
    called with (stage, done, total) as each chunk and index is done. Can be called again to add
    more; nothing is deduplicated beyond the database's own constraints.
    """
    if claims < 0 or verdicts < 0 or verdicts > claims:
        raise ValueError("need 0 <= verdicts <= claims")
    report = progress or (lambda stage, done, total: None)
    rng = random.Random(seed)
    now = timezone.now()
    token = secrets.token_hex(8)  # tells this call's rows apart from earlier demo rows
    reviewer = _demo_user("demo_reviewer", "Reviewers")
    editor = _demo_user("demo_editor", "Editors")
    bulk_write_settings()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    existing = set(Claimant.objects.filter(name__startswith="Demo claimant ").values_list("name"))
    copy_rows(
        table="claims_claimant",
        columns=("name", "description", "created_at"),
        rows=(
            (name, "Demo data", now)
            for name in (f"Demo claimant {i}" for i in range(CLAIMANTS))
            if (name,) not in existing
        ),
    )
    claimant_ids = list(
        Claimant.objects.filter(name__startswith="Demo claimant ").values_list("id", flat=True)
    )
    ratings = list(Rating.objects.values_list("id", "label"))

    source_count = (claims + CLAIMS_PER_SOURCE - 1) // CLAIMS_PER_SOURCE
    first_source = _ids_reserve("sources_source", source_count)
    first_claim = _ids_reserve("claims_claim", claims)
    first_verdict = _ids_reserve("claims_verdict", verdicts)
    with connection.cursor() as cursor:
        # Counts at most `claims` rows: enough to tell whether this call at least doubles them.
        cursor.execute(
            "SELECT count(*) FROM (SELECT FROM claims_claim LIMIT %s) AS t", [claims + 1]
        )
        rebuild = claims >= REBUILD_MIN and cursor.fetchone()[0] <= claims
    dropped = _indexes_drop(_REBUILT_TABLES) if rebuild else []
    _claim_flags_trigger("DISABLE")

    # Which claims get a published verdict: a random sample, so they spread over sources and time.
    published = set(rng.sample(range(claims), verdicts))
    statuses = [status for status, _ in OTHER_STATUSES]
    weights = [weight for _, weight in OTHER_STATUSES]
    origin = f"demo:{token}"
    vector = _stand_in_vector(seed) if vectors else None
    # Claim.public and Claim.in_force, written with each claim as the rule says of its verdict
    # (published or none), rather than by the verdicts' trigger (_claim_flags_trigger).
    flags = {status: (False, False) for status in statuses}
    flags[Claim.Status.PUBLISHED] = (
        verdict_is_public(Verdict.Status.PUBLISHED),
        verdict_is_public(Verdict.Status.PUBLISHED, in_force=True),
    )
    index = verdict_id = 0  # this call's claims and verdicts so far

    def prepare(chunk_start: int) -> _Chunk:
        # In pipelined()'s one thread, chunk after chunk: the counters and `rng` stay in order.
        nonlocal index, verdict_id
        first = index
        source_lines, claim_lines, verdict_lines, citation_lines = [], [], [], []
        for s in range(chunk_start, min(chunk_start + CHUNK_SOURCES, source_count)):
            sentences = [_sentence(rng) for _ in range(min(CLAIMS_PER_SOURCE, claims - index))]
            body = " ".join(sentences)
            language = rng.choice(LANGUAGES)
            created = now - timedelta(seconds=rng.randint(0, 2 * 365 * 86400))
            source_lines.append(
                _line(
                    (  # _SOURCE_COLUMNS
                        first_source + s, f"Demo source {s}", "Demo Gazette", "", language, body,
                        hashlib.sha256(f"{origin}:{s}".encode()).hexdigest(), origin, created,
                    )
                )
            )  # fmt: skip
            start = 0
            for position, text in enumerate(sentences):
                claim_id = first_claim + index
                if index in published:
                    status = Claim.Status.PUBLISHED
                    rating_id, label = rng.choice(ratings)
                    when = now - timedelta(seconds=rng.randint(0, 365 * 86400))
                    verdict_lines.append(
                        _line(
                            (  # _VERDICT_COLUMNS
                                first_verdict + verdict_id, claim_id, rating_id,
                                f"Demo verdict {claim_id}: {label}",
                                f"Our reading of claim {claim_id}: {label.lower()}.",
                                "The figures cited do not match the official statistics. " * 3,
                                Verdict.Status.PUBLISHED.value, Verdict.Origin.OWN.value,
                                reviewer.pk, editor.pk, 1, "[]", "", "", "", "", when, when, when,
                            )
                        )
                    )  # fmt: skip
                    citation_lines.append(
                        f"{first_verdict + verdict_id}\thttps://example.org/evidence/"
                        f"{first_verdict + verdict_id}\tStatistics.\t\t0\n"
                    )
                    verdict_id += 1
                else:
                    status = rng.choices(statuses, weights)[0]
                # A duplicate points at the claim just before it in this call.
                original = claim_id - 1 if status == Claim.Status.DUPLICATE and index else None
                assigned = reviewer.pk if status == Claim.Status.IN_REVIEW else None
                claim_lines.append(
                    _line(
                        (  # _CLAIM_COLUMNS
                            claim_id, first_source + s, text, start, start + len(text), position,
                            language, status.value, claim_fingerprint(text),
                            rng.choice(claimant_ids), round(rng.random(), 4), assigned, original,
                            created, created, *match_keys(text), *flags[status],
                        )
                    )
                )  # fmt: skip
                start += len(text) + 1
                index += 1
        return _Chunk(
            "".join(source_lines), "".join(claim_lines), "".join(verdict_lines),
            "".join(citation_lines), first_claim + first, first_claim + index - 1, index,
        )  # fmt: skip

    def write(chunk: _Chunk) -> None:
        copy_text(table="sources_source", columns=_SOURCE_COLUMNS, text=chunk.sources)
        copy_text(table="claims_claim", columns=_CLAIM_COLUMNS, text=chunk.claims)
        copy_text(table="claims_verdict", columns=_VERDICT_COLUMNS, text=chunk.verdicts)
        copy_text(table="claims_citation", columns=_CITATION_COLUMNS, text=chunk.citations)
        if vector is not None:
            _vectors_add(vector, chunk.first_claim, chunk.last_claim)
        report("claims", chunk.done, claims)

    # Chunk N+1 is generated in Python while the database writes chunk N.
    pipelined(range(0, source_count, CHUNK_SOURCES), prepare=prepare, write=write)
    _indexes_create(dropped, report)
    _claim_flags_trigger("ENABLE")
    with connection.cursor() as cursor:
        tables = ["sources_source", "claims_claim", "claims_verdict", "claims_citation"]
        for table in tables + (["claims_claimembedding"] if vectors else []):
            cursor.execute(f"ANALYZE {table}")
    report("analyze", 1, 1)
    return {"sources": source_count, "claims": claims, "verdicts": verdict_id}


def _vectors_add(vector: bytes, first: int, last: int) -> None:
    """Stand-in embeddings for the claims with ids first..last, and for the headline of each
    one's published verdict."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO claims_claimembedding (claim_id, vector, headline, headline_vector)"
            " SELECT c.id, %(vector)s, coalesce(v.headline, ''),"
            " CASE WHEN v.headline <> '' THEN %(vector)s END"
            " FROM claims_claim AS c LEFT JOIN claims_verdict AS v"
            " ON v.claim_id = c.id AND v.status = 'published'"
            " WHERE c.id BETWEEN %(first)s AND %(last)s",
            {"vector": vector, "first": first, "last": last},
        )
