"""The public site's reading of a request and its wording of a verdict: the list's filter form,
its keyset cursor, and what a verdict page shows (rating tone, corrections, the claim's source).
The views in claims/views.py render these; which verdicts are public is claims.selectors'."""

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone

from factcheck.api.pagination import cursor_decode, cursor_encode
from factcheck.errors import BadParameter

PAGE_SIZE = 20
_BIGINT = 2**63 - 1
_CURSOR_FIELDS = ("listed_at", "id")


class VerdictListForm(forms.Form):
    """The home page's search and filters, all optional; `after` is the keyset cursor of the
    page after the one shown (claims.selectors.verdict_public_latest)."""

    q = forms.CharField(label="Search fact checks", required=False, max_length=200, strip=True)
    rating = forms.ChoiceField(label="Rating", required=False)
    claimant = forms.IntegerField(required=False, min_value=1, max_value=_BIGINT)
    source = forms.IntegerField(required=False, min_value=1, max_value=_BIGINT)
    since = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    after = forms.CharField(required=False)

    def __init__(self, data: Any, *, ratings: list[Mapping[str, Any]]) -> None:
        super().__init__(data)
        field = self.fields["rating"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Any rating"), *((r["slug"], r["label"]) for r in ratings)]

    def clean_after(self) -> tuple[datetime, int] | None:
        token = self.cleaned_data["after"]
        if not token:
            return None
        try:
            at, pk = cursor_decode(token=token, fields=_CURSOR_FIELDS, name="page")
        except BadParameter as error:
            raise forms.ValidationError(str(error)) from None
        return at, pk

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date comes before the start date.")
        return data

    def selection(self) -> dict[str, Any]:
        """The keyword arguments of verdict_public_latest this valid form asks for, except
        `limit` and `language`."""
        data = self.cleaned_data
        return {
            "q": data["q"],
            "rating": data["rating"],
            "claimant_id": data["claimant"],
            "source_id": data["source"],
            "since": _day_start(data["since"]),
            # Up to and including the day named: before the next day starts.
            "until": _day_start(data["until"] + timedelta(days=1) if data["until"] else None),
            "before": data["after"],
        }


def _day_start(day: date | None) -> datetime | None:
    """The first moment of `day` in the site's time zone (TIME_ZONE)."""
    if day is None:
        return None
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def page_cursor(row: dict[str, Any]) -> str:
    """The `after` token of the page that follows `row` (the last row shown)."""
    return cursor_encode((row["listed_at"], row["id"]))


def rating_tone(rating: dict[str, Any] | None) -> str:
    """How a rating reads at a glance (its badge's colour): "false", "mixed" or "true" by where
    its value sits on the scale, "other" for ratings off the scale (Unproven) or none."""
    if not rating or rating["value"] is None or rating["best"] is None:
        return "other"
    span = rating["best"] - rating["worst"]
    share = (rating["value"] - rating["worst"]) / span if span else 1.0
    # On the default scale: Pants on fire, False and Mostly false read as false; Half true as
    # mixed; Mostly true and True as true.
    if share < 0.45:
        return "false"
    if share < 0.7:
        return "mixed"
    return "true"


def corrections_shown(corrections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A verdict's public notes, oldest first as stored, each with its kind in words and its date
    as a datetime (stored as ISO 8601 text)."""
    shown = []
    for note in corrections:
        try:
            when: datetime | None = datetime.fromisoformat(note.get("date", ""))
        except ValueError:
            when = None
        if when is not None and timezone.is_naive(when):
            when = timezone.make_aware(when, UTC)
        kind = "Retraction" if note.get("kind") == "retraction" else "Correction"
        shown.append({"kind": kind, "date": when, "note": note.get("note", "")})
    return shown


def corrections_heading(shown: list[dict[str, Any]]) -> str:
    """What the list of a verdict's public notes is called, by the kinds it holds."""
    kinds = {note["kind"] for note in shown}
    if kinds == {"Retraction"}:
        return "Retraction"
    if "Retraction" in kinds:
        return "Corrections and retraction"
    return "Correction" if len(shown) == 1 else "Corrections"


def source_shown(claim: dict[str, Any]) -> dict[str, Any] | None:
    """The claim's source as a reader should see it: its title and link, its publisher and
    date; None when it says nothing the claim does not (a document without a URL whose title is
    the claim's own words, as a table or review import stores one)."""
    source = claim["source"]
    title = (source["title"] or "").strip()
    stem = title.rstrip("….").strip()
    if stem and claim["text"].startswith(stem) and not source["url"]:
        title = ""
    if not (title or source["url"]):
        return None
    return {**source, "title": title}
