from collections.abc import Iterable

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import path

from claims.matching import claim_match_confirm, claim_match_dismiss
from claims.models import Citation, Claim, Claimant, ClaimEvent, ClaimMatch, Rating, Verdict
from factcheck.api import DomainError


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ["text", "status", "assignee", "source", "language", "score", "created_at"]
    list_filter = ["status", "language", "created_at"]
    search_fields = ["text"]
    list_select_related = ["assignee", "source"]
    raw_id_fields = ["source", "duplicate_of", "claimant", "assignee"]
    readonly_fields = ["source", "start", "end", "position", "status", "fingerprint"]
    show_full_result_count = False


@admin.register(Claimant)
class ClaimantAdmin(admin.ModelAdmin):
    list_display = ["name", "description", "created_at"]
    search_fields = ["name", "description"]


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["label", "slug", "value", "order"]
    prepopulated_fields = {"slug": ["label"]}


class CitationInline(admin.TabularInline):
    model = Citation
    extra = 0
    raw_id_fields = ["source"]


@admin.register(Verdict)
class VerdictAdmin(admin.ModelAdmin):
    list_display = ["__str__", "claim", "rating", "status", "origin", "author", "updated_at"]
    list_filter = ["status", "origin", "rating"]
    search_fields = ["headline", "summary", "claim__text"]
    list_select_related = ["claim", "rating", "author"]
    raw_id_fields = ["claim", "author", "approver"]
    readonly_fields = ["status", "version", "corrections", "published_at"]
    inlines = [CitationInline]


@admin.register(ClaimEvent)
class ClaimEventAdmin(admin.ModelAdmin):
    """The audit log: append-only, so read-only here (a trigger enforces it in the database)."""

    list_display = ["created_at", "code", "claim", "from_status", "to_status", "actor"]
    list_filter = ["code"]
    search_fields = ["code", "note"]
    list_select_related = ["claim", "actor"]

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
