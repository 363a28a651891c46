"""Writes on claims that are not status changes (those live in claims/workflow.py)."""

import hashlib
import re
import unicodedata
from collections.abc import Iterable

from django.db import connection
from django.utils import timezone

from claims.models import Claim
from sources.models import Source

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def claim_fingerprint(text: str) -> str:
    """SHA-256 of the text with case, accents' compatibility forms, punctuation, quotes and
    whitespace normalised away: two statements that differ only in those share a fingerprint."""
    normal = unicodedata.normalize("NFKC", text).casefold()
    normal = _NOT_WORD.sub(" ", normal).strip()
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()


# The columns claims_create_for_source writes; the others keep their defaults (NULL or '').
_COPY_COLUMNS = (
    "source_id", "text", "start", "end", "position", "language", "status", "fingerprint",
    "claimant_id", "created_at", "updated_at",
)  # fmt: skip


def claims_create_for_source(*, source: Source, spans: Iterable[tuple[int, int]]) -> int:
    """Create one pending claim per span of `source.body`; return how many were created.

    Precondition: the caller holds a transaction and `source` is saved. Spans are [start, end)
    offsets into `source.body`, in order; each claim's text is exactly `body[start:end]`.
    Writes with one COPY, the floor for bulk inserts: an import is dominated by this write, and
    `bulk_create` spends most of its time building model instances and quoting parameters.
    """
    body = source.body
    now = timezone.now()
    columns = ", ".join(f'"{name}"' for name in _COPY_COLUMNS)
    count = 0
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY claims_claim ({columns}) FROM STDIN") as copy:
            for position, (start, end) in enumerate(spans):
                text = body[start:end]
                copy.write_row(
                    (
                        source.pk,
                        text,
                        start,
                        end,
                        position,
                        source.language,
                        Claim.Status.PENDING.value,
                        claim_fingerprint(text),
                        None,
                        now,
                        now,
                    )
                )
                count += 1
    return count
