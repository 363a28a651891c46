"""Importing documents (files, folders, bytes): one Source each, one pending claim per statement.

The same bytes are never stored twice (the Source's unique content hash), so a re-run, a
redelivered task or a run after a killed worker creates nothing twice.
"""

import hashlib
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import psycopg
from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction

from claims.services import ClaimFeatures, claim_features
from factcheck.db import bulk_write_settings
from sources.imports.document_claims import (
    Document,
    claims_create_for_source,
    claims_create_for_sources,
)
from sources.imports.pipeline import pipelined
from sources.imports.refused import Refusal, refused_before, refused_remember, refused_result
from sources.imports.runs import (
    ItemResult,
    ItemStatus,
    RunTotals,
    failure_reason,
    import_run_finish,
    import_run_guard,
)
from sources.models import ImportRun, Source
from sources.parsers.clean import nul_free
from sources.parsers.split import split_statements
from sources.parsers.text import UnreadableInput, decode_text, detect_language
from sources.parsers.titles import document_title

logger = logging.getLogger(__name__)


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
    source, spans = _source_from(raw, content_hash=content_hash, origin=origin, run=run)
    source.title, source.url = title or source.title, url
    try:
        with transaction.atomic():
            bulk_write_settings()
            source.save()
            created = claims_create_for_source(source=source, spans=spans)
    except IntegrityError:
        # Another worker stored the same bytes between our check and our insert.
        existing = Source.objects.filter(content_hash=content_hash).first()
        if existing is None:
            raise
        return existing, 0
    return source, created


def _source_from(
    raw: bytes, *, content_hash: str, origin: str, run: ImportRun | None
) -> tuple[Source, list[tuple[int, int]]]:
    """The unsaved source of `raw` (decoded, its language detected, titled by its first line or
    statement: sources.parsers.titles) and its statements' spans. Raises UnreadableInput when
    it is no usable text."""
    body = nul_free(decode_text(raw))
    spans = split_statements(body)
    if not spans:
        raise UnreadableInput("no statements found in the text")
    source = Source(
        title=document_title(body, spans[0]),
        body=body,
        content_hash=content_hash,
        origin=origin,
        language=detect_language(body),
        import_run=run,
    )
    return source, spans


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


def folder_batches(*, paths: Sequence[Path], size: int) -> list[list[str]]:
    """The files under `paths` in batches of `size`, for per-batch tasks several workers share."""
    files = [str(p) for p in _walk(list(paths))]
    return [files[i : i + size] for i in range(0, len(files), size)]


# Documents are written several to a transaction: per batch one existence check, one INSERT of
# the sources, one COPY of all their claims and one commit, rather than those round trips and
# a commit for each small file. A batch closes at this many files or bytes.
DOCUMENT_BATCH_FILES = 50
DOCUMENT_BATCH_BYTES = 256 * 1024


