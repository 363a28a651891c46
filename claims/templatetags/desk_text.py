"""Filters for the admin desk's templates: text cut at word boundaries, check-worthiness in
words, ages (`{% load desk_text %}`)."""

from datetime import datetime

from django import template
from django.utils.timesince import timesince

from claims.checkworthiness import score_level
from claims.models import Claim
from sources.parsers.titles import words_cut

register = template.Library()


@register.filter
def cut_words(text: object, limit: int = 120) -> str:
    """`text` cut at a word boundary to at most `limit` characters, with an ellipsis."""
    return words_cut(str(text or ""), int(limit))


@register.filter
def level(score: float | None) -> str:
    """The check-worthiness level an editor reads ("High"), or "Not scored"."""
    found = score_level(score)
    return found.label if found is not None else "Not scored"


@register.filter
def level_key(score: float | None) -> str:
    """The level's value for a CSS class ("high"), or "none"."""
    found = score_level(score)
    return found.value if found is not None else "none"


@register.filter
def age(moment: datetime | None, just_now: str = "under a minute") -> str:
    """How long ago, in its largest unit ("3 days"; under a minute, `just_now`: "under a
    minute" reads in a sentence, "… old"; a narrow column says "just now")."""
    if not moment:
        return ""
    largest = timesince(moment).split(",")[0]
    return just_now if largest.startswith("0\xa0") else largest


@register.filter
def status_label(status: str) -> str:
    """A claim status as the desk says it ("pending" reads "Awaiting review"); "—" for none."""
    if not status:
        return "—"
    return Claim.Status(status).label if status in Claim.Status.values else status
