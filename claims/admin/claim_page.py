"""The claim page: the claim in its source, one button per action the user may take now, the
verdict editor and the history. Every button goes through `claims.workflow.perform`."""

from typing import Any

from django.contrib import admin, messages
from django.db.models.functions import Substr
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_POST

from claims import workflow
from claims.actions import Action
from claims.admin.forms import (
    ActionForm,
    CitationFormSet,
    CorrectionForm,
    ImportedCorrectionForm,
    VerdictForm,
    verdict_form_input,
    verdict_initial,
)
from claims.admin.wording import action_done, actions_not_open, event_name
from claims.models import Claim, ClaimEvent, Verdict
from claims.selectors import verdict_is_public
from claims.verdicts import (
    claim_verdict,
    imported_draft,
    verdict_input_keeping_evidence,
    verdict_on_record,
    verdict_save_draft,
)
from factcheck.errors import DomainError
from sources.models import Source
from sources.parsers.titles import words_cut

CONTEXT_CHARS = 600  # source text shown on each side of the claim


def _imported(verdict: Verdict | None) -> bool:
    return verdict is not None and verdict.origin == Verdict.Origin.IMPORTED


def _public_url(verdict: Verdict | None) -> str:
    """The verdict's public page, once readers can see it (claims/selectors.py's rule)."""
    if verdict is None or not verdict_is_public(verdict.status):
        return ""
    return reverse("verdict-page", args=[verdict.pk])


def _rewrites_verdict(action: Action) -> bool:
    """A correction: its input is the verdict editor's form, not a button of its own."""
    return "content" in action.inputs


