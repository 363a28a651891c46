from django.contrib import admin
from django.http import HttpRequest

from claims.models import Citation, Claim, Claimant, ClaimEvent, Rating, Verdict


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
