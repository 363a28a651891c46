from django.contrib import admin
from django.http import HttpRequest

from sources.models import ImportRun, Source


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["__str__", "publisher", "language", "origin", "created_at"]
    list_filter = ["language", "created_at"]
    search_fields = ["title", "url", "publisher", "origin"]
    readonly_fields = ["content_hash", "import_run", "created_at"]
    list_select_related = ["import_run"]
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    """Import runs are a record of what happened: read-only."""

    list_display = [
        "id",
        "kind",
        "status",
        "started_at",
        "finished_at",
        "sources_created",
        "claims_created",
        "items_unchanged",
        "items_failed",
    ]
    list_filter = ["kind", "status"]
    search_fields = ["origin"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
