"""Admin forms of the editorial workflow (issue 3): the verdict editor and the action inputs.

They only validate and convert; claims/workflow.py does the work."""

from typing import Any

from django import forms

from claims.models import Claim, Rating
from claims.roles import reviewers
from claims.verdicts import CitationInput, VerdictInput
from sources.models import Source


class CitationForm(forms.Form):
    url = forms.URLField(label="URL", required=False, max_length=2000, assume_scheme="https")
    source = forms.IntegerField(
        label="or source id", required=False, min_value=1, widget=forms.NumberInput()
    )
    quote = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 50}))
    note = forms.CharField(required=False, widget=forms.TextInput(attrs={"size": 30}))

    def clean_source(self) -> Source | None:
        source_id = self.cleaned_data.get("source")
        if source_id is None:
            return None
        source = Source.objects.only("pk", "title").filter(pk=source_id).first()
        if source is None:
            raise forms.ValidationError(f"No source #{source_id}.")
        return source

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors and not data.get("url") and data.get("source") is None:
            if data.get("quote") or data.get("note"):
                raise forms.ValidationError("Give a URL or a source id for this citation.")
        return data


CitationFormSet = forms.formset_factory(CitationForm, extra=1, can_delete=True)


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


def verdict_content(form: VerdictForm, citations: forms.BaseFormSet) -> VerdictInput:
    """The validated verdict form and citation formset as workflow input (blank rows dropped)."""
    kept = [
        CitationInput(
            url=row.cleaned_data.get("url") or "",
            source=row.cleaned_data.get("source"),
            quote=row.cleaned_data.get("quote") or "",
            note=row.cleaned_data.get("note") or "",
        )
        for row in citations.forms
        if row.cleaned_data
        and not row.cleaned_data.get("DELETE")
        and (row.cleaned_data.get("url") or row.cleaned_data.get("source"))
    ]
    data = form.cleaned_data
    return VerdictInput(
        rating=data["rating"],
        headline=data["headline"],
        summary=data["summary"],
        explanation=data["explanation"],
        citations=kept,
    )


# Action inputs (claim page buttons and the changelist's intermediate pages).


class NoteForm(forms.Form):
    note = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 60}), label="Note"
    )


class RequiredNoteForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2, "cols": 60}), label="Note")


class PublicNoteForm(forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        label="Public note",
        help_text="Published with the verdict.",
    )


class RejectForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2, "cols": 60}))


class DuplicateForm(forms.Form):
    duplicate_of = forms.IntegerField(label="Duplicate of claim #", min_value=1)
    note = forms.CharField(required=False, widget=forms.TextInput(attrs={"size": 40}))

    def clean_duplicate_of(self) -> Claim:
        pk = self.cleaned_data["duplicate_of"]
        claim = Claim.objects.only("pk", "duplicate_of").filter(pk=pk).first()
        if claim is None:
            raise forms.ValidationError(f"No claim #{pk}.")
        return claim


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(queryset=reviewers())
    note = forms.CharField(required=False, widget=forms.TextInput(attrs={"size": 40}))


# The input form each claim-page action asks for.
ACTION_FORMS: dict[str, type[forms.Form]] = {
    "start_review": NoteForm,
    "reject": RejectForm,
    "mark_duplicate": DuplicateForm,
    "reopen": RequiredNoteForm,
    "submit": NoteForm,
    "send_back": RequiredNoteForm,
    "publish": NoteForm,
    "retract": PublicNoteForm,
}
