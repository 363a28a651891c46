"""The editorial workflow: the only place a claim's status changes (DESIGN.md, "Claim statuses").

`ACTIONS` declares each action once (an `Action` of claims/actions.py): the statuses it starts
from and the one it leads to, who may take it, the event it writes, the inputs it requires and
the function that performs it. Those functions, `claim_available_actions`, `perform`, the admin's
buttons and the API all read it.

Every action checks the actor's role, writes the new status with a compare-and-set `UPDATE`
(`... WHERE status = <the status we saw>`) and records one `ClaimEvent`, in one transaction. A
second request that saw the same status changes nothing and gets `StaleState` (HTTP 409).
Refusals are `DomainError`s (JSON in the API, a message in the admin). Four-eyes: nobody,
superusers included, publishes a verdict they wrote or edited.
"""

from typing import Any

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone

from claims import verdicts
from claims.actions import Action, Role, authorize, check_ready, require_inputs
from claims.models import Claim, ClaimEvent, Verdict
from claims.roles import AnyUser, user_is_editor, user_is_reviewer
from factcheck.errors import DomainError, Forbidden, InvalidInput, StaleState, TransitionNotAllowed

Status = Claim.Status


def _label(status: str) -> str:
    return (Status(status).label if status in Status.values else status).lower()


def _begin(name: str, claim: Claim, actor: AnyUser, **inputs: Any) -> tuple[Action, dict[str, Any]]:
    """The row of action `name`, once the actor's role and the inputs it requires are checked;
    with those inputs, text stripped. Raises Forbidden or InvalidInput."""
    action = ACTIONS[name]
    authorize(action, claim, actor)
    return action, require_inputs(action, inputs)


def _record(
    action: Action, claim: Claim, actor: AnyUser, *, seen: str, note: str, data: dict[str, Any]
) -> None:
    ClaimEvent.objects.create(
        claim=claim,
        code=action.event,
        from_status=seen,
        to_status=action.target,
        actor=actor if actor.is_authenticated else None,
        note=note,
        data=data,
    )


def _transition(
    action: Action,
    claim: Claim,
    actor: AnyUser,
    *,
    note: str = "",
    data: dict[str, Any] | None = None,
    **fields: Any,
) -> Claim:
    """The one compare-and-set: move `claim` from the status we saw (one of the row's sources) to
    the row's target, setting `fields` too, and record the row's event.

    Precondition: the caller holds a transaction. Raises TransitionNotAllowed when the status we
    saw does not allow the action, StaleState when the row moved on since we read it.
    """
    seen = claim.status
    if seen not in action.sources:
        raise TransitionNotAllowed(
            f"Claim #{claim.pk} is {_label(seen)}; it cannot {action.becoming} now."
        )
    now = timezone.now()
    moved = Claim.objects.filter(pk=claim.pk, status=seen).update(
        status=action.target, updated_at=now, **fields
    )
    if moved != 1:  # another request or worker got there first
        current = Claim.objects.filter(pk=claim.pk).values_list("status", flat=True).first()
        raise StaleState(
            f"Claim #{claim.pk} changed meanwhile (it is now {_label(current or '?')}); "
            "reload it and try again."
        )
    _record(action, claim, actor, seen=seen, note=note, data=data or {})
    claim.status, claim.updated_at = action.target, now
    for name, value in fields.items():
        setattr(claim, name, value)
    return claim


def _announce(action: Action, claim: Claim, verdict: Verdict | None) -> None:
    """What follows a change to a public verdict, in its transaction: the headline embedded
    again after the commit, and the webhook event the row announces (the outbox)."""
    verdicts.verdict_embed_later(claim)
    if verdict is not None and action.announces:
        from webhooks.outbox import verdict_event_record  # webhooks reads claims' API shapes

        verdict_event_record(type=action.announces, verdict_id=verdict.pk)


# ---------------------------------------------------------------------------------------------
# The actions, each named in the table below


def _assignable(assignee: AnyUser) -> User:
    if not user_is_reviewer(assignee):
        raise InvalidInput("assignee", f"{assignee} is not a reviewer or editor.")
    return assignee


@transaction.atomic
def claim_start_review(
    *, claim: Claim, actor: AnyUser, assignee: User | None = None, note: str = ""
) -> Claim:
    """Take a pending claim for review, assigned to `assignee` (the actor by default)."""
    action, _ = _begin("start_review", claim, actor)
    chosen = assignee or actor
    if chosen.pk != actor.pk and not user_is_editor(actor):
        raise Forbidden("Only editors may assign a claim to someone else.")
    data = {"assignee": chosen.get_username()}
    return _transition(action, claim, actor, note=note, data=data, assignee=_assignable(chosen))


