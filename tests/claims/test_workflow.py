"""The workflow table: every action, from every status, for every role, through `perform`."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from claims import verdicts, workflow
from claims.actions import Role
from claims.models import Claim, ClaimEvent, Rating, Verdict
from claims.verdicts import VerdictInput
from factcheck.errors import Conflict, DomainError, Forbidden, InvalidInput
from tests.factories import ClaimFactory, VerdictFactory, staff_user

S = Claim.Status
REVIEWER_ROLES = {"reviewer", "editor", "superuser"}
EDITOR_ROLES = {"editor", "superuser"}

# DESIGN.md's table of statuses and transitions, written out independently of claims/workflow.py
# (plus `assign`, an editor's reassignment of a claim in review, and `publish_imported`, an
# editor publishing the review a claim from an untrusted import holds as a suggestion):
# action → (allowed from-statuses, roles allowed, to-status, event code)
TABLE: dict[str, tuple[set[str], set[str], str, str]] = {
    "start_review": ({S.PENDING}, REVIEWER_ROLES, S.IN_REVIEW, "claim.review_started"),
    "assign": ({S.IN_REVIEW}, EDITOR_ROLES, S.IN_REVIEW, "claim.assigned"),
    "reject": ({S.PENDING, S.IN_REVIEW}, REVIEWER_ROLES, S.REJECTED, "claim.rejected"),
    "mark_duplicate": (
        {S.PENDING, S.IN_REVIEW},
        REVIEWER_ROLES,
        S.DUPLICATE,
        "claim.marked_duplicate",
    ),
    "reopen": ({S.REJECTED, S.DUPLICATE, S.RETRACTED}, EDITOR_ROLES, S.PENDING, "claim.reopened"),
    "submit": ({S.IN_REVIEW}, REVIEWER_ROLES, S.AWAITING_APPROVAL, "claim.submitted"),
    "send_back": ({S.AWAITING_APPROVAL}, EDITOR_ROLES, S.IN_REVIEW, "claim.sent_back"),
    "publish": ({S.AWAITING_APPROVAL}, EDITOR_ROLES, S.PUBLISHED, "claim.published"),
    "publish_imported": (
        {S.PENDING, S.IN_REVIEW},
        EDITOR_ROLES,
        S.PUBLISHED,
        "claim.imported_review_published",
    ),
    "correct": ({S.PUBLISHED}, EDITOR_ROLES, S.PUBLISHED, "verdict.corrected"),
    "retract": ({S.PUBLISHED}, EDITOR_ROLES, S.RETRACTED, "claim.retracted"),
}
# DESIGN.md's "requires" column: the inputs an action refuses to do without.
REQUIRES = {
    "assign": {"assignee"},
    "reject": {"reason"},
    "mark_duplicate": {"duplicate_of"},
    "reopen": {"note"},
    "send_back": {"note"},
    "correct": {"content", "version", "note"},
    "retract": {"note"},
}
VERDICT_STATUS: dict[str, str] = {
    S.IN_REVIEW: Verdict.Status.DRAFT,
    S.AWAITING_APPROVAL: Verdict.Status.DRAFT,
    S.PUBLISHED: Verdict.Status.PUBLISHED,
    S.RETRACTED: Verdict.Status.RETRACTED,
}


def _actor(role: str) -> Any:
    groups = {"reviewer": ["Reviewers"], "editor": ["Editors"]}.get(role, [])
    return staff_user(role, *groups, superuser=role == "superuser")


def _claim_in(status: str, *, assignee: Any, author: Any, suggestion: bool = False) -> Claim:
    """A claim in `status` as the workflow leaves it; `suggestion`: with an imported review
    kept as a draft, as an untrusted import leaves it."""
    claim = ClaimFactory.create(status=status, assignee=assignee if status != S.PENDING else None)
    if status == S.DUPLICATE:
        claim.duplicate_of = ClaimFactory.create()
        claim.save()
    if status in VERDICT_STATUS:
        VerdictFactory.create(claim=claim, author=author, status=VERDICT_STATUS[status])
    if suggestion:
        VerdictFactory.create(
            claim=claim,
            origin=Verdict.Origin.IMPORTED,
            status=Verdict.Status.DRAFT,
            original_rating="False",
            publisher_site="checker.example",
            review_url=f"https://checker.example/{claim.pk}",
        )
    return claim


def _version(claim: Claim) -> int:
    verdict = Verdict.objects.filter(claim=claim).first()
    return verdict.version if verdict else 1


# A value for each input an action may require.
SAMPLES: dict[str, Callable[[Claim], Any]] = {
    "reason": lambda claim: "Opinion, not checkable.",
    "note": lambda claim: "Source withdrawn.",
    "duplicate_of": lambda claim: ClaimFactory.create(),
    "assignee": lambda claim: staff_user("other", "Reviewers"),
    "content": lambda claim: VerdictInput(
        rating=Rating.objects.get(slug="mostly-false"), summary="New."
    ),
    "version": _version,
}


def _call(action: str, claim: Claim, actor: Any) -> Any:
    """Take `action` through the one entry point, with a value for each input its row requires."""
    inputs = {name: SAMPLES[name](claim) for name in workflow.ACTIONS[action].requires}
    return workflow.perform(action, claim, actor, **inputs)


def test_the_table_declares_the_designs_transitions() -> None:
    roles = {
        Role.REVIEWER: REVIEWER_ROLES,
        Role.ASSIGNEE: REVIEWER_ROLES,
        Role.EDITOR: EDITOR_ROLES,
    }
    declared = {
        name: (set(action.sources), roles[action.role], action.target, action.event)
        for name, action in workflow.ACTIONS.items()
    }
    assert declared == TABLE
    assert {name: set(a.requires) for name, a in workflow.ACTIONS.items() if a.requires} == REQUIRES
    assert workflow.ACTIONS["submit"].role is Role.ASSIGNEE


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["reviewer", "editor", "superuser", "nobody"])
@pytest.mark.parametrize("action", list(TABLE))
@pytest.mark.parametrize("status", list(S.values))
def test_each_action_from_each_status_for_each_role(action: str, status: str, role: str) -> None:
    allowed_from, roles, to, code = TABLE[action]
    actor = _actor(role)
    author = staff_user("author", "Reviewers")
    # `submit` is the assignee's; everything else is done to a claim assigned to the author.
    assignee = actor if action == "submit" else author
    claim = _claim_in(
        status, assignee=assignee, author=author, suggestion=action == "publish_imported"
    )
    events_before = ClaimEvent.objects.count()
    offered = workflow.claim_available_actions(
        claim=claim, user=actor, verdict=verdicts.own_verdict(claim)
    )

    allowed = role in roles and status in allowed_from
    assert (action in offered) == allowed  # the admin offers exactly what is allowed
    if allowed:
        _call(action, claim, actor)
        claim.refresh_from_db()
        assert claim.status == to
        event = ClaimEvent.objects.get(claim=claim)
        assert (event.code, event.from_status, event.to_status, event.actor) == (
            code,
            status,
            to,
            actor,
        )
    else:
        expected = Forbidden if role not in roles else Conflict
        with pytest.raises(expected) as refused:
            _call(action, claim, actor)
        assert str(refused.value)  # a readable reason
        claim.refresh_from_db()
        assert claim.status == status
        assert ClaimEvent.objects.count() == events_before


@pytest.mark.django_db
@pytest.mark.parametrize("superuser", [False, True])
def test_publish_refuses_the_verdicts_own_author(superuser: bool) -> None:
    editor = staff_user("ed", "Editors", superuser=superuser)
    claim = _claim_in(S.AWAITING_APPROVAL, assignee=editor, author=editor)
    with pytest.raises(Forbidden, match="Four-eyes"):
        workflow.verdict_publish(claim=claim, actor=editor)
    claim.refresh_from_db()
    assert claim.status == S.AWAITING_APPROVAL


@pytest.mark.django_db
def test_publish_refuses_an_editor_who_edited_the_draft_someone_else_started() -> None:
    reviewer = staff_user("rev", "Reviewers")
    editor = staff_user("ed", "Editors")
    claim = ClaimFactory.create()
    workflow.claim_start_review(claim=claim, actor=reviewer)
    content = VerdictInput(rating=Rating.objects.get(slug="false"), summary="No.")
    verdict = verdicts.verdict_save_draft(claim=claim, actor=reviewer, content=content, version=0)
    workflow.claim_assign(claim=claim, actor=editor, assignee=editor)
    verdicts.verdict_save_draft(claim=claim, actor=editor, content=content, version=verdict.version)
    workflow.claim_submit(claim=claim, actor=editor)
    with pytest.raises(Forbidden, match="Four-eyes"):
        workflow.verdict_publish(claim=claim, actor=editor)
    other = staff_user("ed2", "Editors")
    workflow.verdict_publish(claim=claim, actor=other)
    verdict.refresh_from_db()
    assert (verdict.status, verdict.approver, verdict.author) == ("published", other, reviewer)
    assert verdict.published_at is not None


@pytest.mark.django_db
def test_submit_needs_a_rating_and_a_summary() -> None:
    reviewer = staff_user("rev", "Reviewers")
    claim = ClaimFactory.create(status=S.IN_REVIEW, assignee=reviewer)
    with pytest.raises(Conflict, match="rating and a summary"):
        workflow.claim_submit(claim=claim, actor=reviewer)
    VerdictFactory.create(claim=claim, author=reviewer, rating=None)
    with pytest.raises(Conflict, match="rating and a summary"):
        workflow.claim_submit(claim=claim, actor=reviewer)


@pytest.mark.django_db
def test_mark_duplicate_refuses_itself_and_cycles() -> None:
    reviewer = staff_user("rev", "Reviewers")
    first, second, third = ClaimFactory.create(), ClaimFactory.create(), ClaimFactory.create()
    with pytest.raises(InvalidInput, match="itself") as refused:
        workflow.claim_mark_duplicate(claim=first, actor=reviewer, duplicate_of=first)
    assert refused.value.field == "duplicate_of"
    workflow.claim_mark_duplicate(claim=second, actor=reviewer, duplicate_of=first)
    # first → third is fine; then third → second would close second → first → third → second.
    Claim.objects.filter(pk=first.pk).update(duplicate_of=third)
    with pytest.raises(DomainError, match="cycle"):
        workflow.claim_mark_duplicate(claim=third, actor=reviewer, duplicate_of=second)
    third.refresh_from_db()
    assert third.status == S.PENDING


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("action", "field"),
    [("reject", "reason"), ("reopen", "note"), ("send_back", "note"), ("retract", "note")],
)
def test_required_notes_are_named(action: str, field: str) -> None:
    editor = staff_user("ed", "Editors")
    status = {
        "reject": S.PENDING,
        "reopen": S.REJECTED,
        "send_back": S.AWAITING_APPROVAL,
        "retract": S.PUBLISHED,
    }[action]
    claim = _claim_in(status, assignee=editor, author=staff_user("a", "Reviewers"))
    with pytest.raises(InvalidInput) as refused:
        workflow.perform(action, claim, editor, **{field: "   "})
    assert refused.value.field == field
    assert refused.value.status_code == 400


@pytest.mark.django_db
def test_a_reviewer_cannot_assign_claims_to_others() -> None:
    reviewer, other = staff_user("rev", "Reviewers"), staff_user("other", "Reviewers")
    claim = ClaimFactory.create()
    with pytest.raises(Forbidden):
        workflow.claim_start_review(claim=claim, actor=reviewer, assignee=other)
    editor = staff_user("ed", "Editors")
    workflow.claim_start_review(claim=claim, actor=editor, assignee=other)
    claim.refresh_from_db()
    assert claim.assignee == other


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_start_reviews_exactly_one_wins() -> None:
    first, second = staff_user("first", "Reviewers"), staff_user("second", "Reviewers")
    claim_id = ClaimFactory.create().pk
    barrier = threading.Barrier(2)
    outcomes: dict[str, Any] = {}

    def take(user: Any) -> None:
        try:
            claim = Claim.objects.get(pk=claim_id)  # both read "pending"
            barrier.wait(timeout=10)
            workflow.claim_start_review(claim=claim, actor=user)
            outcomes[user.username] = "won"
        except Conflict as error:
            outcomes[user.username] = error
        finally:
            connection.close()  # each thread has its own database connection

    threads = [threading.Thread(target=take, args=(user,)) for user in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(str(type(o).__name__) for o in outcomes.values()) == ["StaleState", "str"]
    winner = next(name for name, outcome in outcomes.items() if outcome == "won")
    loser = next(outcome for outcome in outcomes.values() if outcome != "won")
    assert loser.status_code == 409 and "changed meanwhile" in str(loser)
    claim = Claim.objects.get(pk=claim_id)
    assert claim.assignee is not None
    assert (claim.status, claim.assignee.username) == (S.IN_REVIEW, winner)
    assert ClaimEvent.objects.filter(claim_id=claim_id).count() == 1


@pytest.mark.django_db
def test_available_actions_offer_exactly_what_the_user_may_do() -> None:
    reviewer, editor = staff_user("rev", "Reviewers"), staff_user("ed", "Editors")
    claim = ClaimFactory.create()
    assert workflow.claim_available_actions(claim=claim, user=reviewer, verdict=None) == [
        "start_review",
        "reject",
        "mark_duplicate",
    ]
    claim = _claim_in(S.AWAITING_APPROVAL, assignee=reviewer, author=reviewer)
    verdict = Verdict.objects.get(claim=claim)
    assert workflow.claim_available_actions(claim=claim, user=reviewer, verdict=verdict) == []
    assert workflow.claim_available_actions(claim=claim, user=editor, verdict=verdict) == [
        "send_back",
        "publish",
    ]
    claim = _claim_in(S.AWAITING_APPROVAL, assignee=editor, author=editor)
    verdict = Verdict.objects.get(claim=claim)
    assert workflow.claim_available_actions(claim=claim, user=editor, verdict=verdict) == [
        "send_back"
    ]
