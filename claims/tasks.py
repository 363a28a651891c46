from celery import shared_task
from django.db import transaction

from claims.matching import claims_match_new

# Claims matched per task: a bulk import of tens of thousands of reviewed claims is shared out
# among the workers in pieces that each finish in seconds.
MATCH_BATCH = 2000


@shared_task(acks_late=True)
def claims_match_new_task(claim_ids: list[int]) -> int:
    """Compare freshly imported claims with the existing ones; returns the matches written.

    Idempotent (a pair is matched once), so redelivery after a lost worker does no harm.
    """
    with transaction.atomic():
        return claims_match_new(claim_ids=claim_ids)


def claims_match_new_later(*, claim_ids: list[int]) -> None:
    """Queue the matching of `claim_ids` once the caller's transaction commits."""
    for start in range(0, len(claim_ids), MATCH_BATCH):
        chunk = claim_ids[start : start + MATCH_BATCH]
        transaction.on_commit(lambda chunk=chunk: claims_match_new_task.delay(chunk))
