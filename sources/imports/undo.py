"""Undoing an import run: withdraw the claims it created that nobody has touched since.

A claim of the run (its source's `import_run`) is **touched** when any of these holds, and an
undo leaves it as it is, saying why:
- `status`: its status is no longer the one it arrived with (pending; published for the
  reviewed claims of a trusted run);
- `assigned`: someone is assigned to it;
- `acted`: a ClaimEvent on it has an actor: a person started a review, rejected it, edited a
  verdict, confirmed or dismissed a match... (the import's own events have none);
- `verdict`: it has a verdict of our own, or its imported verdict is no longer as imported
  (another status, a new version, a correction);
- `duplicates`: another claim was marked a duplicate of it;
- `match`: a person confirmed or dismissed a match between it and another claim;
- `cited`: its source is cited as evidence by a verdict.

An untouched claim is **withdrawn**: its status and its imported verdict's become `withdrawn`,
which no public surface shows (claims.selectors' rule makes public only published and
retracted verdicts), and one `claim.withdrawn` event records it, with the person who undid the
run and the run's id. Nothing is deleted: claims, verdicts and events are evidence. A source
whose claims are all withdrawn gives up its natural key (content hash and URL, kept in the
events), so importing the same input again brings its claims back.

The claims are checked and withdrawn in one statement per batch, so a claim a person takes
while the undo runs is either withdrawn before (and the person's action then finds it moved
on) or left alone.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from claims.models import Claim, Verdict
from claims.roles import User
from claims.selectors import PUBLIC_STATUSES
from factcheck.errors import TransitionNotAllowed
from sources.imports.imported import imported_statuses
from sources.models import ImportRun

# Claims checked and withdrawn per transaction.
UNDO_BATCH = 5000
# Claims listed by name on the confirmation page and in the run's record.
UNDO_LISTED = 500

# Why a claim counts as touched: a reason code and the SQL condition on claim `c` that says so.
# The plan reports each reason; the withdrawal requires that none holds (in the same
# statement that writes).
_TOUCHED: tuple[tuple[str, str], ...] = (
    ("status", "c.status <> %(claim_status)s"),
    ("assigned", "c.assignee_id IS NOT NULL"),
    (
        "acted",
        "EXISTS (SELECT 1 FROM claims_claimevent e WHERE e.claim_id = c.id"
        " AND e.actor_id IS NOT NULL)",
    ),
    (
        "verdict",
        "EXISTS (SELECT 1 FROM claims_verdict v WHERE v.claim_id = c.id AND (v.origin = 'own'"
        " OR v.version <> 1 OR v.corrections <> '[]'::jsonb OR v.status <> %(verdict_status)s))",
    ),
    (
        "duplicates",
        "EXISTS (SELECT 1 FROM claims_claim d WHERE d.duplicate_of_id = c.id"
        " AND d.status = 'duplicate')",
    ),
    (
        "match",
        "EXISTS (SELECT 1 FROM claims_claimmatch m WHERE (m.claim_id = c.id"
        " OR m.matched_id = c.id) AND m.decided_by_id IS NOT NULL)",
    ),
    ("cited", "EXISTS (SELECT 1 FROM claims_citation ci WHERE ci.source_id = c.source_id)"),
)
REASONS = {
    "status": "its status changed since the import",
    "assigned": "someone is assigned to it",
    "acted": "a person acted on it",
    "verdict": "its verdict was written or changed here",
    "duplicates": "another claim was marked a duplicate of it",
    "match": "a person confirmed or dismissed a match with it",
    "cited": "its source is cited as evidence",
}

_CLAIMS_OF_RUN = """
FROM claims_claim c JOIN sources_source s ON s.id = c.source_id
WHERE s.import_run_id = %(run)s AND c.status <> 'withdrawn'
"""

_PLAN = f"""
SELECT c.id, left(c.text, 300), c.status,
    array_remove(ARRAY[{", ".join(f"CASE WHEN {sql} THEN '{code}' END" for code, sql in _TOUCHED)}],
        NULL),
    (SELECT string_agg(DISTINCT e.code || ' by ' || u.username, ', ')
     FROM claims_claimevent e JOIN auth_user u ON u.id = e.actor_id WHERE e.claim_id = c.id),
    EXISTS (SELECT 1 FROM claims_verdict v WHERE v.claim_id = c.id AND v.status = ANY(%(public)s))
{_CLAIMS_OF_RUN}
ORDER BY c.id
"""

# Withdraw the untouched claims among %(ids)s, their imported verdicts, and release the natural
# key of each source left with no other claim; one event per claim withdrawn.
_WITHDRAW = f"""
WITH withdrawn AS (
    UPDATE claims_claim c SET status = 'withdrawn', updated_at = %(now)s
    FROM sources_source s
    WHERE c.id = ANY(%(ids)s) AND s.id = c.source_id AND s.import_run_id = %(run)s
      AND {" AND ".join(f"NOT ({sql})" for _code, sql in _TOUCHED)}
    RETURNING c.id, c.source_id
), verdicts AS (
    UPDATE claims_verdict v SET status = 'withdrawn', version = v.version + 1,
        updated_at = %(now)s
    FROM withdrawn w
    WHERE v.claim_id = w.id AND v.origin = 'imported'
    RETURNING v.id, v.claim_id
), released AS (
    UPDATE sources_source s
    SET content_hash = encode(sha256(convert_to('withdrawn:' || s.id || ':' || s.content_hash,
            'UTF8')), 'hex'),
        url = NULL
    FROM (
        SELECT s2.id, s2.content_hash, s2.url FROM sources_source s2
        WHERE s2.id IN (SELECT source_id FROM withdrawn)
          AND NOT EXISTS (
              SELECT 1 FROM claims_claim c2
              WHERE c2.source_id = s2.id AND c2.status <> 'withdrawn'
                AND c2.id NOT IN (SELECT id FROM withdrawn))
    ) before
    WHERE s.id = before.id
    RETURNING s.id, before.content_hash, before.url
), events AS (
    INSERT INTO claims_claimevent (claim_id, code, from_status, to_status, actor_id, note, data,
        request_id, created_at)
    SELECT w.id, 'claim.withdrawn', %(claim_status)s, 'withdrawn', %(actor)s, %(note)s,
        jsonb_strip_nulls(jsonb_build_object('import_run', %(run)s, 'verdict', v.id,
            'source', w.source_id, 'released_content_hash', r.content_hash,
            'released_url', r.url)),
        %(request_id)s, %(now)s
    FROM withdrawn w
    LEFT JOIN verdicts v ON v.claim_id = w.id
    LEFT JOIN released r ON r.id = w.source_id
)
SELECT count(*) FROM withdrawn
"""


@dataclass(frozen=True)
class LeftAlone:
    """A claim of the run that an undo leaves as it is, and why."""

    claim: int
    text: str
    status: str
    reasons: tuple[str, ...]  # codes of _TOUCHED
    actions: str  # what people did to it, e.g. "claim.review_started by rita"

    def explain(self) -> list[str]:
        """The reasons in words, for the confirmation page and the run's record."""
        words = []
        for code in self.reasons:
            if code == "status":
                words.append(f"{REASONS[code]} (it is now {Claim.Status(self.status).label})")
            elif code == "acted" and self.actions:
                words.append(f"{REASONS[code]}: {self.actions}")
            else:
                words.append(REASONS[code])
        return words

    def as_json(self) -> dict[str, Any]:
        return {"claim": self.claim, "text": self.text, "reasons": self.explain()}


