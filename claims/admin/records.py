"""Admins of the claims app's records: claimants, the rating scale, verdicts, the audit log and
the matches found on import."""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from claims.admin.queue import EstimatedCountPaginator
from claims.exports import verdict_csv_lines
from claims.matching.decisions import claim_match_confirm, claim_match_dismiss
from claims.models import Citation, Claimant, ClaimEvent, ClaimMatch, Rating, Verdict
from claims.selectors import verdict_public_iter, verdict_public_queryset
from factcheck.errors import DomainError


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
    fields = readonly_fields = ("position", "url", "source", "quote", "note")


@admin.action(description="Export selected published or retracted verdicts as CSV")
def verdict_export_csv(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Verdict]
) -> StreamingHttpResponse | None:
    """Streams the selection, up to EXPORTS_STREAM_MAX_ROWS verdicts (a few seconds); a larger
    one (every verdict, selected across pages) is refused, pointing to the exports page, where
    a worker writes the file."""
    public = verdict_public_queryset().filter(pk__in=queryset.values("pk"))
    limit = settings.EXPORTS_STREAM_MAX_ROWS
    if public[: limit + 1].count() > limit:
        modeladmin.message_user(
            request,
            format_html(
                "More than {} verdicts selected: too many to download here. Ask for them on "
                '<a href="{}">CSV exports</a>, with the filters you need; a worker writes the '
                "file for you to download.",
                f"{limit:,}",
                reverse("admin:exports_export_add"),
            ),
            messages.WARNING,
        )
        return None
    lines = verdict_csv_lines(verdicts=verdict_public_iter(queryset=public))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="verdicts.csv"'
    return response


class RatingFilter(admin.RelatedFieldListFilter):
    """By rating, and the verdicts without one (an imported rating that maps onto nothing on our
    scale) named as such rather than with the admin's "-"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.empty_value_display = mark_safe("None on our scale")  # a constant: safe


@admin.register(Verdict)
class VerdictAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Verdicts to browse. They are written on their claim's page, through the workflow."""

    list_display = ["__str__", "claim_link", "rating", "status", "origin", "author", "updated_at"]
    list_filter = ["status", "origin", ("rating", RatingFilter)]
    search_fields = ["headline"]
    list_select_related = ["rating", "author"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    inlines = [CitationInline]
    actions = [verdict_export_csv]

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


_DECISIONS = {"confirm": claim_match_confirm, "dismiss": claim_match_dismiss}


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

    def get_urls(self) -> list[URLPattern]:
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
        """POST from the claim page's panel: confirm or dismiss one match, back to the claim
        whose page it was posted from (`back`: either claim of the match)."""
        match = get_object_or_404(ClaimMatch, pk=pk)
        if request.method != "POST" or decision not in _DECISIONS:
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request, match):
            raise PermissionDenied
        self._decide(request, [match], decision)
        back = request.POST.get("back", "")
        page = int(back) if back.isdigit() else match.claim_id
        if page not in (match.claim_id, match.matched_id):
            page = match.claim_id
        return redirect("admin:claims_claim_change", page)

    @admin.action(description="Confirm selected matches", permissions=["change"])
    def confirm_matches(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._decide(request, queryset, "confirm")

    @admin.action(description="Dismiss selected matches", permissions=["change"])
    def dismiss_matches(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._decide(request, queryset, "dismiss")

    def _decide(self, request: HttpRequest, matches: Iterable[ClaimMatch], decision: str) -> None:
        service = _DECISIONS[decision]
        user = request.user
        if not user.is_authenticated:  # the admin's views let only signed-in staff in
            raise PermissionDenied
        done = 0
        for match in matches:
            try:
                service(match=match, actor=user)
                done += 1
            except DomainError as error:
                self.message_user(request, str(error), messages.WARNING)
        if done:
            self.message_user(request, f"{decision.capitalize()}ed {done} match(es).")
