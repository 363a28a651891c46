"""The newsroom's admin. The claim list is the review queue; the claim page is where a claim is
reviewed (verdict editor, one button per action the user may take now, history).

Every status change goes through claims/workflow.py; the admin never saves a status itself.
"""

import json
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import admin, messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Exists, F, OrderBy, OuterRef, QuerySet
from django.db.models.functions import Substr
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.timesince import timesince
from django.views.decorators.http import require_POST

from claims import workflow
from claims.forms import (
    ACTION_FORMS,
    AssignForm,
    CitationFormSet,
    CorrectionForm,
    DuplicateForm,
    RejectForm,
    VerdictForm,
    staff_reviewers,
    verdict_content,
)
from claims.matching import claim_match_confirm, claim_match_dismiss
from claims.models import Citation, Claim, Claimant, ClaimEvent, ClaimMatch, Rating, Verdict
from factcheck.api import DomainError
from sources.models import Source

LOOKUP_CACHE_SECONDS = 60  # filter choices that change rarely (scale, languages, staff)
CONTEXT_CHARS = 600  # source text shown on each side of the claim
ACTION_LABELS = {
    "start_review": "Start review (assign to me)",
    "reject": "Reject",
    "mark_duplicate": "Mark as duplicate",
    "reopen": "Reopen",
    "submit": "Submit for approval",
    "send_back": "Send back to the reviewer",
    "publish": "Publish",
    "retract": "Retract",
}


class EstimatedCountPaginator(Paginator):
    """Never counts a large table: PostgreSQL's own estimate instead of COUNT(*).

    Unfiltered: the table's `reltuples`. Filtered: the planner's row estimate (EXPLAIN), and an
    exact count only when that estimate is small enough for counting to be cheap.
    """

    EXACT_BELOW = 10_000

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not isinstance(queryset, QuerySet):
            return super().count
        table = queryset.model._meta.db_table
        with connection.cursor() as cursor:
            if not queryset.query.where:
                cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])
                row = cursor.fetchone()
                estimate = int(row[0]) if row else -1
                if estimate >= self.EXACT_BELOW:
                    return estimate
            else:
                sql, params = queryset.order_by().values("pk").query.sql_with_params()
                cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
                plan = cursor.fetchone()[0]
                plan = json.loads(plan) if isinstance(plan, str) else plan
                estimate = int(plan[0]["Plan"]["Plan Rows"])
                if estimate >= self.EXACT_BELOW:
                    return estimate
        return super().count


# ---------------------------------------------------------------------------------------------
# Review queue filters. Each lists its choices without scanning the claims table.


class StatusFilter(admin.SimpleListFilter):
    """Defaults to the queue ("Awaiting review"); "All" is an explicit choice."""

    title = "status"
    parameter_name = "status"
    default = Claim.Status.PENDING.value

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [("all", "All"), *Claim.Status.choices]

    def value(self) -> str:
        return super().value() or self.default

    def choices(self, changelist: Any) -> Any:
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value == "all":
            return queryset
        if value not in Claim.Status.values:
            return queryset.none()
        return queryset.filter(status=value)


