"""The preview of an upload (sources/imports/uploads.py): what importing it as its options say
would do, read without writing anything: for reviewed claims the rows read, how many would be
new, unchanged (stored before, or repeated; among them the duplicates, stored in another form)
or failed, the first ones as they will be stored and how many verdicts would be public at once;
for a document its statements."""

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from claims.models import Rating
from sources.imports.imported import imported_stored_keys, imported_stored_reviews
from sources.imports.ratings import RatingMapper
from sources.imports.uploads import UploadOptions, document_body, table_first_rows
from sources.models import Source, Upload
from sources.parsers.claimreview import ClaimReviewError, parse_claimreview
from sources.parsers.reviewed import ImportedClaim, ParsedItem
from sources.parsers.split import split_statements
from sources.parsers.table import TableError, parse_table
from sources.parsers.text import UnreadableInput, detect_language

PREVIEW_ROWS = 10  # rows (or statements) shown as they will be stored
PREVIEW_ERRORS = 10  # failed rows named
_STORED_LOOKUP = 5000  # keys looked up per query when counting what is stored already


@dataclass(frozen=True)
class PreviewRow:
    """One reviewed claim as it will be stored."""

    label: str
    text: str
    claimant: str
    claim_date: date | None
    original_rating: str
    rating: str  # our rating it maps onto, "" when none
    publisher: str
    review_url: str
    origin: str


@dataclass
class Preview:
    """What importing an upload as its options say would do. Nothing is written to build it."""

    columns: list[tuple[int, str]] = field(default_factory=list)  # tables: index, first row
    rows: list[PreviewRow] = field(default_factory=list)
    total: int = 0  # rows or items read
    failed: int = 0
    errors: list[str] = field(default_factory=list)  # the first PREVIEW_ERRORS
    stored: int = 0  # stored before, or repeated in the file: unchanged
    duplicates: int = 0  # of those, items stored in another form (sources.imports.outcomes)
    new: int = 0  # claims that would be created
    public: int = 0  # verdicts that would be public at once
    error: str = ""  # the file cannot be read this way at all
    # Documents
    title: str = ""
    language: str = ""
    statements: list[str] = field(default_factory=list)  # the first PREVIEW_ROWS
    existing: int | None = None  # the source these bytes were stored as before


def upload_preview(*, upload: Upload, options: UploadOptions) -> Preview:
    """Read `upload` as `options` say and tell what importing it would do."""
    raw = bytes(upload.data)
    if options.format == Upload.Format.DOCUMENT:
        return _document_preview(raw, options)
    preview = Preview()
    try:
        if options.format == Upload.Format.TABLE:
            preview.columns = upload_columns(upload=upload, delimiter=options.delimiter)
            parsed: Iterable[ParsedItem] = parse_table(
                raw, name=upload.name, table_format=options.table_format()
            )
        else:
            parsed = parse_claimreview(raw, origin=upload.name)
        _count(preview, parsed, options)
    except (TableError, ClaimReviewError) as exc:
        preview.error = str(exc)
    return preview


def upload_columns(*, upload: Upload, delimiter: str) -> list[tuple[int, str]]:
    """The columns of an uploaded table split at `delimiter`: each one's index and what its
    first row holds (a header's name, or a first value)."""
    rows = table_first_rows(bytes(upload.data), delimiter, 1)
    first = rows[0] if rows else []
    return [(index, cell.strip()[:60]) for index, cell in enumerate(first)]


def _count(preview: Preview, parsed: Iterable[ParsedItem], options: UploadOptions) -> None:
    mapper = RatingMapper()
    labels = dict(Rating.objects.values_list("pk", "label"))
    seen: dict[str, str | None] = {}  # key → its claim text as imported (None: a duplicate)
    for batch in _batches(parsed, _STORED_LOOKUP):
        claims = []
        for item in batch:
            preview.total += 1
            if item.claim is None:
                preview.failed += 1
                if len(preview.errors) < PREVIEW_ERRORS:
                    preview.errors.append(f"{item.label}: {item.error}")
                continue
            claims.append(item.claim)
            if len(preview.rows) < PREVIEW_ROWS:
                preview.rows.append(_row(item.label, item.claim, mapper, labels))
        stored = imported_stored_keys(claims) if claims else {}
        reviews = imported_stored_reviews([c for c in claims if c.key not in stored])
        for claim in claims:
            # As sources.imports.outcomes answers them: unchanged, or a duplicate (counted
            # among the unchanged) when stored in another form.
            review = (claim.publisher_site[:300], claim.review_url)
            if claim.key in stored or claim.key in seen:
                text = stored[claim.key] if claim.key in stored else seen[claim.key]
                preview.stored += 1
                preview.duplicates += text != claim.text
            elif claim.review_url and review in reviews:
                seen[claim.key] = None  # its review's claim is under another key
                preview.stored += 1
                preview.duplicates += 1
            else:
                seen[claim.key] = claim.text
                if claim.review_url:
                    reviews.add(review)
                preview.new += 1
    preview.public = preview.new if options.trusted else 0


def _batches(items: Iterable[ParsedItem], size: int) -> Iterator[list[ParsedItem]]:
    batch: list[ParsedItem] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _row(label: str, claim: ImportedClaim, mapper: RatingMapper, labels: dict) -> PreviewRow:
    rating = mapper.rating_id(claim.original_rating, claim.rating_numeric)
    return PreviewRow(
        label=label,
        text=claim.text,
        claimant=claim.claimant,
        claim_date=claim.claim_date,
        original_rating=claim.original_rating,
        rating=labels.get(rating, "") if rating is not None else "",
        publisher=claim.publisher_name,
        review_url=claim.review_url,
        origin=claim.origin,
    )


def _document_preview(raw: bytes, options: UploadOptions) -> Preview:
    preview = Preview()
    try:
        document, body = document_body(raw, options)
    except UnreadableInput as exc:
        preview.error = str(exc)
        return preview
    spans = split_statements(body)
    statements = [body[start:end] for start, end in spans]
    content_hash = hashlib.sha256(document.text.encode()).hexdigest()
    preview.existing = (
        Source.objects.filter(content_hash=content_hash).values_list("pk", flat=True).first()
    )
    preview.total = len(statements)
    preview.new = 0 if preview.existing else len(statements)
    preview.stored = len(statements) if preview.existing else 0
    preview.statements = statements[:PREVIEW_ROWS]
    preview.language = detect_language(body)
    # Untitled: the importer titles it by its first statement (sources.imports.documents).
    preview.title = options.title or document.title or (statements[0] if statements else "")
    if not statements:
        preview.error = "No statements found in the text."
    return preview
