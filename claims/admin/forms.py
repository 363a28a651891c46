"""The admin's forms: the verdict editor and the inputs of the workflow's actions.

They only validate and convert; claims/workflow.py and claims/verdicts.py do the work. An action's
form asks for the inputs its row of the workflow table names."""

from typing import Any

from django import forms
from django.db.models import Model, QuerySet

from claims.actions import Action
from claims.models import Claim, Rating, Verdict
from claims.roles import reviewers
from claims.verdicts import VerdictInput, verdict_input, verdict_wording
from sources.models import Source


class RowField(forms.IntegerField):
    """A row of `queryset`, typed as its number; `name` says what it is in the error."""

    def __init__(self, queryset: QuerySet, name: str, **kwargs: Any) -> None:
        self.queryset, self.name = queryset, name
        super().__init__(min_value=1, **kwargs)

    def clean(self, value: Any) -> Model | None:
        pk = super().clean(value)
        if pk is None:
            return None
        row = self.queryset.filter(pk=pk).first()
        if row is None:
            raise forms.ValidationError(f"No {self.name} #{pk}.")
        return row


class CitationForm(forms.Form):
    url = forms.URLField(label="URL", required=False, max_length=2000, assume_scheme="https")
    source = RowField(
        Source.objects.only("pk", "title"),
        "source",
        label="or source id",
        required=False,
        widget=forms.NumberInput(),
    )
    quote = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 50}))
    note = forms.CharField(required=False, widget=forms.TextInput(attrs={"size": 30}))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not self.errors and not data.get("url") and data.get("source") is None:
            if data.get("quote") or data.get("note"):
                raise forms.ValidationError("Give a URL or a source id for this citation.")
        return data


# No empty extra rows: the page adds one in place when asked (desk.js), from the empty form.
CitationFormSet = forms.formset_factory(CitationForm, extra=0, can_delete=True)


class VerdictForm(forms.Form):
    rating = forms.ModelChoiceField(queryset=Rating.objects.all(), required=False)
    headline = forms.CharField(
        required=False, max_length=300, widget=forms.TextInput(attrs={"size": 80})
    )
    summary = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3, "cols": 80}))
    explanation = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 8, "cols": 80})
    )
    # The version the edit is based on: a save from an older page is refused, not lost.
    version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)


class CorrectionForm(VerdictForm):
    note = forms.CharField(
        label="Public correction note",
        widget=forms.Textarea(attrs={"rows": 2, "cols": 80}),
        help_text="Shown to readers with the date, e.g. what was wrong and what changed.",
    )


class ImportedCorrectionForm(CorrectionForm):
    """A correction of another fact-checker's review: what we say of it (our rating, the
    headline, the summary); its explanation and evidence are theirs (verdict_add_correction)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["explanation"]


def verdict_initial(verdict: Verdict | None) -> dict[str, Any]:
    """What the verdict editor starts from: the verdict's wording and the version it is at."""
    if verdict is None:
        return {"version": 0, "citations": []}
    return {**verdict_wording(verdict), "rating": verdict.rating_id, "version": verdict.version}


def verdict_form_input(form: VerdictForm, citations: forms.BaseFormSet) -> VerdictInput:
    """The validated verdict form and citation formset as workflow input (blank and removed
    citation rows dropped)."""
    kept = [
        row.cleaned_data
        for row in citations.forms
        if row.cleaned_data
        and not row.cleaned_data.get("DELETE")
        and (row.cleaned_data.get("url") or row.cleaned_data.get("source"))
    ]
    return verdict_input({**form.cleaned_data, "citations": kept})


def _textarea() -> forms.Textarea:
    return forms.Textarea(attrs={"rows": 2, "cols": 60})


def _input_field(action: Action, name: str, *, inline: bool) -> forms.Field:
    """The form field of input `name` of `action`; `inline` when it shares the form with another
    input (a note then takes one line)."""
    required = name in action.requires
    if name == "assignee":
        return forms.ModelChoiceField(queryset=reviewers(), required=required)
    if name == "duplicate_of":
        return RowField(
            Claim.objects.only("pk", "duplicate_of"),
            "claim",
            label="Duplicate of claim #",
            required=required,
        )
    if name == "reason":
        return forms.CharField(required=required, widget=_textarea())
    if inline:
        return forms.CharField(required=required, widget=forms.TextInput(attrs={"size": 40}))
    if action.public_note:
        label, help_text = "Public note", "Published with the verdict."
    else:
        label, help_text = "Note", ""
    return forms.CharField(required=required, widget=_textarea(), label=label, help_text=help_text)


class ActionForm(forms.Form):
    """The inputs of one action of the workflow table (claim page buttons, bulk actions).

    An optional assignee is not asked for: it defaults to the user (the button says "assign to
    me"), and the queue's "Assign to…" assigns others."""

    def __init__(self, *args: Any, action: Action, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = [n for n in action.inputs if n in action.requires or n != "assignee"]
        for name in names:
            self.fields[name] = _input_field(action, name, inline=len(names) > 1)
