"""Reads on sources."""

from collections.abc import Mapping
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from claims.models import Claim
from claims.selectors import claim_public_q
from sources.models import Source


def source_list(*, staff: bool) -> QuerySet[Source, Mapping[str, Any]]:
    """Sources by id, as dicts: staff see all; anyone else only sources of public claims."""
    sources = Source.objects.all()
    if not staff:
        public = Claim.objects.filter(claim_public_q(), source_id=OuterRef("pk"))
        sources = sources.filter(Exists(public))
    return sources.values(
        "id", "title", "url", "publisher", "author", "published_at", "language", "created_at"
    ).order_by("id")