@transaction.atomic
def claim_assign(*, claim: Claim, actor: AnyUser, assignee: User, note: str = "") -> Claim:
    """Give a claim in review to another assignee; the draft goes with the claim."""
    action, _ = _begin("assign", claim, actor, assignee=assignee)
    data = {"assignee": assignee.get_username(), "previous_assignee_id": claim.assignee_id}
    return _transition(action, claim, actor, note=note, data=data, assignee=_assignable(assignee))


@transaction.atomic
def claim_reject(*, claim: Claim, actor: AnyUser, reason: str) -> Claim:
    """Reject a claim that is not checkable; the reason is the event's note."""
    action, given = _begin("reject", claim, actor, reason=reason)
    return _transition(action, claim, actor, note=given["reason"])


@transaction.atomic
def claim_mark_duplicate(
    *, claim: Claim, actor: AnyUser, duplicate_of: Claim | None, note: str = ""
) -> Claim:
    """Mark a claim as a duplicate of another (not of itself, and closing no cycle)."""
    action, given = _begin("mark_duplicate", claim, actor, duplicate_of=duplicate_of)
    original: Claim = given["duplicate_of"]
    if original.pk == claim.pk:
        raise InvalidInput("duplicate_of", "A claim cannot be a duplicate of itself.")
    # Walk the original's chain: if it leads back here, marking would close a cycle.
    seen: set[int] = set()
    cursor: int | None = original.pk
    while cursor is not None and cursor not in seen:
        if cursor == claim.pk:
            raise InvalidInput(
                "duplicate_of",
                f"Claim #{original.pk} is already a duplicate of claim #{claim.pk}; "
                "marking this one would make a cycle.",
            )
        seen.add(cursor)
        cursor = Claim.objects.filter(pk=cursor).values_list("duplicate_of_id", flat=True).first()
    data = {"duplicate_of": original.pk}
    return _transition(action, claim, actor, note=note, data=data, duplicate_of=original)


@transaction.atomic
def claim_reopen(*, claim: Claim, actor: AnyUser, note: str) -> Claim:
    """Put a closed claim back in the queue, clearing its assignee and duplicate link (the
    event keeps what they were)."""
    action, given = _begin("reopen", claim, actor, note=note)
    data = {"duplicate_of": claim.duplicate_of_id, "assignee_id": claim.assignee_id}
    return _transition(
        action, claim, actor, note=given["note"], data=data, duplicate_of=None, assignee=None
    )


@transaction.atomic
def claim_submit(*, claim: Claim, actor: AnyUser, note: str = "") -> Claim:
    """Submit the verdict draft, as it is now, for an editor's approval."""
    action, _ = _begin("submit", claim, actor)
    verdict = verdicts.own_verdict(claim) if claim.status in action.sources else None
    check_ready(action, claim, actor, verdict)
    data = {"verdict": verdict.pk, "version": verdict.version} if verdict else {}
    return _transition(action, claim, actor, note=note, data=data)


@transaction.atomic
def claim_send_back(*, claim: Claim, actor: AnyUser, note: str) -> Claim:
    """Send a submitted verdict back to its assignee."""
    action, given = _begin("send_back", claim, actor, note=note)
    return _transition(action, claim, actor, note=given["note"])


@transaction.atomic
def verdict_publish(*, claim: Claim, actor: AnyUser, note: str = "") -> Claim:
    """Publish the submitted verdict, approved by the actor."""
    action, _ = _begin("publish", claim, actor)
    verdict = verdicts.own_verdict(claim, lock=True)
    check_ready(action, claim, actor, verdict)
    data = {"verdict": verdict.pk if verdict else None}
    claim = _transition(action, claim, actor, note=note, data=data)
    verdicts.verdict_mark_published(claim=claim, approver=actor)
    _announce(action, claim, verdict)
    return claim


@transaction.atomic
def verdict_publish_imported(*, claim: Claim, actor: User, note: str = "") -> Claim:
    """Publish the imported review a claim from an untrusted origin holds as a suggestion (see
    sources.imports.imported), approved by the actor: the fact-checker's review, under their
    name, becomes the claim's public verdict."""
    action, _ = _begin("publish_imported", claim, actor)
    in_source = claim.status in action.sources
    suggestion = verdicts.imported_draft(claim, lock=True) if in_source else None
    check_ready(action, claim, actor, None)
    data = {"verdict": suggestion.pk if suggestion else None}
    claim = _transition(action, claim, actor, note=note, data=data)
    if suggestion is not None:
        verdicts.verdict_mark_imported_published(verdict=suggestion, approver=actor)
    _announce(action, claim, suggestion)
    return claim


