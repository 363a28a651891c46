"""Exports of public verdicts as CSV files: asked for by a caller (export_request), written by a
worker (export_write, through exports.tasks), read by their owner only, and forgotten with their
files when they expire (exports_expire, on beat's schedule).

A worker lost mid-export leaves its export `running`; the task is delivered again (acks_late)
and the next attempt writes the file from scratch under the same name. An export that never
finishes ends `failed` with a readable error: after EXPORT_MAX_ATTEMPTS starts, after the task's
soft time limit, or when the sweep finds it running for longer than any task may.
"""

import io
import logging
import tempfile
import uuid
from datetime import timedelta
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from claims.api.verdicts import VerdictFilter
from claims.exports import verdict_csv_lines
from claims.models import ApiKey, Verdict
from claims.roles import AnyUser
from claims.selectors import verdict_public_iter, verdict_public_queryset
from exports.models import Export
from factcheck.api.pagination import settled
from factcheck.db import ImportBusy, import_lock, xact_lock
from factcheck.errors import TooManyRequests

logger = logging.getLogger(__name__)

# Starts of one export before it is given up (its worker was lost each time: killed, or out
# of memory).
EXPORT_MAX_ATTEMPTS = 3
# Verdicts per query while writing (verdict_public_iter).
EXPORT_BATCH = 2000
PENDING = (Export.Status.QUEUED, Export.Status.RUNNING)


class TooManyExports(TooManyRequests):
    """The caller has EXPORTS_MAX_PENDING exports queued or running already."""

    code = "too_many_exports"


def export_owner(*, user: AnyUser, api_key: ApiKey | None, client_address: str) -> str:
    """Who an export belongs to, and so who may read it: a signed-in user, else an API key's
    holder, else an anonymous caller by address (factcheck.clientaddr)."""
    if user.is_authenticated:
        return f"user:{user.pk}"
    if api_key is not None:
        return f"api_key:{api_key.pk}"
    return f"address:{client_address}"


def verdict_filter_errors(params: dict[str, str]) -> dict[str, list[str]]:
    """What is wrong with `params` as the verdict list's filters (empty when nothing is)."""
    filterset = VerdictFilter(data=params, queryset=verdict_public_queryset())
    if filterset.is_valid():
        return {}
    return {name: [str(e) for e in errors] for name, errors in filterset.errors.items()}


def export_verdicts(*, params: dict[str, str]) -> QuerySet[Verdict]:
    """The public verdicts the list's filters `params` select, in sync order, as the list and
    its `?format=csv` select them (changes older than API_SYNC_LAG_SECONDS)."""
    filterset = VerdictFilter(data=params, queryset=settled(verdict_public_queryset()))
    if not filterset.is_valid():
        raise ValueError(f"export filters no longer valid: {dict(filterset.errors)}")
    return filterset.qs


def _expiry() -> Any:
    return timezone.now() + timedelta(hours=settings.EXPORTS_EXPIRY_HOURS)


@transaction.atomic
def export_request(
    *,
    params: dict[str, str],
    user: AnyUser,
    api_key: ApiKey | None,
    client_address: str,
) -> tuple[Export, bool]:
    """Queue an export of the public verdicts the verdict list's filters `params` select (valid:
    verdict_filter_errors found nothing); return it and whether it is new. The same caller
    asking again for the same filters while the first is queued or running gets that one.

    Raises TooManyExports, writing nothing, when the caller has EXPORTS_MAX_PENDING others
    queued or running. Side effect: export_write_task is queued once this commits.
    """
    owner = export_owner(user=user, api_key=api_key, client_address=client_address)
    xact_lock(f"export-request:{owner}")  # concurrent requests of one caller count in turn
    pending = Export.objects.filter(owner=owner, status__in=PENDING)
    same = pending.filter(params=params).first()
    if same is not None:
        return same, False
    if pending.count() >= settings.EXPORTS_MAX_PENDING:
        raise TooManyExports(
            f"You have {settings.EXPORTS_MAX_PENDING} exports queued or running: download "
            "or wait for one of them before asking for another.",
            retry_after=30,
        )
    export = Export.objects.create(
        owner=owner,
        requested_by=user if user.is_authenticated else None,
        api_key=api_key,
        client_address=client_address,
        params=params,
        expires_at=_expiry(),
    )
    from exports.tasks import export_write_task

    export_write_task.delay_on_commit(str(export.pk))
    return export, True


def export_for_owner(*, pk: uuid.UUID, owner: str) -> Export | None:
    """The export `pk` if it belongs to `owner` and has not expired; None otherwise (an export
    of someone else's is not told apart from one that does not exist)."""
    return Export.objects.filter(pk=pk, owner=owner, expires_at__gt=timezone.now()).first()


