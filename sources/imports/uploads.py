"""Uploads from the admin: a table of reviewed claims, a ClaimReview file, or a document (an
article uploaded or pasted), held as an Upload row from its preview to its import.

1. upload_stage refuses what is over IMPORT_MAX_BYTES (nothing is written), detects the
   format, guesses how to read it (delimiter, header, columns) and stores the bytes;
2. upload_preview (sources/imports/previews.py) reads it as its options say, writing
   nothing: the rows, how many would be new, unchanged or failed, the first ones as they will
   be stored, and what would be public;
3. upload_confirm records the options and the import run and queues upload_import_task (the
   `imports` queue) for after the commit; upload_cancel deletes a staged upload;
4. upload_import, in a worker, imports it into that run, then drops the bytes (the row stays
   as the record of who uploaded what, read how).

Staged uploads older than IMPORT_UPLOAD_EXPIRY_HOURS are deleted whenever another is staged.
"""

import csv
from dataclasses import asdict, dataclass, field, replace
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from claims.roles import AnyUser
from factcheck.db import import_lock
from factcheck.errors import StaleState
from sources.imports.claimreview import claimreview_import_into
from sources.imports.documents import source_import_bytes
from sources.imports.runs import (
    ItemResult,
    ItemStatus,
    RunTotals,
    import_run_fail,
    import_run_finish,
    import_run_guard,
)
from sources.imports.tables import table_import_into
from sources.models import ImportRun, Source, Upload
from sources.parsers.documents import DocumentText, DocumentType, document_text, document_type
from sources.parsers.table import (
    LIAR_COLUMNS,
    TableError,
    TableFormat,
    TableLayout,
    header_mapping,
    table_reader,
    table_text,
)
from sources.parsers.text import UnreadableInput, decode_text

# The fields of a table row, in the order the preview's column map asks for them.
TABLE_FIELDS = (
    "claim",
    "rating",
    "claimant",
    "date",
    "review_url",
    "id",
    "context",
    "publisher",
    "language",
)
DELIMITERS = {",": "comma", "\t": "tab", ";": "semicolon"}
LIAR_WIDTH = 14  # columns of a LIAR table (sources.parsers.table)


class UploadTooLarge(Exception):
    """The upload is over IMPORT_MAX_BYTES; nothing was stored."""

    def __init__(self, size: int | None) -> None:
        limit = settings.IMPORT_MAX_BYTES
        told = f"{size:,} bytes, " if size is not None else ""
        super().__init__(
            f"The file is too large ({told}over the limit of {limit:,} bytes, "
            "IMPORT_MAX_BYTES); nothing was imported."
        )


@dataclass(frozen=True)
class UploadOptions:
    """How to read an upload: what its preview's form edits and upload_confirm records."""

    format: str
    trusted: bool = False  # reviewed claims: publish at once, or await review
    # Tables: the layout, the delimiter, and the column (0-based) of each field read; a
    # field absent from `columns` is not read.
    layout: str = TableLayout.HEADER
    delimiter: str = ","
    columns: dict[str, int] = field(default_factory=dict)
    publisher: str = ""  # tables: the fact-checker of rows naming none; documents: the source's
    language: str = ""  # tables: of rows naming none
    # Documents.
    document_type: str = DocumentType.TEXT
    title: str = ""
    url: str = ""
    author: str = ""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "UploadOptions":
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def reviewed(self) -> bool:
        return self.format in (Upload.Format.TABLE, Upload.Format.CLAIMREVIEW)

    def table_format(self) -> TableFormat:
        """The TableFormat these options read a table with: exactly the mapped columns."""
        columns: dict[str, int | str | None] = {f: self.columns.get(f) for f in TABLE_FIELDS}
        return TableFormat(
            layout=TableLayout(self.layout),
            columns=columns,
            delimiter=self.delimiter,
            publisher=self.publisher,
            language=self.language,
        )


# --- Staging -------------------------------------------------------------------------------


