"""Writes on sources: importing files and documents."""

import hashlib
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from claims.services import claims_create_for_source
from sources.importers.split import split_statements
from sources.importers.text import UnreadableInput, decode_text, detect_language
from sources.models import ImportRun, Source

logger = logging.getLogger(__name__)


@dataclass
class ItemResult:
    """What happened to one item (file, feed entry, row) of an import run."""

    path: str
    status: str  # "imported" | "unchanged" | "failed"
    source: int | None = None
    claims_created: int = 0
    error: str | None = None


def source_import_bytes(
    *,
    raw: bytes,
    origin: str,
    run: ImportRun | None = None,
    title: str = "",
    url: str | None = None,
) -> tuple[Source, int]:
    """Store `raw` as a source with one pending claim per statement, unless the same bytes
    were imported before. Returns the source and the number of claims created (0: unchanged).

    Raises UnreadableInput when the bytes are not usable text. Writes in its own transaction,
    so a failure stores nothing; a concurrent import of the same bytes is answered as unchanged.
    """
    content_hash = hashlib.sha256(raw).hexdigest()
    existing = Source.objects.filter(content_hash=content_hash).first()
    if existing is not None:
        return existing, 0
    body = decode_text(raw)
    spans = split_statements(body)
    if not spans:
        raise UnreadableInput("no statements found in the text")
    source = Source(
        title=title or _title_from(body, spans),
        url=url,
        body=body,
        content_hash=content_hash,
        origin=origin,
        language=detect_language(body),
        import_run=run,
    )
    try:
        with transaction.atomic():
            source.save()
            created = claims_create_for_source(source=source, spans=spans)
    except IntegrityError:
        # Another worker stored the same bytes between our check and our insert.
        existing = Source.objects.filter(content_hash=content_hash).first()
        if existing is None:
            raise
        return existing, 0
    return source, created


def _title_from(body: str, spans: Sequence[tuple[int, int]]) -> str:
    start, end = spans[0]
    first = body[start:end]
    return first if len(first) <= 200 else first[:197] + "..."


def _walk(paths: Sequence[Path]) -> Iterator[Path]:
    """Files under `paths` in a stable order; hidden files and folders are skipped."""
    for path in paths:
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith("."):
                        yield Path(root) / name
        else:
            yield path


def _import_file(path: Path, run: ImportRun) -> ItemResult:
    name = str(path)
    try:
        size = path.stat().st_size
        if size > settings.IMPORT_MAX_BYTES:
            raise UnreadableInput(
                f"the file is {size:,} bytes, over IMPORT_MAX_BYTES ({settings.IMPORT_MAX_BYTES:,})"
            )
        raw = path.read_bytes()
        source, created = source_import_bytes(raw=raw, origin=name, run=run)
    except FileNotFoundError:
        return ItemResult(path=name, status="failed", error="no such file or directory")
    except IsADirectoryError:
        return ItemResult(path=name, status="failed", error="is a directory")
    except PermissionError:
        return ItemResult(path=name, status="failed", error="permission denied")
    except OSError as exc:
        return ItemResult(path=name, status="failed", error=f"cannot read: {exc.strerror or exc}")
    except UnreadableInput as exc:
        return ItemResult(path=name, status="failed", error=str(exc))
    if created == 0:
        return ItemResult(path=name, status="unchanged", source=source.pk)
    return ItemResult(path=name, status="imported", source=source.pk, claims_created=created)


def source_import_paths(
    *,
    paths: Sequence[Path],
    task_id: str = "",
    progress: Callable[[ItemResult], None] | None = None,
) -> ImportRun:
    """Import every file in `paths` (files, or folders walked recursively).

    Records one ImportRun for the call (committed first, so a running import is visible) with a
    result per file. Each file is stored in its own transaction: a broken file fails alone,
    with its reason, and every other file is still imported. Re-importing the same bytes
    creates nothing. `progress` is called after each file.
    """
    run = ImportRun.objects.create(
        kind=ImportRun.Kind.FILES, origin="\n".join(str(p) for p in paths), task_id=task_id
    )
    results: list[ItemResult] = []
    for path in _walk(paths):
        result = _import_file(path, run)
        if result.status == "failed":
            logger.warning("import failed: %s: %s", result.path, result.error)
        results.append(result)
        if progress is not None:
            progress(result)
    return import_run_finish(run=run, results=results)


def import_run_finish(*, run: ImportRun, results: Sequence[ItemResult]) -> ImportRun:
    """Record the per-item results and counts of `run` and mark it finished."""
    run.items = [asdict(r) for r in results]
    run.sources_created = sum(1 for r in results if r.status == "imported")
    run.claims_created = sum(r.claims_created for r in results)
    run.items_unchanged = sum(1 for r in results if r.status == "unchanged")
    run.items_failed = sum(1 for r in results if r.status == "failed")
    if run.items_failed == 0:
        run.status = ImportRun.Status.SUCCEEDED
    elif run.items_failed == len(results):
        run.status = ImportRun.Status.FAILED
    else:
        run.status = ImportRun.Status.PARTIAL
    run.finished_at = timezone.now()
    run.save()
    return run
