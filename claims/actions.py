"""What an action of the editorial workflow is, and the checks its row implies.

claims/workflow.py declares every action once, as an `Action` in its table (`ACTIONS`), and
performs them. The checks here read a row: may this actor take the action (its role), has it
been given the inputs it requires, and does the claim's verdict allow it (its `check`). The
workflow runs them before it writes anything; the list of what a user may do now runs the same
ones, so the admin offers exactly what the workflow allows.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from claims.models import Claim, Verdict
from claims.roles import AnyUser, user_is_editor, user_is_reviewer
from factcheck.errors import Forbidden, InvalidInput


class Role(StrEnum):
    """Who may take an action (claims/roles.py says who reviewers and editors are)."""

    REVIEWER = "reviewer"  # reviewers and editors
    EDITOR = "editor"
    ASSIGNEE = "assignee"  # the reviewer or editor the claim is assigned to


@dataclass(frozen=True)
class Action:
    """One row of the workflow table."""

    name: str
    label: str  # the admin button's words
    sources: tuple[str, ...]  # the statuses it starts from
    target: str  # the status it leads to
    role: Role
    event: str  # the code of the ClaimEvent it writes
    run: Callable[..., Claim | Verdict]  # performs it, given claim=, actor= and the inputs
    doing: str  # "reject a claim": what a refusal says the user tried
    becoming: str  # "be rejected": what a claim in another status cannot
    requires: tuple[str, ...] = ()  # inputs refused when missing or blank
    optional: tuple[str, ...] = ()  # inputs it takes besides
    # What else it needs once the claim is in a status it starts from, given the claim, the
    # actor and the claim's own verdict: raises a DomainError to refuse.
    check: Callable[[Claim, AnyUser, Verdict | None], object] | None = None
    on_verdict: bool = False  # acts on the claim's own verdict: offered only when there is one
    public_note: bool = False  # its note is published with the verdict
    announces: str = ""  # the webhook event it records (webhooks/outbox.py), if any

    @property
    def inputs(self) -> tuple[str, ...]:
        return (*self.requires, *self.optional)


def authorize(action: Action, claim: Claim, actor: AnyUser) -> None:
    """Refuse an actor who lacks the row's role (Forbidden, HTTP 403)."""
    if action.role is Role.EDITOR:
        if not user_is_editor(actor):
            raise Forbidden(f"Only editors may {action.doing}.")
    elif not user_is_reviewer(actor):
        raise Forbidden(f"Only reviewers and editors may {action.doing}.")
    mine = claim.assignee_id == actor.pk
    if action.role is Role.ASSIGNEE and claim.status in action.sources and not mine:
        raise Forbidden(f"Only the assignee of claim #{claim.pk} may {action.doing}.")


_MISSING = {
    "assignee": "Say whom to assign the claim to.",
    "content": "Send the verdict's new wording.",
    "duplicate_of": "Say which claim this one duplicates.",
}


def require_inputs(action: Action, inputs: dict[str, Any]) -> dict[str, Any]:
    """`inputs` with text stripped, once none that the row requires is missing or blank;
    otherwise InvalidInput naming it (HTTP 400)."""
    given = dict(inputs)
    for field in action.requires:
        value = given.get(field)
        if isinstance(value, str):
            value = given[field] = value.strip()
        if value is None or value == "":
            message = _MISSING.get(field) or f"A {field} is required to {action.doing}."
            raise InvalidInput(field, message)
    return given


def check_ready(action: Action, claim: Claim, actor: AnyUser, verdict: Verdict | None) -> None:
    """Run the row's `check`, if it has one and the claim is in a status it starts from."""
    if action.check is not None and claim.status in action.sources:
        action.check(claim, actor, verdict)