class AssignedToMeFilter(admin.SimpleListFilter):
    title = "assigned to me"
    parameter_name = "mine"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [("yes", "Assigned to me")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(assignee=request.user)
        return queryset


class _IdFilter(admin.SimpleListFilter):
    """A filter by foreign key whose choices are a few rows, plus the selected one."""

    def _ids(self) -> int | None:
        value = self.value()
        return int(value) if value and value.isdigit() else None

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() is None:
            return queryset
        selected = self._ids()
        return queryset.filter(**{self.field: selected}) if selected else queryset.none()


class AssigneeFilter(_IdFilter):
    title = "assignee"
    parameter_name = "assignee"
    field = "assignee_id"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return cache.get_or_set(
            "claims:admin:assignees",
            lambda: [(str(u.pk), u.get_username()) for u in staff_reviewers()],
            LOOKUP_CACHE_SECONDS,
        )


class SourceFilter(_IdFilter):
    """The newest sources; any other one by following "claims" from the source's page."""

    title = "source (newest; others from the source's page)"
    parameter_name = "source"
    field = "source_id"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        rows = Source.objects.order_by("-id").values_list("pk", "title", "origin")[:8]
        selected = self._ids()
        if selected and selected not in {pk for pk, _, _ in rows}:
            rows = [*Source.objects.filter(pk=selected).values_list("pk", "title", "origin"), *rows]
        return [(str(pk), (title or origin or f"Source #{pk}")[:60]) for pk, title, origin in rows]


class ClaimantFilter(_IdFilter):
    title = "claimant (first 20; others from the claimant's page)"
    parameter_name = "claimant"
    field = "claimant_id"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        rows = list(Claimant.objects.order_by("name").values_list("pk", "name")[:20])
        selected = self._ids()
        if selected and selected not in {pk for pk, _ in rows}:
            rows = [*Claimant.objects.filter(pk=selected).values_list("pk", "name"), *rows]
        return [(str(pk), name) for pk, name in rows]


class LanguageFilter(admin.SimpleListFilter):
    """Languages of the sources (a much smaller table than claims), cached briefly."""

    title = "language"
    parameter_name = "language"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return cache.get_or_set(
            "claims:admin:languages",
            lambda: [
                (code, code)
                for code in Source.objects.exclude(language="")
                .order_by("language")
                .values_list("language", flat=True)
                .distinct()
            ],
            LOOKUP_CACHE_SECONDS,
        )

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(language=self.value()) if self.value() else queryset


class RatingFilter(admin.SimpleListFilter):
    """Claims with a verdict (ours or imported) of this rating."""

    title = "rating"
    parameter_name = "rating"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return cache.get_or_set(
            "claims:admin:ratings",
            lambda: list(Rating.objects.values_list("slug", "label")),
            LOOKUP_CACHE_SECONDS,
        )

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if not self.value():
            return queryset
        rated = Verdict.objects.filter(claim=OuterRef("pk"), rating__slug=self.value())
        return queryset.filter(Exists(rated))


# ---------------------------------------------------------------------------------------------
# Claim: review queue and review page


def _action_page(
    model_admin: "ClaimAdmin",
    request: HttpRequest,
    queryset: QuerySet,
    *,
    action: str,
    title: str,
    form_class: type,
    apply: Callable[[Claim, dict[str, Any]], Any],
) -> TemplateResponse | None:
    """A bulk action that asks for input first (an intermediate page), then applies `apply` to
    each selected claim through the workflow and reports what happened."""
    form = form_class(request.POST if "apply" in request.POST else None)
    if "apply" in request.POST and form.is_valid():
        model_admin.apply_each(request, queryset, lambda claim: apply(claim, form.cleaned_data))
        return None
    return TemplateResponse(
        request,
        "admin/claims/claim/action_form.html",
        {
            **model_admin.admin_site.each_context(request),
            "title": title,
            "form": form,
            "action": action,
            "claims": queryset[:100],
            "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
            "opts": model_admin.model._meta,
            "select_across": request.POST.get("select_across", "0"),
        },
    )


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ["short_text", "status_label", "assignee", "source_title", "age"]
    list_display_links = ["short_text"]
    list_filter = [
        StatusFilter,
        AssignedToMeFilter,
        AssigneeFilter,
        SourceFilter,
        ClaimantFilter,
        LanguageFilter,
        RatingFilter,
    ]
    # icontains: UPPER(text) LIKE UPPER('%term%'), served by the claim_text_trgm_idx index.
    search_fields = ["text"]
    search_help_text = "Words in the claim text (at least three letters each)."
    # The queue: most check-worthy first (score is NULL until scoring exists), then newest.
    ordering = [OrderBy(F("score"), descending=True, nulls_last=True), "-created_at", "-id"]
    sortable_by = ["age"]
    list_per_page = 50
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # facet counts would COUNT the table per choice
    actions = ["start_review_action", "assign_action", "reject_action", "mark_duplicate_action"]
    change_form_template = "admin/claims/claim/change_form.html"
    fields = [
        "status_label",
        "assignee",
        "source_link",
        "claimant",
        "claim_date",
        "language",
        "score",
        "duplicate_of_link",
        "created_at",
        "updated_at",
    ]
    readonly_fields = [
        "status_label",
        "assignee",
        "source_link",
        "score",
        "duplicate_of_link",
        "created_at",
        "updated_at",
    ]
    raw_id_fields = ["claimant"]

    # -- permissions: claims come from imports and are evidence; nobody adds or deletes here.

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_review_permission(self, request: HttpRequest) -> bool:
        return workflow.user_is_reviewer(request.user)

    def has_editor_permission(self, request: HttpRequest) -> bool:
        return workflow.user_is_editor(request.user)

    # -- the list

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # The source's body can be megabytes; the list shows only its title.
        return (
            super()
            .get_queryset(request)
            .select_related("assignee", "source")
            .defer("source__body", "source__import_run_id")
        )

    @admin.display(description="claim")
    def short_text(self, claim: Claim) -> str:
        return claim.text if len(claim.text) <= 160 else claim.text[:157] + "…"

    @admin.display(description="status", ordering="status")
    def status_label(self, claim: Claim) -> str:
        return claim.get_status_display()

    @admin.display(description="source")
    def source_title(self, claim: Claim) -> str:
        return str(claim.source)[:60]

    @admin.display(description="age", ordering="created_at")
    def age(self, claim: Claim) -> str:
        return timesince(claim.created_at).split(",")[0]

    @admin.display(description="source")
    def source_link(self, claim: Claim) -> str:
        url = reverse("admin:sources_source_change", args=[claim.source_id])
        return format_html('<a href="{}">{}</a>', url, claim.source)

    @admin.display(description="duplicate of")
    def duplicate_of_link(self, claim: Claim) -> str:
        if claim.duplicate_of_id is None:
            return "—"
        url = reverse("admin:claims_claim_change", args=[claim.duplicate_of_id])
        return format_html('<a href="{}">claim #{}</a>', url, claim.duplicate_of_id)

    # -- bulk actions: each calls the workflow per claim and reports successes and refusals

    def apply_each(
        self, request: HttpRequest, queryset: QuerySet, apply: Callable[[Claim], Any]
    ) -> None:
        done, refused = 0, []
        for claim in queryset.order_by("pk")[:1000]:
            try:
                apply(claim)
                done += 1
            except DomainError as error:
                refused.append(str(error))
        if done:
            self.message_user(request, f"{done} claim(s) updated.", messages.SUCCESS)
        for reason in refused[:10]:
            self.message_user(request, reason, messages.ERROR)
        if len(refused) > 10:
            self.message_user(request, f"…and {len(refused) - 10} more refused.", messages.ERROR)

    @admin.action(description="Start review (assign to me)", permissions=["review"])
    def start_review_action(self, request: HttpRequest, queryset: QuerySet) -> None:
        self.apply_each(
            request,
            queryset,
            lambda claim: workflow.claim_start_review(claim=claim, actor=request.user),
        )

    @admin.action(description="Assign to…", permissions=["editor"])
    def assign_action(self, request: HttpRequest, queryset: QuerySet) -> TemplateResponse | None:
        def assign(claim: Claim, data: dict[str, Any]) -> Claim:
            if claim.status == Claim.Status.IN_REVIEW:
                return workflow.claim_assign(claim=claim, actor=request.user, **data)
            return workflow.claim_start_review(claim=claim, actor=request.user, **data)

        return _action_page(
            self,
            request,
            queryset,
            action="assign_action",
            title="Assign claims",
            form_class=AssignForm,
            apply=assign,
        )

    @admin.action(description="Reject…", permissions=["review"])
    def reject_action(self, request: HttpRequest, queryset: QuerySet) -> TemplateResponse | None:
        return _action_page(
            self,
            request,
            queryset,
            action="reject_action",
            title="Reject claims",
            form_class=RejectForm,
            apply=lambda claim, data: workflow.claim_reject(
                claim=claim, actor=request.user, reason=data["reason"]
            ),
        )

    @admin.action(description="Mark duplicate of…", permissions=["review"])
    def mark_duplicate_action(
        self, request: HttpRequest, queryset: QuerySet
    ) -> TemplateResponse | None:
        return _action_page(
            self,
            request,
            queryset,
            action="mark_duplicate_action",
            title="Mark claims as duplicates",
            form_class=DuplicateForm,
            apply=lambda claim, data: workflow.claim_mark_duplicate(
                claim=claim, actor=request.user, **data
            ),
        )

    # -- the claim page

    def get_urls(self) -> list:
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
        """The claim's own verdict (at most one: verdict_one_own_per_claim)."""
        return (
            Verdict.objects.filter(claim=claim, origin=Verdict.Origin.OWN)
            .select_related("rating", "author", "approver")
            .prefetch_related("citations__source")
            .first()
        )

    def _context(self, claim: Claim) -> dict[str, str]:
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
        return {
            "before": ("…" if start > 0 else "") + row["before"],
            "after": row["after"] + ("…" if len(row["after"]) == CONTEXT_CHARS else ""),
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
        verdict = self._verdict(claim)
        user = request.user
        available = workflow.claim_available_actions(claim=claim, user=user, verdict=verdict)
        editable = claim.status == Claim.Status.IN_REVIEW and claim.assignee_id == user.pk
        correctable = "correct" in available
        initial = self._verdict_initial(verdict)
        if (editable or correctable) and "verdict_form" not in extra:
            form_class = CorrectionForm if correctable else VerdictForm
            extra["verdict_form"] = form_class(initial=initial)
            extra["citation_formset"] = CitationFormSet(
                initial=initial["citations"], prefix="citations"
            )
        extra.setdefault("action_forms", {})
        action_forms = [
            (name, ACTION_LABELS[name], extra["action_forms"].get(name) or ACTION_FORMS[name]())
            for name in available
            if name != "correct"
        ]
        extra.update(
            {
                "claim": claim,
                "verdict": verdict,
                "verdict_mode": "correct" if correctable else ("draft" if editable else "view"),
                "submit_hint": editable and "submit" not in available,
                "workflow_actions": action_forms,
                "claim_context": self._context(claim),
                "events": ClaimEvent.objects.filter(claim=claim)
                .select_related("actor")
                .order_by("created_at", "id"),
            }
        )
        return super().change_view(request, object_id, form_url, extra)

    @staticmethod
    def _verdict_initial(verdict: Verdict | None) -> dict[str, Any]:
        if verdict is None:
            return {"version": 0, "citations": []}
        return {
            "rating": verdict.rating_id,
            "headline": verdict.headline,
            "summary": verdict.summary,
            "explanation": verdict.explanation,
            "version": verdict.version,
            "citations": [
                {"url": c.url, "source": c.source_id, "quote": c.quote, "note": c.note}
                for c in verdict.citations.all()
            ],
        }

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
            workflow.verdict_save_draft(
                claim=claim,
                actor=request.user,
                content=verdict_content(form, citations),
                version=form.cleaned_data["version"],
            )
        except DomainError as error:
            messages.error(request, str(error))
            return self._rerender(request, claim.pk, extra)
        messages.success(request, "Verdict draft saved.")
        return self._back(claim.pk)

    def workflow_view(self, request: HttpRequest, object_id: int, action: str) -> HttpResponse:
        """One button of the claim page: validate its input, call the workflow, report."""
        claim = get_object_or_404(Claim, pk=object_id)
        user = request.user
        if action == "correct":
            form = CorrectionForm(request.POST)
            citations = CitationFormSet(request.POST, prefix="citations")
            extra: dict[str, Any] = {"verdict_form": form, "citation_formset": citations}
            if not (form.is_valid() and citations.is_valid()):
                messages.error(request, "Please correct the errors in the correction below.")
                return self._rerender(request, claim.pk, extra)

            def call() -> Any:
                return workflow.verdict_correct(
                    claim=claim,
                    actor=user,
                    content=verdict_content(form, citations),
                    version=form.cleaned_data["version"] or 0,
                    note=form.cleaned_data["note"],
                )
        elif action in ACTION_FORMS:
            form = ACTION_FORMS[action](request.POST)
            extra = {"action_forms": {action: form}}
            if not form.is_valid():
                messages.error(request, "Please correct the errors below.")
                return self._rerender(request, claim.pk, extra)
            data = form.cleaned_data
            calls: dict[str, Callable[[], Any]] = {
                "start_review": lambda: workflow.claim_start_review(
                    claim=claim, actor=user, note=data["note"]
                ),
                "reject": lambda: workflow.claim_reject(
                    claim=claim, actor=user, reason=data["reason"]
                ),
                "mark_duplicate": lambda: workflow.claim_mark_duplicate(
                    claim=claim, actor=user, duplicate_of=data["duplicate_of"], note=data["note"]
                ),
                "reopen": lambda: workflow.claim_reopen(claim=claim, actor=user, note=data["note"]),
                "submit": lambda: workflow.claim_submit(claim=claim, actor=user, note=data["note"]),
                "send_back": lambda: workflow.claim_send_back(
                    claim=claim, actor=user, note=data["note"]
                ),
                "publish": lambda: workflow.verdict_publish(
                    claim=claim, actor=user, note=data["note"]
                ),
                "retract": lambda: workflow.verdict_retract(
                    claim=claim, actor=user, note=data["note"]
                ),
            }
            call = calls[action]
        else:
            return HttpResponse(f"Unknown action {action!r}.", status=404)
        try:
            call()
        except DomainError as error:
            messages.error(request, str(error))
            return self._rerender(request, claim.pk, extra)
        claim.refresh_from_db(fields=["status"])
        messages.success(
            request, f"Done: {action.replace('_', ' ')}. Claim is {claim.get_status_display()}."
        )
        return self._back(claim.pk)


@admin.register(Claimant)
class ClaimantAdmin(admin.ModelAdmin):
    list_display = ["name", "description", "claims_link", "created_at"]
    search_fields = ["name", "description"]

    @admin.display(description="claims")
    def claims_link(self, claimant: Claimant) -> str:
        url = reverse("admin:claims_claim_changelist") + f"?claimant={claimant.pk}&status=all"
        return format_html('<a href="{}">claims</a>', url)


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    """The published scale. Editors manage it (model permissions); reviewers may only read it."""

    list_display = ["label", "slug", "value", "order"]
    prepopulated_fields = {"slug": ["label"]}


class CitationInline(admin.TabularInline):
    model = Citation
    extra = 0
    fields = ["position", "url", "source", "quote", "note"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Verdict)
class VerdictAdmin(admin.ModelAdmin):
    """Verdicts to browse. They are written on their claim's page, through the workflow."""

    list_display = ["__str__", "claim_link", "rating", "status", "origin", "author", "updated_at"]
    list_filter = ["status", "origin", "rating"]
    search_fields = ["headline"]
    list_select_related = ["rating", "author"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    inlines = [CitationInline]

    @admin.display(description="claim")
    def claim_link(self, verdict: Verdict) -> str:
        url = reverse("admin:claims_claim_change", args=[verdict.claim_id])
        return format_html('<a href="{}">claim #{}</a>', url, verdict.claim_id)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ClaimEvent)
class ClaimEventAdmin(admin.ModelAdmin):
    """The audit log: append-only, so read-only here (a trigger enforces it in the database)."""

    list_display = ["created_at", "code", "claim", "from_status", "to_status", "actor"]
    list_filter = ["code"]
    search_fields = ["code", "note"]
    list_select_related = ["claim", "actor"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ClaimMatch)
class ClaimMatchAdmin(admin.ModelAdmin):
    """Matches found on import; editors confirm or dismiss them (each logs a ClaimEvent)."""

    list_display = ["claim", "matched", "kind", "score", "status", "decided_by", "created_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["claim", "matched", "decided_by"]
    raw_id_fields = ["claim", "matched"]
    readonly_fields = ["claim", "matched", "kind", "score", "status", "decided_by", "decided_at"]
    actions = ["confirm_matches", "dismiss_matches"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_urls(self) -> list:
        decide = self.admin_site.admin_view(self.decide_view)
        return [
            path(
                "<int:pk>/<str:decision>/",
                decide,
                name="claims_claimmatch_decide",
            ),
            *super().get_urls(),
        ]

    def decide_view(self, request: HttpRequest, pk: int, decision: str) -> HttpResponse:
        """POST from the claim page's panel: confirm or dismiss one match, back to the claim."""
        match = get_object_or_404(ClaimMatch, pk=pk)
        if request.method != "POST" or decision not in _DECISIONS:
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request, match):
            raise PermissionDenied
        self._decide(request, [match], decision)
        return redirect("admin:claims_claim_change", match.claim_id)

    @admin.action(description="Confirm selected matches", permissions=["change"])
    def confirm_matches(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._decide(request, queryset, "confirm")

    @admin.action(description="Dismiss selected matches", permissions=["change"])
    def dismiss_matches(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._decide(request, queryset, "dismiss")

    def _decide(self, request: HttpRequest, matches: Iterable[ClaimMatch], decision: str) -> None:
        service = _DECISIONS[decision]
        done = 0
        for match in matches:
            try:
                service(match=match, actor=request.user)
                done += 1
            except DomainError as error:
                self.message_user(request, str(error), messages.WARNING)
        if done:
            self.message_user(request, f"{decision.capitalize()}ed {done} match(es).")


_DECISIONS = {"confirm": claim_match_confirm, "dismiss": claim_match_dismiss}
