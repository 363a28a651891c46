from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from claims.embeddings import claims_embed_missing


class Command(BaseCommand):
    help = (
        "Store the sentence embedding of every claim that has none, and of every published "
        "verdict headline not embedded yet or changed since (batched; safe to re-run). Claims "
        "imported from now on are embedded by a worker after their import, headlines after "
        "each publication, correction or retraction."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
        done = claims_embed_missing(batch_size=batch_size)
        self.stdout.write(f"embedded {done} claims")
