"""The claim page's "Checked before?" panel: the claims this one matches, whichever arrived
first, with their verdicts (claims/matching/checked_before.py)."""

from typing import Any

from django import template

from claims.matching.checked_before import claim_checked_before
from claims.models import Claim

register = template.Library()


@register.inclusion_tag("admin/claims/claim/_matches.html", takes_context=True)
def claim_matches_panel(context: template.Context, claim: Claim) -> dict[str, Any]:
    """The same claim with a verdict in force is "checked before"; undecided suggestions are
    for an editor to confirm or dismiss; the same claim without a verdict is listed apart."""
    shown = claim_checked_before(claim=claim)
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "claim": claim,
        "checked_before": shown.checked,
        "suggestions": shown.suggested,
        "unchecked": shown.unchecked,
        "can_decide": bool(user and user.has_perm("claims.change_claimmatch")),
        # The panel's confirm/dismiss buttons are small forms of their own.
        "csrf_token": context.get("csrf_token"),
    }