def upload_detect(*, raw: bytes, name: str) -> UploadOptions:
    """The format of `raw` and a first guess at how to read it."""
    kind = document_type(raw, name=name)
    if kind in (DocumentType.PDF, DocumentType.DOCX, DocumentType.MARKDOWN):
        return UploadOptions(format=Upload.Format.DOCUMENT, document_type=kind)
    head = raw[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"[", b"{") or kind == DocumentType.HTML:
        if b"ClaimReview" in raw or kind != DocumentType.HTML:
            return UploadOptions(format=Upload.Format.CLAIMREVIEW)
        return UploadOptions(format=Upload.Format.DOCUMENT, document_type=kind)
    if name.lower().endswith((".csv", ".tsv", ".tab")) or _looks_tabular(raw):
        return _guess_table(raw, name)
    return UploadOptions(format=Upload.Format.DOCUMENT, document_type=DocumentType.TEXT)


def _delimiter(raw: bytes, name: str) -> str:
    if name.lower().endswith((".tsv", ".tab")):
        return "\t"
    first = raw[:4096].split(b"\n", 1)[0].decode("utf-8", errors="replace")
    return max(DELIMITERS, key=first.count)


def table_first_rows(raw: bytes, delimiter: str, count: int) -> list[list[str]]:
    """The first `count` rows holding a value (in the first 64 KB) of a table split at
    `delimiter`."""
    head = raw[: 64 * 1024]
    if len(raw) > len(head):  # whole lines only: a cut character would decode as another
        head = head.rsplit(b"\n", 1)[0]
    try:
        text = table_text(head, name="")
    except TableError:
        return []
    rows = []
    try:
        for row in table_reader(text, delimiter=delimiter):
            if any(cell.strip() for cell in row):
                rows.append(row)
            if len(rows) >= count:
                break
    except csv.Error:  # a row cut at 64 KB or a stray quote: what was read so far
        pass
    return rows


def _looks_tabular(raw: bytes) -> bool:
    """Several rows of the same number (two or more) of delimited cells."""
    rows = table_first_rows(raw, _delimiter(raw, ""), 5)
    return len(rows) >= 3 and len({len(row) for row in rows[:-1]}) == 1 and len(rows[0]) >= 2


def _guess_table(raw: bytes, name: str) -> UploadOptions:
    delimiter = _delimiter(raw, name)
    rows = table_first_rows(raw, delimiter, 1)
    header = [cell.strip().lower() for cell in rows[0]] if rows else []
    mapping = header_mapping(header)
    if "claim" in mapping:
        layout, columns = TableLayout.HEADER, mapping
    elif len(header) == LIAR_WIDTH and delimiter == "\t":
        layout, columns = TableLayout.LIAR, dict(LIAR_COLUMNS)
    else:
        layout, columns = TableLayout.PLAIN, {}
    return UploadOptions(
        format=Upload.Format.TABLE, layout=layout, delimiter=delimiter, columns=columns
    )


def uploads_expire() -> int:
    """Delete staged uploads older than IMPORT_UPLOAD_EXPIRY_HOURS; return how many."""
    cutoff = timezone.now() - timedelta(hours=settings.IMPORT_UPLOAD_EXPIRY_HOURS)
    deleted, _ = Upload.objects.filter(status=Upload.Status.STAGED, created_at__lt=cutoff).delete()
    return deleted


def upload_stage(
    *, name: str, raw: bytes, actor: AnyUser, options: dict[str, Any] | None = None
) -> Upload:
    """Hold `raw` for its preview, with the options detected (`options` overrides some, e.g. an
    article's title). Raises UploadTooLarge, writing nothing, when it is over
    IMPORT_MAX_BYTES, and UnreadableInput when it is empty."""
    if len(raw) > settings.IMPORT_MAX_BYTES:
        raise UploadTooLarge(len(raw))
    if not raw.strip():
        raise UnreadableInput("The file is empty.")
    uploads_expire()
    detected = upload_detect(raw=raw, name=name)
    if options:
        detected = replace(detected, **options)
    return Upload.objects.create(
        name=name[:300],
        format=detected.format,
        data=raw,
        size=len(raw),
        options=detected.as_json(),
        created_by=actor if actor.is_authenticated else None,
    )


@transaction.atomic
def upload_cancel(*, upload: Upload) -> bool:
    """Delete a staged upload; nothing of it was imported. False if it was confirmed meanwhile
    (then it stays: its import is under way)."""
    deleted, _ = Upload.objects.filter(pk=upload.pk, status=Upload.Status.STAGED).delete()
    return bool(deleted)