@dataclass(frozen=True)
class UndoPlan:
    """What undoing a run would do now: the claims to withdraw (their number and the first
    UNDO_LISTED of them) and those left alone with their reasons."""

    withdraw_count: int
    withdraw: list[tuple[int, str]]  # (claim id, text), the first UNDO_LISTED
    withdraw_ids: list[int]
    left: list[LeftAlone]
    public_count: int  # of the claims to withdraw, those whose verdict is public now


def _arrived_as(run: ImportRun) -> dict[str, str]:
    """The statuses the run's claims and imported verdicts arrived with."""
    if run.kind in (ImportRun.Kind.TABLE, ImportRun.Kind.CLAIMREVIEW):
        claim_status, verdict_status = imported_statuses(trusted=run.trusted)
    else:  # documents: every statement awaits review, and none arrives with a verdict
        claim_status, verdict_status = Claim.Status.PENDING, Verdict.Status.DRAFT
    return {"claim_status": claim_status.value, "verdict_status": verdict_status.value}


def import_run_undo_plan(*, run: ImportRun) -> UndoPlan:
    """What an undo of `run` would withdraw and what it would leave alone, and why (read only).
    See the module's docstring for what counts as touched."""
    public_statuses = [str(status) for status in PUBLIC_STATUSES]
    params: dict[str, Any] = {"run": run.pk, "public": public_statuses, **_arrived_as(run)}
    with connection.cursor() as cursor:
        cursor.execute(_PLAN, params)
        rows = cursor.fetchall()
    withdraw, left, public = [], [], 0
    for pk, text, status, reasons, actions, is_public in rows:
        if reasons:
            left.append(LeftAlone(pk, text, status, tuple(reasons), actions or ""))
        else:
            withdraw.append((pk, text))
            public += is_public
    ids = [pk for pk, _text in withdraw]
    return UndoPlan(
        withdraw_count=len(withdraw),
        withdraw=withdraw[:UNDO_LISTED],
        withdraw_ids=ids,
        left=left,
        public_count=public,
    )