@transaction.atomic
def _export_start(*, pk: uuid.UUID) -> Export | None:
    """Mark the export running for one more attempt; None when there is nothing to do (gone,
    finished, failed) or it has been started EXPORT_MAX_ATTEMPTS times already (then failed)."""
    export = Export.objects.select_for_update().filter(pk=pk).first()
    if export is None or not export.is_pending():
        return None
    if export.attempts >= EXPORT_MAX_ATTEMPTS:
        _exports_fail(
            Export.objects.filter(pk=pk),
            error=f"The export was started {export.attempts} times and its worker stopped "
            "each time before it finished. Ask for it again, with filters that select fewer "
            "verdicts.",
        )
        return None
    export.status = Export.Status.RUNNING
    export.attempts += 1
    export.started_at = timezone.now()
    export.save(update_fields=["status", "attempts", "started_at"])
    return export


def _exports_fail(exports: QuerySet[Export], *, error: str) -> int:
    """Record that `exports` failed, those still queued or running; return how many."""
    return exports.filter(status__in=PENDING).update(
        status=Export.Status.FAILED, error=error, finished_at=timezone.now(), expires_at=_expiry()
    )


def export_file_name(export: Export) -> str:
    """Where its file is kept in the default storage: the same name on every attempt."""
    return f"exports/{export.pk}.csv"


def _write_csv(*, export: Export, out: io.TextIOBase) -> int:
    """Write the export's CSV to `out`; return its rows. One snapshot of the database for the
    whole file (REPEATABLE READ): a verdict changed meanwhile is written once, as it was."""
    rows = -1  # the header is not a row
    nested = connection.in_atomic_block  # a caller's transaction (a test's) has its snapshot
    with transaction.atomic():
        if not nested:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        verdicts = verdict_public_iter(
            queryset=export_verdicts(params=export.params), batch=EXPORT_BATCH
        )
        for line in verdict_csv_lines(verdicts=verdicts):
            out.write(line)
            rows += 1
    return rows


def export_write(*, pk: uuid.UUID) -> Export | None:
    """Write the export's file (in a worker): its verdicts as CSV into a temporary file, then
    into the default storage, replacing whatever an earlier attempt left; then record it done.
    Returns None when there was nothing to do: gone, finished, failed, or being written by
    another worker right now.

    Any error fails the export with a readable message (and is raised again for the worker's
    log), as does the task's soft time limit; nothing is retried but a lost worker's task.
    """
    try:
        with import_lock(f"export:{pk}"):
            export = _export_start(pk=pk)
            if export is None:
                return None
            try:
                return _export_write_file(export=export)
            except SoftTimeLimitExceeded:
                _exports_fail(
                    Export.objects.filter(pk=pk),
                    error=f"The export took longer than {settings.CELERY_TASK_SOFT_TIME_LIMIT} "
                    "seconds, the longest a task may run. Ask for it again, with filters that "
                    "select fewer verdicts.",
                )
                return None
            except OSError as exc:
                written = f"The file could not be written: {exc.strerror}."
                _exports_fail(Export.objects.filter(pk=pk), error=written)
                raise
            except Exception as exc:
                _exports_fail(
                    Export.objects.filter(pk=pk),
                    error=f"The export failed on the server ({type(exc).__name__}). Ask for it "
                    "again; if it fails again, tell the service's operators.",
                )
                raise
    except ImportBusy:
        return None  # another worker is writing it


def _export_write_file(*, export: Export) -> Export | None:
    name = export_file_name(export)
    with tempfile.TemporaryFile() as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        rows = _write_csv(export=export, out=text)
        text.flush()
        text.detach()
        size = raw.tell()
        raw.seek(0)
        default_storage.delete(name)  # an earlier attempt's file, whole or not
        saved = default_storage.save(name, File(raw, name=name))
    now = timezone.now()
    finished = Export.objects.filter(
        pk=export.pk, status=Export.Status.RUNNING, attempts=export.attempts
    ).update(
        status=Export.Status.DONE,
        file=saved,
        rows=rows,
        size=size,
        finished_at=now,
        expires_at=_expiry(),
        error="",
    )
    if finished != 1:  # failed by the sweep meanwhile: the file is nobody's
        default_storage.delete(saved)
        return None
    logger.info("export %s: %d rows, %d bytes", export.pk, rows, size)
    export.refresh_from_db()
    return export


def exports_expire() -> int:
    """Fail exports running for longer than any task may (their worker was lost and their task
    not delivered again), then delete expired exports and their files; return how many were
    deleted. Run by beat every EXPORTS_SWEEP_SECONDS."""
    now = timezone.now()
    stuck = now - timedelta(
        seconds=settings.CELERY_TASK_TIME_LIMIT + settings.CELERY_BROKER_VISIBILITY_TIMEOUT
    )
    _exports_fail(
        Export.objects.filter(status=Export.Status.RUNNING, started_at__lt=stuck),
        error="The export's worker stopped before it finished. Ask for it again.",
    )
    deleted = 0
    for export in Export.objects.filter(expires_at__lte=now).only("pk", "file"):
        if export.file.name:
            default_storage.delete(export.file.name)
        deleted += Export.objects.filter(pk=export.pk, expires_at__lte=now).delete()[0]
    return deleted
