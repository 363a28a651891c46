"""The delivering task, on the `deliveries` queue (settings.CELERY_TASK_ROUTES). Queued after
each commit that writes deliveries, and by beat every WEBHOOK_SWEEP_INTERVAL seconds, which
picks up retries and anything whose task was lost. And the pruning of old history, on the
`default` queue, by beat every PRUNE_SECONDS (sources/schedules.py installs both)."""

from celery import shared_task

from webhooks.delivery import deliveries_deliver_due
from webhooks.retention import webhooks_prune

# A task sends for at most this long, then leaves the rest to the next task or sweep: a flood
# never keeps one task running for its whole time limit.
TASK_SECONDS = 300
# Seconds between beat's prunings of webhook history older than WEBHOOK_RETENTION_DAYS; each
# prunes for at most PRUNE_TASK_SECONDS and leaves what remains to the next.
PRUNE_SECONDS = 3600
PRUNE_TASK_SECONDS = 600


@shared_task(acks_late=True, ignore_result=True)
def webhooks_deliver_task() -> int:
    """Send every due delivery; returns the attempts made. Safe to run any number of times at
    once: each delivery is claimed by one round (deliveries_claim_due)."""
    return deliveries_deliver_due(seconds=TASK_SECONDS)


def webhooks_deliver_soon() -> None:
    """Queue a delivering task (after a commit that wrote deliveries)."""
    webhooks_deliver_task.delay()


@shared_task(acks_late=True, ignore_result=True)
def webhooks_prune_task() -> dict[str, int]:
    """Delete webhook history older than WEBHOOK_RETENTION_DAYS (webhooks/retention.py);
    returns how many events, deliveries and attempts went."""
    pruned = webhooks_prune(seconds=PRUNE_TASK_SECONDS)
    return {"events": pruned.events, "deliveries": pruned.deliveries, "attempts": pruned.attempts}
