"""Files uploaded in the admin (tables, ClaimReview documents), imported by a worker."""

import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import models

from sources.parsers.table import TableLayout
from sources.tasks import claimreview_import_file_task, table_import_task


class UploadKind(models.TextChoices):
    TABLE = "table", "Table with a header row (CSV/TSV)"
    LIAR = "liar", "LIAR table (TSV, no header, 14 columns)"
    CLAIMREVIEW = "claimreview", "ClaimReview (DataFeed, JSON array or HTML with JSON-LD)"


def source_import_upload(*, upload: UploadedFile, kind: UploadKind, publisher: str = "") -> Path:
    """Save `upload` under VAR_DIR/uploads, where the workers read it, and queue its import;
    the outcome appears under Import runs. `publisher`: a table's fact-checker of every row.
    Returns the saved file."""
    folder = settings.VAR_DIR / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{uuid.uuid4().hex}-{Path(upload.name or 'upload').name}"
    with target.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    if kind == UploadKind.CLAIMREVIEW:
        claimreview_import_file_task.delay(str(target))
    else:
        layout = TableLayout.LIAR if kind == UploadKind.LIAR else TableLayout.HEADER
        table_import_task.delay(str(target), layout=str(layout), publisher=publisher)
    return target