@transaction.atomic
def verdict_correct(
    *, claim: Claim, actor: AnyUser, content: verdicts.VerdictInput, version: int, note: str
) -> Verdict:
    """Change a published verdict's wording, with a public note (verdicts.verdict_add_correction);
    the event keeps the earlier wording."""
    action, given = _begin("correct", claim, actor, content=content, version=version, note=note)
    # Lock the claim row so that a retraction cannot slip in between check and write.
    locked = Claim.objects.select_for_update().filter(pk=claim.pk).values_list("status", flat=True)
    status = locked.first() or "?"
    if status not in action.sources:
        raise TransitionNotAllowed(
            f"Claim #{claim.pk} is {_label(status)}; only a published verdict can be corrected."
        )
    # The row's check, called by name for the verdict it returns.
    verdict = verdicts.require_published(claim, actor, verdicts.claim_verdict(claim, lock=True))
    before = verdicts.verdict_add_correction(
        verdict=verdict, content=content, version=version, note=given["note"]
    )
    data = {
        "verdict": verdict.pk,
        "origin": verdict.origin,
        "version": verdict.version,
        "before": before,
    }
    _record(action, claim, actor, seen=status, note=given["note"], data=data)
    _announce(action, claim, verdict)
    return verdict


@transaction.atomic
def verdict_retract(*, claim: Claim, actor: AnyUser, note: str) -> Claim:
    """Retract the claim's published verdict, ours or imported; it stays readable, marked
    retracted, with the public note among its corrections."""
    action, given = _begin("retract", claim, actor, note=note)
    verdict = verdicts.claim_verdict(claim, lock=True) if claim.status in action.sources else None
    data = {"verdict": verdict.pk, "origin": verdict.origin} if verdict else {"verdict": None}
    claim = _transition(action, claim, actor, note=given["note"], data=data)
    if verdict is not None:
        verdicts.verdict_mark_retracted(verdict=verdict, note=given["note"])
    _announce(action, claim, verdict)
    return claim


# ---------------------------------------------------------------------------------------------
# The table, in the order the admin offers the actions.

S = Status  # short, for the table
# A row per action, each in the same layout, read across (the formatter would spread a row over
# a dozen lines, one per argument).
# fmt: off
_ROWS = (
    Action("start_review", "Start review (assign to me)",
           sources=(S.PENDING,), target=S.IN_REVIEW, role=Role.REVIEWER,
           event="claim.review_started", run=claim_start_review, optional=("assignee", "note"),
           doing="start a review", becoming="be taken for review"),
    Action("assign", "Assign",
           sources=(S.IN_REVIEW,), target=S.IN_REVIEW, role=Role.EDITOR,
           event="claim.assigned", run=claim_assign, requires=("assignee",), optional=("note",),
           doing="reassign a claim", becoming="be reassigned"),
    Action("reject", "Reject",
           sources=(S.PENDING, S.IN_REVIEW), target=S.REJECTED, role=Role.REVIEWER,
           event="claim.rejected", run=claim_reject, requires=("reason",),
           doing="reject a claim", becoming="be rejected"),
    Action("mark_duplicate", "Mark as duplicate",
           sources=(S.PENDING, S.IN_REVIEW), target=S.DUPLICATE, role=Role.REVIEWER,
           event="claim.marked_duplicate", run=claim_mark_duplicate,
           requires=("duplicate_of",), optional=("note",),
           doing="mark a claim as a duplicate", becoming="be marked as a duplicate"),
    Action("reopen", "Reopen",
           sources=(S.REJECTED, S.DUPLICATE, S.RETRACTED), target=S.PENDING, role=Role.EDITOR,
           event="claim.reopened", run=claim_reopen, requires=("note",),
           doing="reopen a claim", becoming="be reopened"),
    Action("submit", "Submit for approval",
           sources=(S.IN_REVIEW,), target=S.AWAITING_APPROVAL, role=Role.ASSIGNEE,
           event="claim.submitted", run=claim_submit, optional=("note",),
           check=verdicts.require_draft, on_verdict=True,
           doing="submit a verdict", becoming="be submitted"),
    Action("send_back", "Send back to the reviewer",
           sources=(S.AWAITING_APPROVAL,), target=S.IN_REVIEW, role=Role.EDITOR,
           event="claim.sent_back", run=claim_send_back, requires=("note",),
           doing="send a verdict back", becoming="be sent back"),
    Action("publish", "Publish",
           sources=(S.AWAITING_APPROVAL,), target=S.PUBLISHED, role=Role.EDITOR,
           event="claim.published", run=verdict_publish, optional=("note",),
           check=verdicts.require_four_eyes, on_verdict=True, announces="verdict.published",
           doing="publish a verdict", becoming="be published"),
    Action("publish_imported", "Publish the imported review",
           sources=(S.PENDING, S.IN_REVIEW), target=S.PUBLISHED, role=Role.EDITOR,
           event="claim.imported_review_published", run=verdict_publish_imported,
           optional=("note",), check=verdicts.require_imported_draft,
           announces="verdict.published",
           doing="publish an imported review", becoming="have an imported review published"),
    Action("correct", "Publish correction",
           sources=(S.PUBLISHED,), target=S.PUBLISHED, role=Role.EDITOR,
           event="verdict.corrected", run=verdict_correct, requires=("content", "version", "note"),
           check=verdicts.require_published, on_verdict=True, public_note=True,
           announces="verdict.corrected",
           doing="correct a verdict", becoming="be corrected"),
    Action("retract", "Retract",
           sources=(S.PUBLISHED,), target=S.RETRACTED, role=Role.EDITOR,
           event="claim.retracted", run=verdict_retract, requires=("note",),
           on_verdict=True, public_note=True, announces="verdict.retracted",
           doing="retract a verdict", becoming="be retracted"),
)
# fmt: on
ACTIONS: dict[str, Action] = {action.name: action for action in _ROWS}


