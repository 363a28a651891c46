from functools import partial

from celery import shared_task
from django.db import transaction

from claims.embeddings import claims_embed
from claims.matching.on_import import claims_match_new
from claims.services import claims_score

# Claims matched per task: a bulk import of tens of thousands of reviewed claims is shared out
# among the workers in pieces that each take seconds (embedding most of them).
MATCH_BATCH = 2000


@shared_task(acks_late=True)
def claims_match_new_task(claim_ids: list[int]) -> int:
    """Embed freshly imported claims, compare them with the existing ones (exact duplicates,
    and suggestions ranked as the match API ranks, which re-ranks by those vectors), then refine
    their check-worthiness scores with the vectors; returns the matches written.

    Idempotent (a vector is stored once, a pair matched once), so redelivery after a lost worker
    does no harm.
    """
    claims_embed(claim_ids=claim_ids)
    written = claims_match_new(claim_ids=claim_ids)
    claims_score(claim_ids=claim_ids)
    return written


@shared_task(acks_late=True)
def claims_embed_task(claim_ids: list[int]) -> int:
    """Store the sentence embeddings of the claims among `claim_ids` that have none, or the
    vectors of their published verdicts' new headlines (they re-rank `claim_match`), then
    refine their check-worthiness scores with them; returns how many embeddings were written.
    Idempotent."""
    written = claims_embed(claim_ids=claim_ids)
    claims_score(claim_ids=claim_ids)
    return written


def claims_embed_later(*, claim_ids: list[int]) -> None:
    """Queue the embedding of `claim_ids` (a verdict published, corrected or retracted: its
    headline's vector), for any free worker of the matching queue."""
    claims_embed_task.delay(claim_ids)


def claims_match_new_later(*, claim_ids: list[int]) -> None:
    """Queue the embedding and matching of `claim_ids` once the caller's transaction commits."""
    for start in range(0, len(claim_ids), MATCH_BATCH):
        chunk = claim_ids[start : start + MATCH_BATCH]
        transaction.on_commit(partial(claims_match_new_task.delay, chunk))
