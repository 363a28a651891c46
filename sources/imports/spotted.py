"""Claims an editor picks from a pasted text (the admin's "Spot the claims" page, claims.spot).

The text becomes a source as a pasted article does (its bytes decoded as a document import
decodes them, one source per text: the same content hash), and the statements picked become
claims awaiting review through the importers' own writer (document_claims), so they are scored
and matched like any imported claim: an exact repeat of an existing claim is found as a
duplicate, a similar one suggested.
"""

import hashlib
from collections.abc import Sequence

from django.db import IntegrityError, transaction

from factcheck.errors import InvalidInput
from sources.imports.document_claims import Document, claims_create_for_sources
from sources.models import Source
from sources.parsers.clean import nul_free
from sources.parsers.split import split_statements
from sources.parsers.text import decode_text, detect_language

__all__ = ["PASTED_ORIGIN", "pasted_text_body", "source_add_statements"]

PASTED_ORIGIN = "pasted text"


def pasted_text_body(text: str) -> str:
    """`text` as a source's body: what a document import makes of its bytes (LF line endings,
    no NUL). Raises UnreadableInput when there is no text. The spot page spots this body, so
    the statements it lists are the ones source_add_statements counts."""
    return nul_free(decode_text(text.encode("utf-8")))


def source_add_statements(
    *, body: str, chosen: Sequence[int], title: str = ""
) -> tuple[Source, int]:
    """Add the statements `chosen` (0-based places among split_statements(body)) of a pasted
    text as pending claims; return its source and how many claims were created.

    `body` comes from pasted_text_body. The source is the one stored for the same text, if any
    (a statement already a claim of it is not added twice), else a new one titled `title` or
    by its first statement. Raises InvalidInput when no place is given or one the text does not
    have. Writes in one transaction; the claims are scored in it and matched after the commit,
    as on import."""
    spans = split_statements(body)
    if not chosen or any(not 0 <= place < len(spans) for place in chosen):
        raise InvalidInput("statements", "Choose one or more statements of the text.")
    content_hash = hashlib.sha256(body.encode("utf-8")).hexdigest()
    places = sorted(set(chosen))
    try:
        with transaction.atomic():
            return _add(body, spans, places, content_hash, title)
    except IntegrityError:
        # The same text was added by another request between our look-up and our insert.
        with transaction.atomic():
            return _add(body, spans, places, content_hash, title)


def _add(
    body: str, spans: list[tuple[int, int]], places: list[int], content_hash: str, title: str
) -> tuple[Source, int]:
    source = Source.objects.select_for_update().filter(content_hash=content_hash).first()
    if source is None:
        start, end = spans[places[0]]
        first = title.strip() or body[start:end]
        source = Source.objects.create(
            title=first if len(first) <= 200 else first[:197] + "...",
            body=body,
            content_hash=content_hash,
            origin=PASTED_ORIGIN,
            language=detect_language(body),
        )
        stored: set[int] = set()
    else:
        stored = set(source.claims.values_list("start", flat=True))
    new = [place for place in places if spans[place][0] not in stored]
    document = Document(source, [spans[place] for place in new], positions=new)
    return source, claims_create_for_sources(documents=[document])[0]
