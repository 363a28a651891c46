"""Writing the pending claims of stored documents: one COPY for the statements of many sources."""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NamedTuple

from django.utils import timezone

from claims import tasks as claims_tasks
from claims.models import Claim
from claims.services import ClaimFeatures, claim_features
from factcheck.db import copy_escape, copy_text
from sources.models import Source
from webhooks.outbox import claims_created_record

# The columns claims_create_for_sources writes; the others keep their defaults (NULL or '').
CLAIM_COPY_COLUMNS = (
    "source_id",
    "text",
    "start",
    "end",
    "position",
    "language",
    "status",
    "fingerprint",
    "claimant_id",
    "created_at",
    "updated_at",
    "score",
    "match_head",
    "match_tail",
)


class Document(NamedTuple):
    """A saved source and the [start, end) spans of its statements in `source.body`."""

    source: Source
    spans: Sequence[tuple[int, int]]
    # Each span's 0-based place among the statements of the body; None: they are all of them,
    # in order. (Claims an editor picks from a text are some of its statements.)
    positions: Sequence[int] | None = None


def claims_create_for_source(*, source: Source, spans: Iterable[tuple[int, int]]) -> int:
    """Create one pending claim per span of `source.body`; return how many were created.

    Precondition: the caller holds a transaction and `source` is saved. Spans are [start, end)
    offsets into `source.body`, in order; each claim's text is exactly `body[start:end]`.
    See claims_create_for_sources.
    """
    return claims_create_for_sources(documents=[Document(source, list(spans))])[0]


def claims_create_for_sources(
    *,
    documents: Sequence[Document],
    features: Sequence[ClaimFeatures] | None = None,
) -> list[int]:
    """Create one pending claim per span of each document; return how many claims each source
    got, in order.

    Precondition: the caller holds a transaction and the sources are saved. Writes every
    source's claims with one COPY, the floor for bulk inserts: an import is dominated by this
    write, and `bulk_create` spends most of its time building model instances and quoting
    parameters. Each claim is scored for check-worthiness in the same row; its comparison with
    the existing claims (claims.matching.on_import: duplicates and suggested matches) is
    queued for right after the commit (claims.tasks.claims_match_new_task); its claim.created
    webhook event is written with it (webhooks.outbox). `features`:
    claim_features of the claims' texts in order, when the caller computed them already.
    """
    if features is None:
        features = claim_features(
            [d.source.body[start:end] for d in documents for start, end in d.spans]
        )
    counts = [len(document.spans) for document in documents]
    if sum(counts):
        now = timezone.now()
        copy_text(
            table="claims_claim",
            columns=CLAIM_COPY_COLUMNS,
            text=_claims_copy_text(documents, features, now),
        )
        # The claims just written (a source may hold claims of earlier writes).
        claim_ids = Claim.objects.filter(
            source_id__in=[document.source.pk for document in documents], created_at=now
        ).values_list("id", flat=True)
        # Matched by a worker right after the commit: in the import's transaction, matching
        # against millions of claims would hold the importer to a fraction of its speed.
        claims_tasks.claims_match_new_later(claim_ids=list(claim_ids))
        claims_created_record(claim_ids=list(claim_ids))
    return counts


def _claims_copy_text(
    documents: Sequence[Document],
    features: Sequence[ClaimFeatures],
    now: datetime,
) -> str:
    """The claims' rows (CLAIM_COPY_COLUMNS) in COPY's text format, one string.

    Formatted here rather than by psycopg's `write_row`, which looks up a dumper for each of a
    row's 14 values (about 9 µs a row, the largest Python cost of a document import after
    scoring); the values are the same ones: integers, escaped text, the timestamp and the
    score's shortest round-trip repr (a test compares the stored rows with write_row's)."""
    stamp = now.isoformat()
    values = iter(features)
    lines = []
    for source, spans, positions in documents:
        body = source.body
        # Between the span and the fingerprint: language, status; after it: claimant (NULL),
        # created_at and updated_at.
        middle = f"\t{copy_escape(source.language)}\t{Claim.Status.PENDING.value}\t"
        after = f"\t\\N\t{stamp}\t{stamp}\t"
        prefix = f"{source.pk}\t"
        for position, (start, end) in zip(positions or range(len(spans)), spans, strict=True):
            f = next(values)
            head = "\\N" if f.match_head is None else f.match_head
            tail = "\\N" if f.match_tail is None else f.match_tail
            lines.append(
                f"{prefix}{copy_escape(body[start:end])}\t{start}\t{end}\t{position}"
                f"{middle}{f.fingerprint}{after}{f.score!r}\t{head}\t{tail}\n"
            )
    return "".join(lines)
