from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from webhooks.retention import PRUNE_BATCH, webhooks_prune


class Command(BaseCommand):
    help = (
        "Delete webhook history older than WEBHOOK_RETENTION_DAYS, as beat does every hour: "
        "finished deliveries, their attempts, and events no delivery needs (never a pending "
        "delivery, nor a verdict's latest event). In short transactions; safe to stop and "
        "re-run, and to run beside the workers."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=PRUNE_BATCH)

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
        days = settings.WEBHOOK_RETENTION_DAYS
        if not days:
            self.stdout.write("WEBHOOK_RETENTION_DAYS is 0: webhook history is kept forever.")
            return
        pruned = webhooks_prune(batch=batch_size)
        self.stdout.write(
            f"deleted {pruned.events} events, {pruned.deliveries} deliveries and "
            f"{pruned.attempts} attempts older than {days} days"
            + ("" if pruned.complete else " (another pruning is running: run it again later)")
        )
