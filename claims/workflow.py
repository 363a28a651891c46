"""The editorial workflow: the only place a claim's status changes (DESIGN.md, "Claim statuses").

Every action checks the actor's role, writes the new status with a compare-and-set `UPDATE`
(`... WHERE status = <the status we saw>`), and records one `ClaimEvent`, all in one transaction.
A second request that saw the same status finds the row moved on, changes nothing and gets a
`Conflict` (HTTP 409). Refusals are `DomainError`s: the API answers them as JSON, the admin shows
their message.

Roles are defined in claims/roles.py. Four-eyes: nobody publishes a verdict they wrote or edited,
superusers included.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from claims.models import Citation, Claim, ClaimEvent, Rating, Verdict
from claims.roles import User, user_is_editor, user_is_reviewer
from factcheck.errors import Conflict, DomainError, Forbidden
from sources.models import Source

Status = Claim.Status


class TransitionNotAllowed(Conflict):
    code = "transition_not_allowed"


class StaleState(Conflict):
    code = "stale"


class NotPermitted(Forbidden):
    pass


class InvalidInput(DomainError):
    """A required input is missing or wrong (HTTP 400); `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


# ---------------------------------------------------------------------------------------------
# Role checks (claims/roles.py defines the roles)


def _require_reviewer(user: User, what: str) -> None:
    if not user_is_reviewer(user):
        raise NotPermitted(f"Only reviewers and editors may {what}.")


def _require_editor(user: User, what: str) -> None:
    if not user_is_editor(user):
        raise NotPermitted(f"Only editors may {what}.")


def _require_text(value: str, field: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(field, f"A {field} is required to {what}.")
    return value


# ---------------------------------------------------------------------------------------------
# The one compare-and-set every action goes through


def _label(status: str) -> str:
    return Status(status).label if status in Status.values else status


def _transition(
    *,
    claim: Claim,
    allowed_from: Iterable[str],
    to: str,
    actor: User,
    code: str,
    what: str,
    note: str = "",
    data: dict[str, Any] | None = None,
    **fields: Any,
) -> Claim:
    """Move `claim` from its current status (one of `allowed_from`) to `to`, setting `fields` too.

    Precondition: the caller holds a transaction. Raises TransitionNotAllowed when the status we
    saw does not allow the action, StaleState when the row moved on since we read it.
    """
    seen = claim.status
    if seen not in allowed_from:
        raise TransitionNotAllowed(
            f"Claim #{claim.pk} is {_label(seen).lower()}; it cannot {what} now."
        )
    now = timezone.now()
    moved = Claim.objects.filter(pk=claim.pk, status=seen).update(
        status=to, updated_at=now, **fields
    )
    if moved != 1:  # another request or worker got there first
        current = Claim.objects.filter(pk=claim.pk).values_list("status", flat=True).first()
        raise StaleState(
            f"Claim #{claim.pk} changed meanwhile (it is now {_label(current or '?').lower()}); "
            "reload it and try again."
        )
    ClaimEvent.objects.create(
        claim=claim,
        code=code,
        from_status=seen,
        to_status=to,
        actor=actor if actor.is_authenticated else None,
        note=note,
        data=data or {},
    )
    claim.status = to
    claim.updated_at = now
    for name, value in fields.items():
        setattr(claim, name, value)
    return claim


# ---------------------------------------------------------------------------------------------
# Claim actions


@transaction.atomic
def claim_start_review(
    *, claim: Claim, actor: User, assignee: AbstractBaseUser | None = None, note: str = ""
) -> Claim:
    """pending → in_review, assigned to `assignee` (the actor by default). Reviewers, editors."""
    _require_reviewer(actor, "start a review")
    assignee = assignee or actor
    if assignee.pk != actor.pk and not user_is_editor(actor):
        raise NotPermitted("Only editors may assign a claim to someone else.")
    if not user_is_reviewer(assignee):
        raise InvalidInput("assignee", f"{assignee} is not a reviewer or editor.")
    return _transition(
        claim=claim,
        allowed_from=[Status.PENDING],
        to=Status.IN_REVIEW,
        actor=actor,
        code="claim.review_started",
        what="be taken for review",
        note=note,
        data={"assignee": assignee.get_username()},
        assignee=assignee,
    )


@transaction.atomic
def claim_assign(*, claim: Claim, actor: User, assignee: AbstractBaseUser, note: str = "") -> Claim:
    """in_review → in_review with another assignee (the draft goes with the claim). Editors."""
    _require_editor(actor, "reassign a claim")
    if not user_is_reviewer(assignee):
        raise InvalidInput("assignee", f"{assignee} is not a reviewer or editor.")
    return _transition(
        claim=claim,
        allowed_from=[Status.IN_REVIEW],
        to=Status.IN_REVIEW,
        actor=actor,
        code="claim.assigned",
        what="be reassigned",
        note=note,
        data={"assignee": assignee.get_username(), "previous_assignee_id": claim.assignee_id},
        assignee=assignee,
    )


@transaction.atomic
def claim_reject(*, claim: Claim, actor: User, reason: str) -> Claim:
    """pending, in_review → rejected (not checkable). Reviewers, editors; a reason is required."""
    _require_reviewer(actor, "reject a claim")
    reason = _require_text(reason, "reason", "reject a claim")
    return _transition(
        claim=claim,
        allowed_from=[Status.PENDING, Status.IN_REVIEW],
        to=Status.REJECTED,
        actor=actor,
        code="claim.rejected",
        what="be rejected",
        note=reason,
    )


@transaction.atomic
def claim_mark_duplicate(
    *, claim: Claim, actor: User, duplicate_of: Claim | None, note: str = ""
) -> Claim:
    """pending, in_review → duplicate of another claim (not itself, no cycle)."""
    _require_reviewer(actor, "mark a claim as a duplicate")
    if duplicate_of is None:
        raise InvalidInput("duplicate_of", "Say which claim this one duplicates.")
    if duplicate_of.pk == claim.pk:
        raise InvalidInput("duplicate_of", "A claim cannot be a duplicate of itself.")
    # Walk the target's chain: if it leads back here, marking would close a cycle.
    seen: set[int] = set()
    cursor: int | None = duplicate_of.pk
    while cursor is not None and cursor not in seen:
        if cursor == claim.pk:
            raise InvalidInput(
                "duplicate_of",
                f"Claim #{duplicate_of.pk} is already a duplicate of claim #{claim.pk}; "
                "marking this one would make a cycle.",
            )
        seen.add(cursor)
        cursor = Claim.objects.filter(pk=cursor).values_list("duplicate_of_id", flat=True).first()
    return _transition(
        claim=claim,
        allowed_from=[Status.PENDING, Status.IN_REVIEW],
        to=Status.DUPLICATE,
        actor=actor,
        code="claim.marked_duplicate",
        what="be marked as a duplicate",
        note=note,
        data={"duplicate_of": duplicate_of.pk},
        duplicate_of=duplicate_of,
    )


@transaction.atomic
def claim_reopen(*, claim: Claim, actor: User, note: str) -> Claim:
    """rejected, duplicate, retracted → pending. Editors; a note is required.

    Clears the assignee and the duplicate link (the event keeps what they were)."""
    _require_editor(actor, "reopen a claim")
    note = _require_text(note, "note", "reopen a claim")
    return _transition(
        claim=claim,
        allowed_from=[Status.REJECTED, Status.DUPLICATE, Status.RETRACTED],
        to=Status.PENDING,
        actor=actor,
        code="claim.reopened",
        what="be reopened",
        note=note,
        data={"duplicate_of": claim.duplicate_of_id, "assignee_id": claim.assignee_id},
        duplicate_of=None,
        assignee=None,
    )


def _own_verdict(claim: Claim, *, lock: bool = False) -> Verdict | None:
    verdicts = Verdict.objects.filter(claim=claim, origin=Verdict.Origin.OWN)
    if lock:
        verdicts = verdicts.select_for_update()
    return verdicts.first()


@transaction.atomic
def claim_submit(*, claim: Claim, actor: User, note: str = "") -> Claim:
    """in_review → awaiting_approval. Only the assignee; needs a draft with rating and summary."""
    _require_reviewer(actor, "submit a verdict")
    if claim.status == Status.IN_REVIEW and claim.assignee_id != actor.pk:
        raise NotPermitted(f"Only the assignee of claim #{claim.pk} may submit its verdict.")
    verdict = _own_verdict(claim) if claim.status == Status.IN_REVIEW else None
    if claim.status == Status.IN_REVIEW and (
        verdict is None or verdict.rating_id is None or not verdict.summary.strip()
    ):
        raise TransitionNotAllowed(
            f"Claim #{claim.pk} needs a verdict draft with a rating and a summary before it "
            "can be submitted."
        )
    return _transition(
        claim=claim,
        allowed_from=[Status.IN_REVIEW],
        to=Status.AWAITING_APPROVAL,
        actor=actor,
        code="claim.submitted",
        what="be submitted",
        note=note,
        data={"verdict": verdict.pk, "version": verdict.version} if verdict else {},
    )


@transaction.atomic
def claim_send_back(*, claim: Claim, actor: User, note: str) -> Claim:
    """awaiting_approval → in_review, back to the assignee. Editors; a note is required."""
    _require_editor(actor, "send a verdict back")
    note = _require_text(note, "note", "send a verdict back")
    return _transition(
        claim=claim,
        allowed_from=[Status.AWAITING_APPROVAL],
        to=Status.IN_REVIEW,
        actor=actor,
        code="claim.sent_back",
        what="be sent back",
        note=note,
    )


verdict_send_back = claim_send_back


def _verdict_editors(claim: Claim) -> set[int]:
    """Everyone who wrote or edited the claim's verdict draft (for four-eyes)."""
    return set(
        ClaimEvent.objects.filter(claim=claim, code="verdict.saved", actor__isnull=False)
        .values_list("actor_id", flat=True)
        .distinct()
    )


def _embed_headline_later(claim: Claim) -> None:
    """After the commit, embed the headline the claim's published verdict now has (or drop the
    old one): claim_match compares texts with it too (claims.embeddings.claims_embed)."""
    from claims.tasks import claims_embed_later  # the tasks import matching, which is heavy

    transaction.on_commit(lambda pk=claim.pk: claims_embed_later(claim_ids=[pk]))


@transaction.atomic
def verdict_publish(*, claim: Claim, actor: User, note: str = "") -> Claim:
    """awaiting_approval → published. Editors who neither wrote nor edited the verdict."""
    _require_editor(actor, "publish a verdict")
    verdict = _own_verdict(claim, lock=True)
    if claim.status == Status.AWAITING_APPROVAL:
        if verdict is None:  # cannot happen through claim_submit; refuse rather than guess
            raise TransitionNotAllowed(f"Claim #{claim.pk} has no verdict to publish.")
        if verdict.author_id == actor.pk or actor.pk in _verdict_editors(claim):
            raise NotPermitted(
                "Four-eyes rule: you wrote or edited this verdict, so another editor must "
                "publish it."
            )
    now = timezone.now()
    claim = _transition(
        claim=claim,
        allowed_from=[Status.AWAITING_APPROVAL],
        to=Status.PUBLISHED,
        actor=actor,
        code="claim.published",
        what="be published",
        note=note,
        data={"verdict": verdict.pk if verdict else None},
    )
    assert verdict is not None
    try:
        with transaction.atomic():
            Verdict.objects.filter(pk=verdict.pk).update(
                status=Verdict.Status.PUBLISHED,
                approver=actor,
                published_at=verdict.published_at or now,
                updated_at=now,
            )
    except IntegrityError as error:  # verdict_one_published_per_claim: an imported one is live
        raise TransitionNotAllowed(
            f"Claim #{claim.pk} already has a published verdict (imported); retract it first."
        ) from error
    _embed_headline_later(claim)
    return claim


@transaction.atomic
def verdict_retract(*, claim: Claim, actor: User, note: str) -> Claim:
    """published → retracted. Editors; a public note, kept with the verdict's corrections.

    The verdict stays readable, marked retracted."""
    _require_editor(actor, "retract a verdict")
    note = _require_text(note, "note", "retract a verdict")
    verdict = _own_verdict(claim, lock=True) if claim.status == Status.PUBLISHED else None
    claim = _transition(
        claim=claim,
        allowed_from=[Status.PUBLISHED],
        to=Status.RETRACTED,
        actor=actor,
        code="claim.retracted",
        what="be retracted",
        note=note,
        data={"verdict": verdict.pk if verdict else None},
    )
    if verdict is not None:
        now = timezone.now()
        corrections = [
            *verdict.corrections,
            {"date": now.isoformat(), "note": note, "kind": "retraction"},
        ]
        Verdict.objects.filter(pk=verdict.pk).update(
            status=Verdict.Status.RETRACTED,
            corrections=corrections,
            version=verdict.version + 1,
            updated_at=now,
        )
    _embed_headline_later(claim)
    return claim


# ---------------------------------------------------------------------------------------------
# Verdict content: drafts (optimistic locking) and public corrections


@dataclass(frozen=True)
class CitationInput:
    url: str = ""
    source: Source | None = None
    quote: str = ""
    note: str = ""


@dataclass(frozen=True)
class VerdictInput:
    rating: Rating | None
    headline: str = ""
    summary: str = ""
    explanation: str = ""
    citations: Sequence[CitationInput] = ()


def _wording(verdict: Verdict) -> dict[str, Any]:
    """The verdict's public content, as kept in an event's `data` before it changes."""
    return {
        "rating": verdict.rating.slug if verdict.rating_id else None,
        "headline": verdict.headline,
        "summary": verdict.summary,
        "explanation": verdict.explanation,
        "citations": [
            {"url": c.url, "source": c.source_id, "quote": c.quote, "note": c.note}
            for c in verdict.citations.all()
        ],
    }


def _write_content(verdict: Verdict, content: VerdictInput) -> None:
    for index, citation in enumerate(content.citations):
        if not citation.url and citation.source is None:
            raise InvalidInput(f"citations[{index}]", "Each citation needs a URL or a source.")
    verdict.citations.all().delete()
    Citation.objects.bulk_create(
        Citation(
            verdict=verdict,
            url=c.url,
            source=c.source,
            quote=c.quote,
            note=c.note,
            position=position,
        )
        for position, c in enumerate(content.citations)
    )


def _stale_verdict(verdict_pk: int, based_on: int | None) -> Conflict:
    current = Verdict.objects.filter(pk=verdict_pk).values_list("version", flat=True).first()
    return StaleState(
        f"This verdict was changed by someone else since you opened it (you edited version "
        f"{based_on}, it is now version {current}). Reload it and apply your changes again; "
        "nothing was saved."
    )


def _replace_content(
    verdict: Verdict, *, content: VerdictInput, version: int, **fields: Any
) -> None:
    """Compare-and-set on the version: write `content` (and `fields`) only if the verdict is
    still at `version`, bumping it; otherwise raise StaleState and write nothing."""
    moved = Verdict.objects.filter(pk=verdict.pk, version=version).update(
        rating=content.rating,
        headline=content.headline,
        summary=content.summary,
        explanation=content.explanation,
        version=version + 1,
        updated_at=timezone.now(),
        **fields,
    )
    if moved != 1:
        raise _stale_verdict(verdict.pk, version)
    verdict.refresh_from_db()
    _write_content(verdict, content)


@transaction.atomic
def verdict_save_draft(
    *, claim: Claim, actor: User, content: VerdictInput, version: int | None
) -> Verdict:
    """Create or update the claim's own verdict draft. Only the assignee, while in review.

    `version` is the version the edit is based on (None or 0 when creating). An edit based on an
    older version raises StaleState and changes nothing. Bumps the version; writes one
    `verdict.saved` event. Citations are replaced by `content.citations`.
    """
    _require_reviewer(actor, "edit a verdict")
    # Lock the claim row so that a submit or reassignment cannot slip in between check and write.
    row = (
        Claim.objects.select_for_update()
        .filter(pk=claim.pk)
        .values_list("status", "assignee_id")
        .first()
    )
    if row is None:
        raise TransitionNotAllowed(f"Claim #{claim.pk} no longer exists.")
    status, assignee_id = row
    if status != Status.IN_REVIEW:
        raise TransitionNotAllowed(
            f"Claim #{claim.pk} is {_label(status).lower()}; its verdict can be edited only "
            "while it is in review"
            + (
                " (a published verdict changes through a correction)."
                if status == "published"
                else "."
            )
        )
    if assignee_id != actor.pk:
        raise NotPermitted(f"Only the assignee of claim #{claim.pk} may edit its verdict.")
    verdict = _own_verdict(claim)
    if verdict is None:
        if version not in (None, 0):
            raise StaleState(
                f"Claim #{claim.pk} has no verdict (yet) version {version}; reload the claim."
            )
        verdict = Verdict.objects.create(
            claim=claim,
            rating=content.rating,
            headline=content.headline,
            summary=content.summary,
            explanation=content.explanation,
            author=actor,
            status=Verdict.Status.DRAFT,
            origin=Verdict.Origin.OWN,
        )
        _write_content(verdict, content)
    else:
        if version is None:
            raise InvalidInput("version", "Send the version your edit is based on.")
        # A verdict retracted and reopened is drafted again; the retraction stays in its
        # corrections and in the event log.
        _replace_content(verdict, content=content, version=version, status=Verdict.Status.DRAFT)
    ClaimEvent.objects.create(
        claim=claim,
        code="verdict.saved",
        from_status=status,
        to_status=status,
        actor=actor,
        data={"verdict": verdict.pk, "version": verdict.version},
    )
    return verdict


@transaction.atomic
def verdict_correct(
    *, claim: Claim, actor: User, content: VerdictInput, version: int, note: str
) -> Verdict:
    """Change a published verdict. Editors; a public correction note is required.

    Appends `{"date", "note", "kind": "correction"}` to `Verdict.corrections`; the earlier
    wording goes into the `verdict.corrected` event's `data`. Optimistic locking as drafts."""
    _require_editor(actor, "correct a verdict")
    note = _require_text(note, "note", "correct a verdict")
    status = (
        Claim.objects.select_for_update()
        .filter(pk=claim.pk)
        .values_list("status", flat=True)
        .first()
    )
    if status != Status.PUBLISHED:
        raise TransitionNotAllowed(
            f"Claim #{claim.pk} is {_label(status or '?').lower()}; only a published verdict "
            "can be corrected."
        )
    verdict = _own_verdict(claim)
    if verdict is None or verdict.status != Verdict.Status.PUBLISHED:
        raise TransitionNotAllowed(f"Claim #{claim.pk} has no published verdict of ours.")
    before = _wording(verdict)
    correction = {"date": timezone.now().isoformat(), "note": note, "kind": "correction"}
    _replace_content(
        verdict, content=content, version=version, corrections=[*verdict.corrections, correction]
    )
    ClaimEvent.objects.create(
        claim=claim,
        code="verdict.corrected",
        from_status=status,
        to_status=status,
        actor=actor,
        note=note,
        data={"verdict": verdict.pk, "version": verdict.version, "before": before},
    )
    _embed_headline_later(claim)
    return verdict


# ---------------------------------------------------------------------------------------------
# What a user may do now (the admin offers exactly these; the API refuses the rest)

ACTIONS = (
    "start_review",
    "reject",
    "mark_duplicate",
    "reopen",
    "submit",
    "send_back",
    "publish",
    "correct",
    "retract",
)


def claim_available_actions(*, claim: Claim, user: User, verdict: Verdict | None) -> list[str]:
    """The actions `user` may take on `claim` now, in the order of ACTIONS."""
    editor, reviewer = user_is_editor(user), user_is_reviewer(user)
    status = claim.status
    mine = claim.assignee_id == getattr(user, "pk", None)
    offered: list[str] = []
    if reviewer and status == Status.PENDING:
        offered.append("start_review")
    if reviewer and status in (Status.PENDING, Status.IN_REVIEW):
        offered += ["reject", "mark_duplicate"]
    if editor and status in (Status.REJECTED, Status.DUPLICATE, Status.RETRACTED):
        offered.append("reopen")
    if reviewer and status == Status.IN_REVIEW and mine:
        if verdict is not None and verdict.rating_id and verdict.summary.strip():
            offered.append("submit")
    if editor and status == Status.AWAITING_APPROVAL:
        offered.append("send_back")
        if verdict is not None and verdict.author_id != user.pk:
            if user.pk not in _verdict_editors(claim):
                offered.append("publish")
    if editor and status == Status.PUBLISHED and verdict is not None:
        offered += ["correct", "retract"]
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
