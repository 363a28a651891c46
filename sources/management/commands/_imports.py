"""What the import commands share: the --json summary, the progress bar, the exit status."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from sources.imports.reviewed import Progress
from sources.imports.runs import ItemStatus
from sources.management.commands.import_seeds import run_summary
from sources.models import ImportRun


def progress_bar(as_json: bool, unit: str) -> tuple[Progress | None, tqdm | None]:
    """A progress callback for the importer and the bar it moves (none with --json)."""
    if as_json:
        return None, None
    # disable=None: the bar shows on a terminal and stays out of logs and pipes.
    bar = tqdm(desc="Importing", unit=unit, file=sys.stderr, disable=None)

    def update(done: int) -> None:
        bar.update(done)

    return update, bar


def report(command: BaseCommand, run: ImportRun, *, as_json: bool, bar: tqdm | None = None) -> None:
    """Print the run (one JSON object with --json) and exit 1 if anything failed."""
    if bar is not None:
        bar.close()
    if as_json:
        command.stdout.write(json.dumps(run_summary(run), ensure_ascii=False, default=str))
    else:
        for item in run.items:
            if item["status"] == ItemStatus.FAILED:
                command.stderr.write(f"FAILED    {item['path']}: {item['error']}")
            elif item["status"] == ItemStatus.DUPLICATE:
                command.stderr.write(f"DUPLICATE {item['path']}: {item['error']}")
        command.stdout.write(
            f"Import run #{run.pk}: {run.sources_created} source(s) and "
            f"{run.claims_created} claim(s) created, {run.items_unchanged} unchanged, "
            f"{run.items_failed} failed."
        )
    if run.items_failed:
        raise CommandError(f"{run.items_failed} item(s) failed", returncode=1)
