"""The claim page's words: history events by name, what an action did, and why an action the
claim's status allows is not open to this user. The rules themselves are the workflow table's
(claims/workflow.py, claims/actions.py); this module only says them in plain English."""

from django.contrib.auth.models import User
from django.db.models import Q

from claims import workflow
from claims.actions import authorize, check_ready
from claims.models import Claim, ClaimEvent, Verdict
from claims.roles import AnyUser
from claims.templatetags.desk_text import status_label
from factcheck.errors import DomainError

# Events whose generic name ("Claim review started") reads worse than these.
EVENT_NAMES = {
    "claim.review_started": "Review started",
    "claim.assigned": "Reassigned",
    "claim.submitted": "Submitted for approval",
    "claim.sent_back": "Sent back to the reviewer",
    "claim.published": "Verdict published",
    "claim.retracted": "Verdict retracted",
    "claim.reopened": "Reopened",
    "claim.rejected": "Rejected as not checkable",
    "claim.marked_duplicate": "Marked as a duplicate",
    "claim.duplicate_found": "Found to repeat an earlier claim (on import)",
    "claim.imported": "Imported with another fact-checker's review",
    "claim.imported_review_published": "Imported review published",
    "claim.withdrawn": "Withdrawn (its import was undone)",
    "verdict.saved": "Verdict draft saved",
    "verdict.corrected": "Correction published",
    "match.confirmed": "Match confirmed",
    "match.dismissed": "Match dismissed",
}


def event_name(code: str) -> str:
    """A history event's name: "claim.review_started" reads "Review started"; a code this
    module does not know reads as its words ("verdict.reworded" → "Verdict reworded")."""
    if code in EVENT_NAMES:
        return EVENT_NAMES[code]
    subject, _, verb = code.partition(".")
    return f"{subject} {verb}".replace("_", " ").strip().capitalize()


def action_done(name: str, claim: Claim) -> str:
    """What action `name` did to `claim` (as it is now), for the message after the button."""
    assignee = claim.assignee.get_username() if claim.assignee else "nobody"
    return {
        "start_review": f"Review started: the claim is assigned to {assignee}.",
        "assign": f"The claim is now assigned to {assignee}.",
        "reject": "Claim rejected: it leaves the review queue.",
        "mark_duplicate": f"Marked as a duplicate of claim #{claim.duplicate_of_id}.",
        "reopen": "Claim reopened: it is back in the review queue, awaiting review.",
        "submit": "Submitted for approval: another editor will publish or send it back.",
        "send_back": f"Sent back to {assignee} with your note.",
        "publish": "Published: the verdict is public now.",
        "publish_imported": "Published: the imported review is the claim's public verdict now.",
        "correct": "Correction published: readers see the new wording with your note.",
        "retract": "Verdict retracted: it stays readable, marked retracted, with your note.",
    }.get(name, f"{workflow.ACTIONS[name].label}: done. The claim is {status_label(claim.status)}.")


def publishers(claim: Claim, verdict: Verdict) -> list[str]:
    """Editors who may publish `verdict` under the four-eyes rule: neither its author nor an
    editor of its draft (claims/verdicts.py require_four_eyes). At most five names."""
    from claims.defaults import EDITORS

    edited = ClaimEvent.objects.filter(claim=claim, code="verdict.saved").values("actor")
    editors = (
        User.objects.filter(is_active=True)
        .filter(Q(groups__name=EDITORS) | Q(is_superuser=True))
        .exclude(pk=verdict.author_id or 0)
        .exclude(pk__in=edited.exclude(actor=None))
        .distinct()
        .order_by("username")
    )
    return [user.get_full_name() or user.get_username() for user in editors[:5]]


def actions_not_open(
    *, claim: Claim, user: AnyUser, verdict: Verdict | None, available: list[str]
) -> list[tuple[str, str]]:
    """(label, why) for each action the claim's status allows that `user` may not take now:
    the refusal the workflow's own checks give (claims/actions.py), and for the four-eyes
    rule, who may publish instead."""
    shown = []
    for name, action in workflow.ACTIONS.items():
        if name in available or claim.status not in action.sources:
            continue
        if action.on_verdict and verdict is None:
            continue  # nothing to act on yet: the verdict section says so
        if name == "publish_imported":
            continue  # only for claims that hold an imported review, which its panel explains
        if "content" in action.inputs:
            continue  # a correction is the verdict form, explained there
        try:
            authorize(action, claim, user)
            check_ready(action, claim, user, verdict)
        except DomainError as refusal:
            why = str(refusal)
            if name == "publish" and verdict is not None and "Four-eyes" in why:
                names = publishers(claim, verdict)
                why += (
                    f" Editors who may publish it: {', '.join(names)}."
                    if names
                    else " No other editor may publish it yet: ask for one to be added."
                )
            shown.append((action.label, why))
    return shown