class ClaimPageMixin(admin.ModelAdmin):
    """The claim page's extra context and its two POST endpoints (verdict, actions)."""

    change_form_template = "admin/claims/claim/change_form.html"

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path(
                "<int:object_id>/verdict/",
                view(require_POST(self.verdict_view)),
                name="claims_claim_verdict",
            ),
            path(
                "<int:object_id>/workflow/<str:action>/",
                view(require_POST(self.workflow_view)),
                name="claims_claim_workflow",
            ),
            *super().get_urls(),
        ]

    def _verdict(self, claim: Claim) -> Verdict | None:
        """The verdict the page shows (verdicts.verdict_on_record), with what it renders."""
        shown = verdict_on_record(claim)
        if shown is None:
            return None
        return (
            Verdict.objects.filter(pk=shown.pk)
            .select_related("rating", "author", "approver")
            .prefetch_related("citations__source")
            .first()
        )

    def _context(self, claim: Claim) -> dict[str, str]:
        """The source text around the claim, cut at word boundaries (an ellipsis where cut)."""
        start = max(0, claim.start - CONTEXT_CHARS)
        row = (
            Source.objects.filter(pk=claim.source_id)
            .annotate(
                before=Substr("body", start + 1, claim.start - start),
                after=Substr("body", claim.end + 1, CONTEXT_CHARS),
            )
            .values("before", "after")
            .first()
        ) or {"before": "", "after": ""}
        before, after = row["before"], row["after"]
        if start > 0:  # drop the word cut through at the start, and the space after it
            cut = before.split(None, 1)
            before = "…" + (cut[1] if len(cut) == 2 else "")
        if len(after) == CONTEXT_CHARS:  # the same at the end
            after = after.rsplit(None, 1)[0].rstrip() + "…"
        return {"before": before, "after": after}

    def _position(self, claim: Claim) -> dict[str, int]:
        """Where the claim is in its source: "sentence 14 of 17" (claim_source_start_unique's
        index counts a source's claims without reading them)."""
        return {
            "number": claim.position + 1,
            "of": Claim.objects.filter(source_id=claim.source_id).count(),
        }

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        claim = self.get_object(request, object_id)
        if claim is None:
            return super().change_view(request, object_id, form_url, extra_context)
        extra = dict(extra_context or {})
        acted_on = claim_verdict(claim)
        verdict = self._verdict(claim)
        user = request.user
        available = workflow.claim_available_actions(claim=claim, user=user, verdict=acted_on)
        editable = claim.status == Claim.Status.IN_REVIEW and claim.assignee_id == user.pk
        correctable = "correct" in available
        initial = verdict_initial(acted_on)
        # The rows there are, or one to start from; more are added in place (desk.js).
        initial["citations"] = initial["citations"] or [{}]
        if (editable or correctable) and "verdict_form" not in extra:
            form_class: type[VerdictForm] = VerdictForm
            if correctable:
                form_class = ImportedCorrectionForm if _imported(acted_on) else CorrectionForm
            extra["verdict_form"] = form_class(initial=initial)
            if form_class is not ImportedCorrectionForm:  # its evidence is the fact-checker's
                extra["citation_formset"] = CitationFormSet(
                    initial=initial["citations"], prefix="citations"
                )
        typed = extra.get("action_forms", {})
        buttons = []
        for name in available:
            action = workflow.ACTIONS[name]
            if not _rewrites_verdict(action):
                buttons.append((name, action.label, typed.get(name) or ActionForm(action=action)))
        extra.update(
            {
                # The page's heading is the claim, not "Change claim".
                "title": words_cut(claim.text, 120),
                "subtitle": None,
                "claim": claim,
                "verdict": verdict,
                "verdict_mode": "correct" if correctable else ("draft" if editable else "view"),
                "correct_label": workflow.ACTIONS["correct"].label,
                "submit_hint": editable and "submit" not in available,
                "workflow_actions": buttons,
                "not_open": actions_not_open(
                    claim=claim, user=user, verdict=acted_on, available=available
                ),
                "claim_context": self._context(claim),
                "claim_position": self._position(claim),
                "imported_suggestion": imported_draft(claim),
                "public_url": _public_url(verdict),
                "events": [
                    (event, event_name(event.code))
                    for event in ClaimEvent.objects.filter(claim=claim)
                    .select_related("actor")
                    .order_by("created_at", "id")
                ],
            }
        )
        return super().change_view(request, object_id, form_url, extra)

    def _back(self, claim_id: int) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:claims_claim_change", args=[claim_id]))

    def _rerender(self, request: HttpRequest, claim_id: int, extra: dict[str, Any]) -> HttpResponse:
        """Show the claim page again with the user's input and its errors (nothing typed lost)."""
        request.method = "GET"
        return self.change_view(request, str(claim_id), extra_context=extra)

    def verdict_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """Save the verdict draft (assignee, in review)."""
        claim = get_object_or_404(Claim, pk=object_id)
        form = VerdictForm(request.POST)
        citations = CitationFormSet(request.POST, prefix="citations")
        extra = {"verdict_form": form, "citation_formset": citations}
        if not (form.is_valid() and citations.is_valid()):
            messages.error(request, "Please correct the errors in the verdict below.")
            return self._rerender(request, claim.pk, extra)
        try:
            verdict_save_draft(
                claim=claim,
                actor=request.user,
                content=verdict_form_input(form, citations),
                version=form.cleaned_data["version"],
            )
        except DomainError as error:
            messages.error(request, str(error))
            return self._rerender(request, claim.pk, extra)
        messages.success(request, "Verdict draft saved.")
        return self._back(claim.pk)

    def _correction(self, request: HttpRequest) -> tuple[dict[str, Any] | None, dict[str, Any]]:
        """The inputs of a correction of our own verdict (None if the form has errors), and
        the forms to show again."""
        form = CorrectionForm(request.POST)
        citations = CitationFormSet(request.POST, prefix="citations")
        extra = {"verdict_form": form, "citation_formset": citations}
        if not (form.is_valid() and citations.is_valid()):
            return None, extra
        data = {
            "content": verdict_form_input(form, citations),
            "version": form.cleaned_data["version"] or 0,
            "note": form.cleaned_data["note"],
        }
        return data, extra

    def _imported_correction(
        self, request: HttpRequest, verdict: Verdict
    ) -> tuple[dict[str, Any] | None, dict[str, Any]]:
        """The same for an imported review: our rating, headline and summary change; its
        explanation and evidence stay the fact-checker's."""
        form = ImportedCorrectionForm(request.POST)
        extra: dict[str, Any] = {"verdict_form": form}
        if not form.is_valid():
            return None, extra
        content = verdict_input_keeping_evidence(
            verdict,
            rating=form.cleaned_data["rating"],
            headline=form.cleaned_data["headline"],
            summary=form.cleaned_data["summary"],
        )
        data = {
            "content": content,
            "version": form.cleaned_data["version"] or 0,
            "note": form.cleaned_data["note"],
        }
        return data, extra

    def workflow_view(self, request: HttpRequest, object_id: int, action: str) -> HttpResponse:
        """One button of the claim page: validate its input, take the action, report."""
        claim = get_object_or_404(Claim, pk=object_id)
        row = workflow.ACTIONS.get(action)
        if row is None:
            return HttpResponse(f"Unknown action {action!r}.", status=404)
        extra: dict[str, Any]
        if _rewrites_verdict(row):
            verdict = claim_verdict(claim)
            if verdict is not None and _imported(verdict):
                data, extra = self._imported_correction(request, verdict)
            else:
                data, extra = self._correction(request)
            if data is None:
                messages.error(request, "Please correct the errors in the correction below.")
                return self._rerender(request, claim.pk, extra)
        else:
            action_form = ActionForm(request.POST, action=row)
            extra = {"action_forms": {action: action_form}}
            if not action_form.is_valid():
                messages.error(request, "Please correct the errors below.")
                return self._rerender(request, claim.pk, extra)
            data = action_form.cleaned_data
        try:
            workflow.perform(action, claim, request.user, **data)
        except DomainError as error:
            messages.error(request, str(error))
            return self._rerender(request, claim.pk, extra)
        claim.refresh_from_db(fields=["status", "assignee", "duplicate_of"])
        messages.success(request, action_done(action, claim))
        return self._back(claim.pk)
