from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse

from claims.exports import verdict_csv_lines
from claims.models import ApiKey, Citation, Claim, Claimant, ClaimEvent, Rating, Verdict
from claims.selectors import verdict_public_iter, verdict_public_queryset
from claims.services import api_key_assign, api_key_generate


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
