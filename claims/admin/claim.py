"""The claim admin: its list is the review queue (filters and paginator in claims/admin/queue.py),
its page is where a claim is reviewed (claims/admin/claim_page.py).

Every status change goes through claims/workflow.py; the admin never saves a status itself.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.views.main import ChangeList
from django.db.models import BooleanField, ExpressionWrapper, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from claims import workflow
from claims.actions import Role
from claims.admin.claim_page import ClaimPageMixin
from claims.admin.forms import ActionForm
from claims.admin.queue import (
    AssignedToMeFilter,
    AssigneeFilter,
    ClaimantFilter,
    EstimatedCountPaginator,
    LanguageFilter,
    QueueChangeList,
    RatingFilter,
    SourceFilter,
    StatusFilter,
)
from claims.admin.spot import SpotPageMixin
from claims.checkworthiness import score_level
from claims.matching.checked_before import claims_checked_before_q
from claims.models import Claim
from claims.roles import user_is_editor, user_is_reviewer
from claims.selectors import claim_search
from claims.templatetags.desk_text import age
from factcheck.errors import DomainError
from sources.parsers.titles import words_cut


class CheckedBeforeFilter(admin.SimpleListFilter):
    """Claims that match a claim with a verdict in force, whichever arrived first
    (claims/matching/checked_before.py): the same claim, or a suggestion to decide."""

    title = "checked before"
    parameter_name = "checked"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [("yes", "Checked before"), ("suggested", "Suggested match with a verdict")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(claims_checked_before_q())
        if self.value() == "suggested":
            return queryset.filter(claims_checked_before_q(suggested=True))
        return queryset


def _shown_to(name: str) -> list[str]:
    """The admin permission that shows the bulk action for workflow action `name`: editors' for
    an editors' action, reviewers' for the rest (has_<permission>_permission below)."""
    return ["editor"] if workflow.ACTIONS[name].role is Role.EDITOR else ["review"]


@admin.register(Claim)
class ClaimAdmin(SpotPageMixin, ClaimPageMixin, admin.ModelAdmin):
    list_display = [
        "short_text",
        "level",
        "status_label",
        "checked_before",
        "claimant_name",
        "assignee",
        "source_title",
        "age",
    ]
    list_display_links = ["short_text"]
    list_filter = [
        StatusFilter,
        CheckedBeforeFilter,
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
    # The queue: most check-worthy first (score is NULL until scoring exists), then newest
    # (QueueChangeList keeps a click on the level column in the order the index serves).
    ordering = ["-score"]
    sortable_by = ["level", "age"]
    change_list_template = "admin/claims/claim/change_list.html"
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
        "check_worthiness",
        "duplicate_of_link",
        "created_at",
        "updated_at",
    ]
    readonly_fields = [
        "status_label",
        "assignee",
        "source_link",
        "check_worthiness",
        "duplicate_of_link",
        "created_at",
        "updated_at",
    ]
    raw_id_fields = ["claimant"]

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return QueueChangeList

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
        label = dict(Claim.Status.choices).get(status or "", "all statuses")
        title = f"Review queue: {label.lower()}"
        # The queue's columns need the width the navigation side bar would take (the home and
        # the breadcrumbs lead everywhere else).
        extra = {"title": title, "is_nav_sidebar_enabled": False, **(extra_context or {})}
        return super().changelist_view(request, extra)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # The source's body can be megabytes; the list shows only its title. Whether a claim
        # was checked before is asked only for the rows of the page shown (per_row).
        return (
            super()
            .get_queryset(request)
            .select_related("assignee", "source", "claimant")
            .defer("source__body", "source__import_run_id", "claimant__description")
            .annotate(
                checked=ExpressionWrapper(
                    claims_checked_before_q(per_row=True), output_field=BooleanField()
                ),
                suggested=ExpressionWrapper(
                    claims_checked_before_q(suggested=True, per_row=True),
                    output_field=BooleanField(),
                ),
            )
        )

    @admin.display(description="claim")
    def short_text(self, claim: Claim) -> str:
        return words_cut(claim.text, 160)

    @admin.display(description="check-worthiness", ordering="score")
    def level(self, claim: Claim) -> str:
        found = score_level(claim.score)
        key, label = (found.value, found.label) if found else ("none", "Not scored")
        return format_html('<span class="level level-{}">{}</span>', key, label)

    @admin.display(description="check-worthiness")
    def check_worthiness(self, claim: Claim) -> str:
        found = score_level(claim.score)
        if found is None:
            return "Not scored"
        return f"{found.label} (score {claim.score:.2f} of 1)"

    @admin.display(description="claimant")
    def claimant_name(self, claim: Claim) -> str:
        return words_cut(claim.claimant.name, 40) if claim.claimant else ""

    @admin.display(description="status", ordering="status")
    def status_label(self, claim: Claim) -> str:
        return claim.get_status_display()

    @admin.display(description="checked before?")
    def checked_before(self, claim: Claim) -> str:
        """A claim this one matches has a verdict in force: the same claim, or a suggestion."""
        if getattr(claim, "checked", False):
            return format_html('<span class="checked-before-yes">{}</span>', "Checked before")
        if getattr(claim, "suggested", False):
            return format_html('<span class="checked-before-maybe">{}</span>', "Maybe (suggested)")
        return ""

    @admin.display(description="source")
    def source_title(self, claim: Claim) -> str:
        return words_cut(str(claim.source), 60)

    @admin.display(description="age", ordering="created_at")
    def age(self, claim: Claim) -> str:
        return age(claim.created_at, just_now="just now")  # the column fits 1280 px (desk.css)

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

    # -- bulk actions: each takes a workflow action per claim and reports successes and refusals

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

    def ask_then_apply(
        self,
        request: HttpRequest,
        queryset: QuerySet,
        name: str,
        *,
        title: str,
        choose: Callable[[Claim], str] | None = None,
    ) -> TemplateResponse | None:
        """A bulk action that asks for the inputs of workflow action `name` first (an
        intermediate page), then takes it on each selected claim (or the action `choose` picks
        for the claim, which takes the same inputs)."""
        form = ActionForm(
            request.POST if "apply" in request.POST else None, action=workflow.ACTIONS[name]
        )
        if "apply" in request.POST and form.is_valid():
            self.apply_each(
                request,
                queryset,
                lambda claim: workflow.perform(
                    choose(claim) if choose else name, claim, request.user, **form.cleaned_data
                ),
            )
            return None
        return TemplateResponse(
            request,
            "admin/claims/claim/action_form.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "form": form,
                "action": f"{name}_action",
                "claims": queryset[:100],
                "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
                "opts": self.model._meta,
                "select_across": request.POST.get("select_across", "0"),
            },
        )

    @admin.action(description="Start review (assign to me)", permissions=_shown_to("start_review"))
    def start_review_action(self, request: HttpRequest, queryset: QuerySet) -> None:
        self.apply_each(
            request, queryset, lambda claim: workflow.perform("start_review", claim, request.user)
        )

    @admin.action(description="Assign to…", permissions=_shown_to("assign"))
    def assign_action(self, request: HttpRequest, queryset: QuerySet) -> TemplateResponse | None:
        # A claim in review is reassigned; any other is taken for review by the assignee.
        def choose(claim: Claim) -> str:
            return "assign" if claim.status == Claim.Status.IN_REVIEW else "start_review"

        title = "Assign claims"
        return self.ask_then_apply(request, queryset, "assign", title=title, choose=choose)

    @admin.action(description="Reject…", permissions=_shown_to("reject"))
    def reject_action(self, request: HttpRequest, queryset: QuerySet) -> TemplateResponse | None:
        return self.ask_then_apply(request, queryset, "reject", title="Reject claims")

    @admin.action(description="Mark duplicate of…", permissions=_shown_to("mark_duplicate"))
    def mark_duplicate_action(
        self, request: HttpRequest, queryset: QuerySet
    ) -> TemplateResponse | None:
        return self.ask_then_apply(
            request, queryset, "mark_duplicate", title="Mark claims as duplicates"
        )
