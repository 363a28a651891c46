from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from claims.services import claims_score_stale


class Command(BaseCommand):
    help = (
        "Score every claim the shipped check-worthiness model has not scored with all it can "
        "use: claims without a score, scored at import or by another model version, or whose "
        "sentence vector has been stored since (batched; safe to stop and re-run)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=5000)

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
        done = claims_score_stale(batch_size=batch_size)
        self.stdout.write(f"scored {done} claims")
