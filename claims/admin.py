"""The newsroom's admin. The claim list is the review queue (claims/admin_queue.py); the claim
page is where a claim is reviewed (claims/admin_review.py).

Every status change goes through claims/workflow.py; the admin never saves a status itself.
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import F, OrderBy, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.timesince import timesince

from claims import workflow
from claims.admin_queue import (
    AssignedToMeFilter,
    AssigneeFilter,
    ClaimantFilter,
    EstimatedCountPaginator,
    LanguageFilter,
    RatingFilter,
    SourceFilter,
    StatusFilter,
)
from claims.admin_review import ClaimReviewMixin
from claims.exports import verdict_csv_lines
from claims.forms import AssignForm, DuplicateForm, RejectForm
from claims.matching.decisions import claim_match_confirm, claim_match_dismiss
from claims.models import ApiKey, Citation, Claim, Claimant, ClaimEvent, ClaimMatch, Rating, Verdict
from claims.roles import user_is_editor, user_is_reviewer
from claims.selectors import claim_search, verdict_public_iter, verdict_public_queryset
from claims.services import api_key_assign, api_key_generate
from factcheck.errors import DomainError

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
class ClaimAdmin(ClaimReviewMixin, admin.ModelAdmin):
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
    # Full-text search over the stored `search_vector` (get_search_results below).
    search_fields = ["text"]
    search_help_text = (
        'Words in the claim text, any form ("vaccine" finds "vaccines"); "quoted phrase", '
        "-word to exclude, or to allow either."
    )
    # The queue: most check-worthy first (score is NULL until scoring exists), then newest.
    ordering = [OrderBy(F("score"), descending=True, nulls_last=True), "-created_at", "-id"]
    sortable_by = ["age"]
    list_per_page = 50
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # facet counts would COUNT the table per choice
    actions = ["start_review_action", "assign_action", "reject_action", "mark_duplicate_action"]
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

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        """Web-search syntax over the claims' stored search vector (claim_search), instead of
        Django's substring search, which needed a trigram index that every import paid for."""
        if not search_term.strip():
            return queryset, False
        return claim_search(queryset=queryset, q=search_term), False

    # -- permissions: claims come from imports and are evidence; nobody adds or deletes here.

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_review_permission(self, request: HttpRequest) -> bool:
        return user_is_reviewer(request.user)

    def has_editor_permission(self, request: HttpRequest) -> bool:
        return user_is_editor(request.user)

    def save_model(self, request: HttpRequest, obj: Claim, form: Any, change: bool) -> None:
        # Write only the fields the form edits: never the status or assignee, which the
        # workflow owns and which may have moved on since this page was loaded.
        editable = [name for name in form.changed_data if name not in self.readonly_fields]
        obj.save(update_fields=[*editable, "updated_at"])

    # -- the list

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # Say which part of the queue this is: the list opens on "Awaiting review".
        status = request.GET.get("status")
        if status is None and not ({"mine", "assignee"} & set(request.GET)):
            status = Claim.Status.PENDING
        label = dict(Claim.Status.choices).get(status, "all statuses")
        title = f"Review queue: {label.lower()}"
        return super().changelist_view(request, {"title": title, **(extra_context or {})})

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


class ReadOnlyAdminMixin:
    """Records, not documents to edit: nobody adds, changes or deletes them here."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class CitationInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Citation
    extra = 0
    fields = ["position", "url", "source", "quote", "note"]
    readonly_fields = fields


@admin.register(Verdict)
class VerdictAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
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


@admin.register(ClaimEvent)
class ClaimEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The audit log: append-only, so read-only here (a trigger enforces it in the database)."""

    list_display = ["created_at", "code", "claim", "from_status", "to_status", "actor"]
    list_filter = ["code"]
    search_fields = ["code", "note"]
    list_select_related = ["claim", "actor"]
    ordering = ["-id"]  # newest first, by the primary key's index
    show_full_result_count = False
    paginator = EstimatedCountPaginator


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
# --- Issue 4: API keys, CSV export of verdicts ---------------------------------------------------


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys for API consumers. The key is shown once, when it is created; only its hash is kept."""

    list_display = ["name", "prefix", "rate", "revoked", "expires_at", "created_at"]
    list_filter = ["revoked"]
    search_fields = ["name", "prefix"]
    fields = ["name", "rate", "expires_at", "revoked", "prefix", "created_at"]
    readonly_fields = ["prefix", "created_at"]

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        key = api_key_generate()
        api_key_assign(api_key=obj, key=key)
        super().save_model(request, obj, form, change)
        messages.warning(
            request,
            f"The API key for “{obj.name}” is {key} — copy it now: it is not stored and "
            "cannot be shown again.",
        )


@admin.action(description="Export selected published or retracted verdicts as CSV")
def verdict_export_csv(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Verdict]
) -> StreamingHttpResponse:
    public = verdict_public_queryset().filter(pk__in=queryset.values("pk"))
    lines = verdict_csv_lines(verdicts=verdict_public_iter(queryset=public))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="verdicts.csv"'
    return response


VerdictAdmin.actions = [*VerdictAdmin.actions, verdict_export_csv]