def import_run_undo_refusal(*, run: ImportRun) -> str:
    """Why `run` cannot be undone now, or "" if it can: a run still importing would go on
    creating claims (one started longer ago than a task may run was cut short, and can be)."""
    if run.finished_at is None and run.status == ImportRun.Status.RUNNING:
        limit = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
        if timezone.now() - run.started_at < limit:
            return f"Import run #{run.pk} is still running; undo it once it has finished."
    if run.undo.get("state") == "queued":
        return f"An undo of import run #{run.pk} is under way."
    return ""


@transaction.atomic
def import_run_undo_request(*, run: ImportRun, actor: User) -> ImportRun:
    """Record that `actor` asked to undo `run` and queue the undo (import_run_undo_task, on the
    imports queue) for after the commit. Raises TransitionNotAllowed when it cannot be undone
    now (import_run_undo_refusal)."""
    from sources.tasks import import_run_undo_task  # the tasks import every importer

    run = ImportRun.objects.select_for_update().get(pk=run.pk)
    refusal = import_run_undo_refusal(run=run)
    if refusal:
        raise TransitionNotAllowed(refusal)
    run.undone_by = actor
    run.undo = {
        "state": "queued",
        "requested_by": actor.get_username(),
        "requested_at": timezone.now().isoformat(),
    }
    run.save(update_fields=["undone_by", "undo"])
    transaction.on_commit(lambda: import_run_undo_task.delay(run.pk, actor.pk))
    return run


def import_run_undo(*, run: ImportRun, actor: User | None, request_id: str = "") -> ImportRun:
    """Withdraw the claims of `run` that nobody has touched (see the module's docstring), in
    batches of UNDO_BATCH, each one transaction; record on the run when, by whom, how many were
    withdrawn and which claims were left alone and why. Idempotent: a claim withdrawn before is
    not counted again, so a repeated undo withdraws only what has become untouched since."""
    plan = import_run_undo_plan(run=run)
    params: dict[str, Any] = {
        "run": run.pk,
        "actor": actor.pk if actor is not None else None,
        "note": f"Import run #{run.pk} undone.",
        "request_id": request_id,
        **_arrived_as(run),
    }
    withdrawn = 0
    for ids in _batches(plan.withdraw_ids, UNDO_BATCH):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(_WITHDRAW, {**params, "ids": ids, "now": timezone.now()})
            withdrawn += cursor.fetchone()[0]
    left = plan.left
    if withdrawn < plan.withdraw_count:  # some were touched meanwhile: say which
        left = import_run_undo_plan(run=run).left
    previous = run.undo.get("withdrawn", 0) if run.undo.get("state") == "done" else 0
    run.undone_at = timezone.now()
    if actor is not None:
        run.undone_by = actor
    run.undo = {
        "state": "done",
        "withdrawn": previous + withdrawn,
        "left_count": len(left),
        "left": [claim.as_json() for claim in left[:UNDO_LISTED]],
    }
    run.save(update_fields=["undone_at", "undone_by", "undo"])
    return run


def _batches(ids: Sequence[int], size: int) -> list[list[int]]:
    return [list(ids[start : start + size]) for start in range(0, len(ids), size)]