def document_body(raw: bytes, options: UploadOptions) -> tuple[DocumentText, str]:
    """The document's text and title, and the body it will be stored with (its text's bytes
    decoded again, as source_import_bytes does). Raises UnreadableInput."""
    document = document_text(raw, kind=DocumentType(options.document_type))
    return document, decode_text(document.text.encode())


# --- Confirm, import ------------------------------------------------------------------------

_RUN_KINDS = {
    Upload.Format.TABLE: ImportRun.Kind.TABLE,
    Upload.Format.CLAIMREVIEW: ImportRun.Kind.CLAIMREVIEW,
    Upload.Format.DOCUMENT: ImportRun.Kind.ARTICLE,
}


@transaction.atomic
def upload_confirm(*, upload: Upload, options: UploadOptions) -> ImportRun:
    """Import a staged upload as `options` say: record them and the import run (committed
    before the import starts, so the run's page can be shown at once), and queue
    upload_import_task for after the commit. Raises StaleState when the upload was confirmed
    or cancelled meanwhile."""
    from sources.tasks import upload_import_task  # the tasks import every importer

    now = timezone.now()
    moved = Upload.objects.filter(pk=upload.pk, status=Upload.Status.STAGED).update(
        status=Upload.Status.CONFIRMED,
        format=options.format,
        options=options.as_json(),
        confirmed_at=now,
    )
    if moved != 1:
        raise StaleState(f"{upload.name} was imported or cancelled meanwhile.")
    run = ImportRun.objects.create(
        kind=_RUN_KINDS[Upload.Format(options.format)],
        origin=upload.name,
        trusted=options.reviewed and options.trusted,
    )
    Upload.objects.filter(pk=upload.pk).update(run=run)
    transaction.on_commit(lambda: upload_import_task.delay(upload.pk))
    return run


def upload_import(*, upload_id: int, task_id: str = "") -> ImportRun | None:
    """Import the confirmed upload `upload_id` into its run and finish the run; then drop its
    bytes. Returns the run, or None if there is nothing to import (cancelled, or imported
    already: a redelivered task). Raises ImportBusy while another task imports it."""
    with import_lock(f"upload:{upload_id}"):
        upload = Upload.objects.select_related("run").filter(pk=upload_id).first()
        if upload is None or upload.run is None or upload.status != Upload.Status.CONFIRMED:
            return None
        run, name, raw = upload.run, upload.name, bytes(upload.data)
        options = UploadOptions.from_json(upload.options)
        ImportRun.objects.filter(pk=run.pk).update(task_id=task_id)
        if options.format == Upload.Format.TABLE:
            table = options.table_format()
            run = table_import_into(
                run=run, raw=raw, name=name, table_format=table, task_id=task_id
            )
        elif options.format == Upload.Format.CLAIMREVIEW:
            run = claimreview_import_into(run=run, raw=raw, origin=name, task_id=task_id)
        else:
            with import_run_guard(run=run, origin=name):
                run = _import_document(run, name, raw, options)
        Upload.objects.filter(pk=upload.pk).update(status=Upload.Status.IMPORTED, data=b"")
        return run


def _import_document(run: ImportRun, name: str, raw: bytes, options: UploadOptions) -> ImportRun:
    try:
        document, _body = document_body(raw, options)
        title = options.title or document.title
        source, created = source_import_bytes(
            raw=document.text.encode(),
            origin=name,
            run=run,
            title=title[:500],
            url=options.url or None,
        )
    except UnreadableInput as exc:
        return import_run_fail(run=run, origin=name, error=str(exc))
    except IntegrityError:  # the URL is another source's (checked on confirm; taken since)
        error = f"another source has the URL {options.url}"
        return import_run_fail(run=run, origin=name, error=error)
    if created:
        Source.objects.filter(pk=source.pk).update(
            publisher=options.publisher[:300], author=options.author[:300]
        )
    status = ItemStatus.IMPORTED if created else ItemStatus.UNCHANGED
    result = ItemResult(path=name, status=status, source=source.pk, claims_created=created)
    return import_run_finish(run=run, totals=RunTotals.of([result]), items=[result])
