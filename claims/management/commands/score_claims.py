from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from claims.services import claims_score_missing


class Command(BaseCommand):
    help = "Score every claim without a check-worthiness score (batched; safe to re-run)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=5000)

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
        done = claims_score_missing(batch_size=batch_size)
        self.stdout.write(f"scored {done} claims")
