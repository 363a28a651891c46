from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from factcheck.db import ImportBusy
from sources.imports.tables import source_import_table
from sources.management.commands._imports import progress_bar, report
from sources.parsers.table import TableFormat, TableLayout


def _column_map(values: list[str]) -> dict[str, int | str]:
    columns: dict[str, int | str] = {}
    for value in values:
        field, sep, column = value.partition("=")
        if not sep or not field or not column:
            raise CommandError(f"--column {value!r}: expected field=column (e.g. claim=2)")
        columns[field.strip()] = int(column) if column.strip().isdigit() else column.strip()
    return columns


class Command(BaseCommand):
    help = (
        "Import reviewed claims from a CSV/TSV table: with a header row, a column map "
        "(--column claim=2 --column rating=1 ...) or the LIAR layout (--liar)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--liar", action="store_true", help="LIAR: no header, 14 columns.")
        parser.add_argument(
            "--no-header", action="store_true", help="No header row: --column maps indexes."
        )
        parser.add_argument(
            "--column",
            action="append",
            default=[],
            help="field=column (fields: claim, rating, claimant, id, context, date, "
            "review_url, publisher, language; column: 0-based index or header name).",
        )
        parser.add_argument("--delimiter", default=None, help="Default: tab for .tsv, else comma.")
        parser.add_argument("--publisher", default="", help="Fact-checker of every row.")
        parser.add_argument("--language", default="", help="ISO 639-1 language of every row.")
        parser.add_argument(
            "--trusted",
            action="store_true",
            help="Publish the reviews at once. Without it each claim awaits review, the "
            "fact-checker's review kept as a suggestion an editor can publish.",
        )
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args: Any, path: Path, as_json: bool, **options: Any) -> None:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror or exc}") from exc
        if options["liar"]:
            layout = TableLayout.LIAR
        else:
            layout = TableLayout.PLAIN if options["no_header"] else TableLayout.HEADER
        table_format = TableFormat(
            layout=layout,
            columns=_column_map(options["column"]),
            delimiter=options["delimiter"],
            publisher=options["publisher"],
            language=options["language"],
        )
        update, bar = progress_bar(as_json, "row")
        try:
            run = source_import_table(
                raw=raw,
                name=path.name,
                trusted=options["trusted"],
                table_format=table_format,
                progress=update,
            )
        except ImportBusy:
            raise CommandError(f"{path} is being imported by another run") from None
        report(self, run, as_json=as_json, bar=bar)
