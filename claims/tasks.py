from functools import partial

from celery import shared_task
from django.db import transaction

from claims.embeddings import claims_embed
from claims.matching.on_import import claims_match_new
from claims.services import claims_score

# Claims matched per task: a bulk import of tens of thousands of reviewed claims is shared out
# among the workers in pieces that each take seconds (the embedding task, a minute or so).
MATCH_BATCH = 2000


@shared_task(acks_late=True)
def claims_match_new_task(claim_ids: list[int]) -> int:
    """Link freshly imported claims that repeat earlier ones (exact duplicates: seconds after
    the import), then queue their embedding, after which their similar claims are suggested;
    returns the matches written.

    Idempotent (a pair is matched once), so redelivery after a lost worker does no harm.
    """
    written = claims_match_new(claim_ids=claim_ids, similar=False)
    claims_embed_later(claim_ids=claim_ids, match=True)
    return written


@shared_task(acks_late=True)
def claims_embed_task(claim_ids: list[int], match: bool = False) -> int:
    """Store the sentence embeddings of the claims among `claim_ids` that have none, or the
    vectors of their published verdicts' new headlines (they re-rank `claim_match`); with
    `match` (newly imported claims), then suggest their similar claims, ranked as the match
    API ranks with those vectors; then refine their check-worthiness scores with the vectors.
    Returns how many embeddings were written. Idempotent."""
    written = claims_embed(claim_ids=claim_ids)
    if match:
        claims_match_new(claim_ids=claim_ids)
    claims_score(claim_ids=claim_ids)
    return written


def claims_embed_later(*, claim_ids: list[int], match: bool = False) -> None:
    """Queue the embedding of `claim_ids` (and with `match`, the suggestions that need it): a
    task of its own, because the model embeds a few hundred claims a second per core, so exact
    duplicates are linked without waiting for it, and any free worker of the matching queue
    takes it."""
    claims_embed_task.delay(claim_ids, match)


def claims_match_new_later(*, claim_ids: list[int]) -> None:
    """Queue the matching (then the embedding and suggestions) of `claim_ids` once the caller's
    transaction commits."""
    for start in range(0, len(claim_ids), MATCH_BATCH):
        chunk = claim_ids[start : start + MATCH_BATCH]
        transaction.on_commit(partial(claims_match_new_task.delay, chunk))
