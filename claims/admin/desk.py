"""The claims' panels on the admin home (factcheck/desk.py): what waits for the signed-in user.

Each reads a few rows in an order an index serves and an estimated count
(queue.queryset_estimated_count), so the home costs the same at a million claims as at ten.
"""

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse

from claims.admin.queue import QUEUE_ORDER, queryset_estimated_count
from claims.models import Claim, ClaimEvent, Verdict
from claims.roles import user_is_editor, user_is_reviewer
from factcheck.desk import Panel, desk_panel_register

ROWS = 6  # claims listed per panel
EXACT_BELOW = 10_000  # counted exactly below this estimate; "about" it above


def _rows(queryset: QuerySet) -> list[Claim]:
    # The source's body can be megabytes; a panel shows its title only.
    return list(queryset.select_related("source").defer("source__body")[:ROWS])


def _queue(query: str) -> str:
    return reverse("admin:claims_claim_changelist") + query


def _panel(queryset: QuerySet, *, link: str, empty: str, **extra: Any) -> dict[str, Any]:
    count = queryset_estimated_count(queryset, exact_below=EXACT_BELOW)
    return {
        "claims": _rows(queryset),
        "count": count,
        "count_text": f"about {count:,}" if count >= EXACT_BELOW else f"{count:,}",
        "link": link,
        "empty": empty,
        **extra,
    }


def my_reviews(request: HttpRequest) -> dict[str, Any] | None:
    user = request.user
    if not user_is_reviewer(user):
        return None
    mine = Claim.objects.filter(status=Claim.Status.IN_REVIEW, assignee=user)
    return _panel(
        mine.order_by("-updated_at", "-id"),
        link=_queue("?mine=yes&status=in_review"),
        empty="Nothing assigned to you is in review. Take a claim from the queue below.",
    )


def awaiting_my_approval(request: HttpRequest) -> dict[str, Any] | None:
    """Drafts an editor may publish: submitted, and neither written nor edited by them
    (four-eyes, claims/verdicts.py require_four_eyes); the longest waiting first."""
    user = request.user
    if not user_is_editor(user):
        return None
    wrote = Verdict.objects.filter(claim=OuterRef("pk"), author=user)
    edited = ClaimEvent.objects.filter(claim=OuterRef("pk"), code="verdict.saved", actor=user)
    waiting = Claim.objects.filter(status=Claim.Status.AWAITING_APPROVAL).filter(
        ~Q(Exists(wrote)), ~Q(Exists(edited))
    )
    return _panel(
        waiting.order_by("updated_at", "id"),
        link=_queue("?status=awaiting_approval"),
        empty="No draft is waiting for your approval.",
    )


def unassigned(request: HttpRequest) -> dict[str, Any] | None:
    """The top of the review queue: claims nobody has taken, most check-worthy first."""
    if not user_is_reviewer(request.user):
        return None
    pending = Claim.objects.filter(status=Claim.Status.PENDING)
    return _panel(
        pending.order_by(*QUEUE_ORDER),
        link=_queue(""),
        empty="The queue is empty: every claim has been taken.",
    )


TEMPLATE = "admin/desk/claims_panel.html"
desk_panel_register(Panel("my-reviews", "Your claims in review", TEMPLATE, my_reviews, order=10))
desk_panel_register(
    Panel("awaiting-approval", "Drafts awaiting your approval", TEMPLATE, awaiting_my_approval, 20)
)
desk_panel_register(
    Panel("unassigned", "Most check-worthy claims nobody has taken", TEMPLATE, unassigned, 30)
)
