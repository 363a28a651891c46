from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from claims.models import Claim
from sources.models import ImportRun, Source


class SourceClaimInline(admin.TabularInline):
    """A source lists its claims (read-only; each links to its review page)."""

    MAX_ROWS = 200

    model = Claim
    fields = ["position", "text", "status", "assignee"]
    readonly_fields = fields
    ordering = ["position"]
    extra = 0
    max_num = 0
    show_change_link = True
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("assignee")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["__str__", "publisher", "language", "origin", "claims_link", "created_at"]
    list_filter = ["language", "created_at"]
    search_fields = ["title", "url", "publisher", "origin"]
    readonly_fields = ["content_hash", "import_run", "created_at", "claims_link"]
    list_select_related = ["import_run"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    inlines = [SourceClaimInline]
    # Django 6 makes https the default scheme for typed URLs without one; opt in now.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_inline_instances(self, request: HttpRequest, obj: Source | None = None) -> list:
        # A long document can hold thousands of statements: list them inline only when short;
        # "claims in the review queue" pages through any number.
        if obj is None or Claim.objects.filter(source=obj)[
            : SourceClaimInline.MAX_ROWS + 1
        ].count() > (SourceClaimInline.MAX_ROWS):
            return []
        return super().get_inline_instances(request, obj)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # The list never shows the body, which can be megabytes per row (the change page loads
        # it when it needs it).
        return super().get_queryset(request).defer("body")

    @admin.display(description="claims")
    def claims_link(self, source: Source) -> str:
        url = reverse("admin:claims_claim_changelist") + f"?source={source.pk}&status=all"
        return format_html('<a href="{}">claims in the review queue</a>', url)


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
