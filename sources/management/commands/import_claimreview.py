from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from factcheck.db import ImportBusy
from factcheck.fetch import FetchError, fetch
from sources.imports.claimreview import source_import_claimreview
from sources.management.commands._imports import progress_bar, report


class Command(BaseCommand):
    help = (
        "Import ClaimReview data from a file or an http(s) URL: a DataFeed, a JSON array of "
        "ClaimReview objects, or HTML pages with JSON-LD."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("location", help="A file path or an http(s) URL.")
        parser.add_argument(
            "--trusted",
            action="store_true",
            help="Publish the reviews at once. Without it each claim awaits review, the "
            "fact-checker's review kept as a suggestion an editor can publish.",
        )
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args: Any, location: str, as_json: bool, **options: Any) -> None:
        try:
            if location.startswith(("http://", "https://")):
                raw = fetch(location).body
            else:
                with open(location, "rb") as handle:
                    raw = handle.read()
        except (OSError, FetchError) as exc:
            raise CommandError(f"{location}: {getattr(exc, 'strerror', None) or exc}") from exc
        update, bar = progress_bar(as_json, "item")
        try:
            run = source_import_claimreview(
                raw=raw, origin=location, trusted=options["trusted"], progress=update
            )
        except ImportBusy:
            raise CommandError(f"{location} is being imported by another run") from None
        report(self, run, as_json=as_json, bar=bar)