def _read_file(path: Path) -> bytes | ItemResult:
    """The bytes of `path`, or its failed result naming the reason."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size > settings.IMPORT_MAX_BYTES:
            return ItemResult.failed(
                name,
                f"the file is {size:,} bytes, over IMPORT_MAX_BYTES "
                f"({settings.IMPORT_MAX_BYTES:,})",
            )
        return path.read_bytes()
    except FileNotFoundError:
        return ItemResult.failed(name, "no such file or directory")
    except IsADirectoryError:
        return ItemResult.failed(name, "is a directory")
    except PermissionError:
        return ItemResult.failed(name, "permission denied")
    except OSError as exc:
        return ItemResult.failed(name, f"cannot read: {exc.strerror or exc}")


def _import_one(name: str, raw: bytes, run: ImportRun) -> ItemResult:
    """Import one file in a transaction of its own: what the database refuses fails this file
    alone, with the reason (a lost connection is raised: every file would fail)."""
    try:
        source, created = source_import_bytes(raw=raw, origin=name, run=run)
    except UnreadableInput as exc:
        return ItemResult.failed(name, str(exc))
    except (DatabaseError, psycopg.Error) as exc:
        if not connection.is_usable():
            raise
        logger.warning("the database refused %s", name, exc_info=True)
        return ItemResult.failed(name, f"the database refused it: {failure_reason(exc)}")
    if created == 0:
        return ItemResult(path=name, status=ItemStatus.UNCHANGED, source=source.pk)
    return ItemResult(
        path=name, status=ItemStatus.IMPORTED, source=source.pk, claims_created=created
    )


class FileRead(NamedTuple):
    """A file read for import."""

    result_index: int  # of its result among the run's (a NamedTuple's `index` is a method)
    path: str
    raw: bytes


class NewDocument(NamedTuple):
    """A file of a batch to store: its position in the batch, its unsaved source and the
    spans of its statements."""

    position: int
    source: Source
    spans: list[tuple[int, int]]


@dataclass
class _Batch:
    """Files written in one transaction, from the existence check to their results."""

    files: list[FileRead]
    hashes: list[str]
    results: list[ItemResult | None]
    new: list[NewDocument] = field(default_factory=list)
    features: list[ClaimFeatures] = field(default_factory=list)  # per statement, in order
    first_of: dict[str, int] = field(default_factory=dict)  # the same bytes twice: stored once


def _batch_check(files: list[FileRead], *, skip_refused: bool = False) -> _Batch:
    """Answer the files whose bytes are stored already as unchanged (one query); with
    `skip_refused`, also those whose bytes were refused before (one more query)."""
    hashes = [hashlib.sha256(file.raw).hexdigest() for file in files]
    stored = dict(
        Source.objects.filter(content_hash__in=set(hashes)).values_list("content_hash", "pk")
    )
    refused = refused_before(h for h in hashes if h not in stored) if skip_refused else {}
    results: list[ItemResult | None] = []
    for file, content_hash in zip(files, hashes, strict=True):
        if content_hash in stored:
            result = ItemResult(file.path, ItemStatus.UNCHANGED, source=stored[content_hash])
            results.append(result)
        elif content_hash in refused:
            results.append(refused_result(path=file.path, refused=refused[content_hash]))
        else:
            results.append(None)
    return _Batch(files=files, hashes=hashes, results=results)


def _batch_prepare(batch: _Batch, run: ImportRun) -> _Batch:
    """Decode, split and score the batch's new files. Pure Python, no database access: it
    runs in a thread while the previous batch is written. A broken file fails here."""
    texts: list[str] = []
    for position, (file, content_hash) in enumerate(zip(batch.files, batch.hashes, strict=True)):
        if batch.results[position] is not None or content_hash in batch.first_of:
            continue
        try:
            source, spans = _source_from(
                file.raw, content_hash=content_hash, origin=file.path, run=run
            )
        except UnreadableInput as exc:
            batch.results[position] = ItemResult.failed(file.path, str(exc))
            continue
        except Exception as exc:  # one file's surprise must not cost the others
            logger.exception("cannot read %s", file.path)
            batch.results[position] = ItemResult.failed(
                file.path, f"cannot be read: {failure_reason(exc)}"
            )
            continue
        batch.first_of[content_hash] = position
        batch.new.append(NewDocument(position, source, spans))
        texts.extend(source.body[start:end] for start, end in spans)
    batch.features = claim_features(texts)
    return batch


def _batch_write(batch: _Batch, run: ImportRun) -> list[ItemResult]:
    """Store the batch's new files in one transaction; return one result per file, in order.
    If that write fails, each file is written in a transaction of its own instead, so a file
    the database refuses (or that another worker stored meanwhile) fails or is unchanged
    alone and every other file is still imported."""
    results = batch.results
    if batch.new:
        try:
            with transaction.atomic():
                bulk_write_settings()
                Source.objects.bulk_create([new.source for new in batch.new])
                counts = claims_create_for_sources(
                    documents=[Document(new.source, new.spans) for new in batch.new],
                    features=batch.features,
                )
        except (DatabaseError, psycopg.Error):
            # One file spoilt the batch (or another worker stored one of them meanwhile):
            # write them one by one, each in its own transaction, as a single file is.
            for new in batch.new:
                file = batch.files[new.position]
                results[new.position] = _import_one(file.path, file.raw, run)
        else:
            for new, count in zip(batch.new, counts, strict=True):
                results[new.position] = ItemResult(
                    path=new.source.origin,
                    status=ItemStatus.IMPORTED,
                    source=new.source.pk,
                    claims_created=count,
                )
    for position, (file, content_hash) in enumerate(zip(batch.files, batch.hashes, strict=True)):
        if results[position] is None:  # a second copy of bytes stored earlier in this batch
            first = results[batch.first_of[content_hash]]
            assert first is not None
            failed = first.status == ItemStatus.FAILED
            results[position] = ItemResult(
                path=file.path,
                status=ItemStatus.FAILED if failed else ItemStatus.UNCHANGED,
                source=first.source,
                error=first.error,
            )
    return [r for r in results if r is not None]


def source_import_paths(
    *,
    paths: Sequence[Path],
    task_id: str = "",
    progress: Callable[[ItemResult], None] | None = None,
    skip_refused: bool = False,
) -> ImportRun:
    """Import every file in `paths` (files, or folders walked recursively).

    Bytes refused once (a failed file that could be read) are remembered (imports.refused);
    with `skip_refused` (the watched folder's scheduled runs) they are answered `unchanged`,
    naming the first refusal, instead of failing again.

    Records one ImportRun for the call (committed first, so a running import is visible) with a
    result per file, in walk order. Files are written in batches (DOCUMENT_BATCH_FILES files or
    DOCUMENT_BATCH_BYTES bytes per transaction); a broken file fails alone, with its reason,
    and every other file is still imported (see _batch_write). Re-importing the same bytes
    creates nothing. `progress` is called once per file, as its batch is written.

    While one batch is written, the next is decoded, split and scored in a second thread
    (pipelined).
    """
    run = ImportRun.objects.create(
        kind=ImportRun.Kind.FILES, origin="\n".join(str(p) for p in paths), task_id=task_id
    )
    results: list[ItemResult | None] = []

    def done(index: int, result: ItemResult) -> None:
        results[index] = result
        if result.status == ItemStatus.FAILED:
            logger.warning("import failed: %s: %s", result.path, result.error)
        if progress is not None:
            progress(result)

    def write(batch: _Batch) -> None:
        refusals = []
        for file, content_hash, result in zip(
            batch.files, batch.hashes, _batch_write(batch, run), strict=True
        ):
            if result.status == ItemStatus.FAILED:
                refusals.append(Refusal(content_hash, file.path, result.error or ""))
            done(file.result_index, result)
        refused_remember(refusals=refusals, run=run)

    def batches() -> Iterator[list[FileRead]]:
        batch: list[FileRead] = []
        size = 0
        for path in _walk(paths):
            results.append(None)
            read = _read_file(path)
            if isinstance(read, ItemResult):
                done(len(results) - 1, read)
                continue
            batch.append(FileRead(len(results) - 1, str(path), read))
            size += len(read)
            if len(batch) >= DOCUMENT_BATCH_FILES or size >= DOCUMENT_BATCH_BYTES:
                yield batch
                batch, size = [], 0
        if batch:
            yield batch

    with import_run_guard(run=run, origin=run.origin):
        pipelined(
            (_batch_check(files, skip_refused=skip_refused) for files in batches()),
            prepare=lambda batch: _batch_prepare(batch, run),
            write=write,
        )
        final = [r for r in results if r is not None]
        return import_run_finish(run=run, totals=RunTotals.of(final), items=final)
