import json
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from sources.imports.documents import source_import_paths
from sources.imports.runs import ItemResult, ItemStatus
from sources.models import ImportRun

# A progress bar helps from this many files on; for a handful the per-file lines suffice.
PROGRESS_BAR_FROM = 20


def run_summary(run: ImportRun) -> dict[str, Any]:
    """The --json summary of an import run (the shape import_seeds documents)."""
    return {
        "run": run.pk,
        "sources_created": run.sources_created,
        "claims_created": run.claims_created,
        "failed": run.items_failed,
        "files": run.items,
    }


class Command(BaseCommand):
    help = "Import source documents from files or folders (default: SEEDS_DIR)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="*", type=Path, help="Files or folders to import.")
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print one JSON summary object."
        )

    def handle(self, *args: Any, paths: list[Path], as_json: bool, **options: Any) -> None:
        paths = paths or [Path(settings.SEEDS_DIR)]
        many = any(p.is_dir() for p in paths) or len(paths) >= PROGRESS_BAR_FROM
        bar = None
        if many and not as_json:
            # disable=None: the bar shows on a terminal and stays out of logs and pipes.
            bar = tqdm(desc="Importing", unit="file", file=sys.stderr, disable=None)

        def progress(result: ItemResult) -> None:
            if bar is not None:
                bar.update(1)
                if result.status == ItemStatus.FAILED:
                    bar.write(f"FAILED {result.path}: {result.error}", file=sys.stderr)
            elif not as_json:
                self._print_result(result)

        run = source_import_paths(paths=paths, progress=progress)
        if bar is not None:
            bar.close()
        if as_json:
            self.stdout.write(json.dumps(run_summary(run), ensure_ascii=False))
        else:
            self.stdout.write(
                f"Import run #{run.pk}: {run.sources_created} source(s) and "
                f"{run.claims_created} claim(s) created, {run.items_unchanged} unchanged, "
                f"{run.items_failed} failed."
            )
        if run.items_failed:
            raise CommandError(f"{run.items_failed} file(s) failed", returncode=1)

    def _print_result(self, result: ItemResult) -> None:
        if result.status == ItemStatus.FAILED:
            self.stderr.write(f"FAILED    {result.path}: {result.error}")
        elif result.status == ItemStatus.IMPORTED:
            self.stdout.write(f"imported  {result.path}: {result.claims_created} claim(s)")
        else:
            self.stdout.write(f"unchanged {result.path}")