def perform(action: str, claim: Claim, actor: AnyUser, **data: Any) -> Claim | Verdict:
    """Take `action` (a name in ACTIONS) on `claim` as `actor`, with the inputs its row names:
    the one entry point of the admin's buttons, the API's actions and the tests."""
    return ACTIONS[action].run(claim=claim, actor=actor, **data)


def claim_available_actions(*, claim: Claim, user: AnyUser, verdict: Verdict | None) -> list[str]:
    """The actions `user` may take on `claim` now, in the table's order: the admin offers
    exactly these, and the actions refuse the rest. `verdict` is the one they act on
    (verdicts.claim_verdict)."""
    offered = []
    for action in _ROWS:
        if claim.status not in action.sources or (action.on_verdict and verdict is None):
            continue
        try:
            authorize(action, claim, user)
            check_ready(action, claim, user, verdict)
        except DomainError:
            continue
        offered.append(action.name)
    return offered


# ---------------------------------------------------------------------------------------------
# Duplicates found by import-time matching: a whole batch in one statement, by the system

# Compare-and-set on the link (a claim an editor or another task linked meanwhile keeps its
# link and gets no event), and one event per claim linked, in the same statement.
_MARK_DUPLICATES_FOUND = """
WITH marked AS (
    UPDATE claims_claim AS c SET duplicate_of_id = v.original, updated_at = %(now)s
    FROM unnest(%(claims)s::bigint[], %(originals)s::bigint[]) AS v(id, original)
    WHERE c.id = v.id AND c.duplicate_of_id IS NULL
    RETURNING c.id, c.status, v.original
)
INSERT INTO claims_claimevent (claim_id, code, from_status, to_status, note, data,
    request_id, created_at)
SELECT id, 'claim.duplicate_found', status, status, '',
    jsonb_build_object('duplicate_of', original, 'found_on', 'import'), '', %(now)s
FROM marked
RETURNING claim_id
"""


def claims_mark_duplicates_found(*, originals: dict[int, int]) -> list[int]:
    """Link each claim in `originals` (claim id: the earlier claim whose statement it repeats)
    to its original, and log `claim.duplicate_found` with the system as actor and
    `{"duplicate_of": <id>, "found_on": "import"}`; return the ids of the claims linked.

    The status is unchanged (an editor decides whether the claim moves to `duplicate`), so the
    event's from- and to-status are the claim's status, and its code is not the workflow's
    `claim.marked_duplicate`. The link bumps `updated_at`, so clients syncing claims by it see
    the new `duplicate_of`. A claim already linked to a claim is
    left as it is. Bulk: one statement for the whole batch, however large (import-time
    matching links thousands of claims a second).
    """
    if not originals:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            _MARK_DUPLICATES_FOUND,
            {
                "claims": list(originals),
                "originals": list(originals.values()),
                "now": timezone.now(),
            },
        )
        return [row[0] for row in cursor.fetchall()]
