"""Export tasks, on the `default` queue (settings.CELERY_TASK_ROUTES names them nowhere)."""

import uuid

from celery import shared_task

from exports.services import export_write, exports_expire

# Seconds between beat's sweeps for expired exports (sources/schedules.py installs it).
EXPORTS_SWEEP_SECONDS = 600


@shared_task(acks_late=True)
def export_write_task(export_id: str) -> int | None:
    """Write the export's file; returns its rows (None: nothing to do). Redelivered after a
    lost worker, it writes the file again from scratch (export_write)."""
    export = export_write(pk=uuid.UUID(export_id))
    return None if export is None else export.rows


@shared_task(acks_late=True)
def exports_expire_task() -> int:
    """Delete expired exports and their files; returns how many."""
    return exports_expire()
