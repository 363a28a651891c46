"""Writes on claims that are not status changes (those live in claims/workflow.py)."""

import hashlib
import re
import unicodedata
from collections.abc import Iterable

from claims.models import Claim
from sources.models import Source

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def claim_fingerprint(text: str) -> str:
    """SHA-256 of the text with case, accents' compatibility forms, punctuation, quotes and
    whitespace normalised away: two statements that differ only in those share a fingerprint."""
    normal = unicodedata.normalize("NFKC", text).casefold()
    normal = _NOT_WORD.sub(" ", normal).strip()
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()


def claims_create_for_source(*, source: Source, spans: Iterable[tuple[int, int]]) -> list[Claim]:
    """Create one pending claim per span of `source.body`, in one bulk INSERT.

    Precondition: the caller holds a transaction and `source` is saved. Spans are [start, end)
    offsets into `source.body`, in order; each claim's text is exactly `body[start:end]`.
    """
    body = source.body
    claims = [
        Claim(
            source=source,
            text=body[start:end],
            start=start,
            end=end,
            position=position,
            language=source.language,
            fingerprint=claim_fingerprint(body[start:end]),
        )
        for position, (start, end) in enumerate(spans)
    ]
    return Claim.objects.bulk_create(claims, batch_size=2000)
