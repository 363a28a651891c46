from pathlib import Path

from celery import Task, shared_task
from django.conf import settings

from sources.services import source_import_paths


@shared_task(bind=True, acks_late=True)
def source_import_paths_task(self: Task, paths: list[str] | None = None) -> int:
    """Import files and folders (default: the watched SEEDS_DIR); returns the ImportRun id.

    Redelivery after a lost worker is harmless: a file whose bytes were stored is unchanged.
    """
    targets = [Path(p) for p in paths] if paths else [Path(settings.SEEDS_DIR)]
    run = source_import_paths(paths=targets, task_id=self.request.id or "")
    return run.pk
