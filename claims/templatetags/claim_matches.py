"""The claim page's "Checked before?" panel: earlier claims this one repeats, with verdicts."""

from typing import Any

from django import template

from claims.models import Claim, ClaimMatch, Verdict

register = template.Library()


@register.inclusion_tag("admin/claims/claim/_matches.html", takes_context=True)
def claim_matches_panel(context: template.Context, claim: Claim) -> dict[str, Any]:
    """Confirmed matches and exact duplicates are "checked before" (with the earlier claim's
    published verdict, if any); undecided matches are suggestions to confirm or dismiss."""
    matches = list(
        ClaimMatch.objects.filter(claim=claim)
        .exclude(status=ClaimMatch.Status.DISMISSED)
        .select_related("matched")
        .order_by("-score", "id")
    )
    verdicts = {
        v.claim_id: v
        for v in Verdict.objects.filter(
            claim_id__in=[m.matched_id for m in matches], status=Verdict.Status.PUBLISHED
        ).select_related("rating")
    }
    # Each match with the earlier claim's published verdict, or None.
    rows = [(m, verdicts.get(m.matched_id)) for m in matches]
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "checked_before": [
            (m, v)
            for m, v in rows
            if m.status == ClaimMatch.Status.CONFIRMED or m.kind == ClaimMatch.Kind.DUPLICATE
        ],
        "suggestions": [(m, v) for m, v in rows if m.status == ClaimMatch.Status.SUGGESTED],
        "can_decide": bool(user and user.has_perm("claims.change_claimmatch")),
        # The panel's confirm/dismiss buttons are small forms of their own.
        "csrf_token": context.get("csrf_token"),
    }
