"""The sources' admins: sources, import runs, feeds; uploads (admin_uploads.py), undo
(admin_undo.py) and the home's panels (admin_desk.py)."""

from functools import partial

from django.contrib import admin, messages
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.timesince import timesince
from django.views.generic import RedirectView

from claims.models import Claim
from sources import admin_desk  # noqa: F401  (registers the home's panels)
from sources.admin_import_items import ImportRunItemsMixin
from sources.admin_undo import ImportRunUndoMixin
from sources.admin_uploads import ArticleAddMixin
from sources.models import Feed, ImportRun, ImportRunChunk, Source
from sources.schedules import feed_schedule_delete, feed_schedule_sync
from sources.tasks import feed_poll_task


class SourceClaimInline(admin.TabularInline):
    """A source lists its claims (read-only; each links to its review page)."""

    MAX_ROWS = 200

    model = Claim
    fields = readonly_fields = ("position", "text", "status", "assignee")
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
class SourceAdmin(ArticleAddMixin, admin.ModelAdmin):
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

    def get_readonly_fields(self, request: HttpRequest, obj: Source | None = None) -> list[str]:
        # The claims' spans index into the body: it is never edited once stored.
        return [*self.readonly_fields, *(["body"] if obj is not None else [])]

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


class ImportRunChunkInline(admin.TabularInline):
    """The chunks of a table that several workers share, and which of them are done."""

    model = ImportRunChunk
    fields = readonly_fields = ("first", "last", "finished_at")
    extra = 0
    max_num = 0
    can_delete = False


class OutcomeFilter(admin.SimpleListFilter):
    """Runs with failures: failed outright, or with items that failed."""

    title = "outcome"
    parameter_name = "outcome"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [("failures", "With failures"), ("clean", "Without failures")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        failures = Q(status=ImportRun.Status.FAILED) | Q(items_failed__gt=0)
        if self.value() == "failures":
            return queryset.filter(failures)
        if self.value() == "clean":
            return queryset.exclude(failures)
        return queryset


@admin.register(ImportRun)
class ImportRunAdmin(ImportRunItemsMixin, ImportRunUndoMixin, admin.ModelAdmin):
    """Import runs are a record of what happened: read-only, but for their undo (admin_undo).
    Their items are a table on the run's page (admin_import_items)."""

    inlines = [ImportRunChunkInline]

    # Short columns, so that the list fits a 1280 px window beside its filters.
    list_display = [
        "run",
        "status_label",
        "started",
        "took",
        "sources_created",
        "claims_created",
        "items_unchanged",
        "items_failed",
    ]
    list_filter = [OutcomeFilter, "kind", "status"]
    search_fields = ["origin"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description="run", ordering="id")
    def run(self, run: ImportRun) -> str:
        return f"#{run.pk} {run.get_kind_display()}"

    @admin.display(description="status", ordering="status")
    def status_label(self, run: ImportRun) -> str:
        return run.get_status_display()

    @admin.display(description="started", ordering="started_at")
    def started(self, run: ImportRun) -> str:
        return f"{timesince(run.started_at).split(',')[0]} ago"

    @admin.display(description="took")
    def took(self, run: ImportRun) -> str:
        if run.finished_at is None:
            return "running"
        seconds = (run.finished_at - run.started_at).total_seconds()
        return f"{seconds:.1f} s" if seconds < 120 else f"{seconds / 60:.0f} min"


# --- Scheduled imports -------------------------------------------------------------------------
# The admin only queues tasks and keeps beat entries in step; the work is in services and tasks.
# The watched folder's schedule is under Periodic tasks (django-celery-beat), whose "Run
# selected tasks" action runs it now.


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    list_display = [
        "url",
        "kind",
        "enabled",
        "trusted",
        "interval",
        "last_success_at",
        "consecutive_failures",
        "last_error",
    ]
    list_filter = ["kind", "enabled", "trusted"]
    search_fields = ["url", "title"]
    formfield_overrides = SourceAdmin.formfield_overrides  # https for a URL typed without one
    readonly_fields = [
        "last_success_at",
        "consecutive_failures",
        "last_error",
        "last_run",
        "created_at",
    ]
    actions = ["poll_now"]
    change_list_template = "admin/sources/feed/change_list.html"

    def get_urls(self) -> list[URLPattern]:
        # Uploads have their own page now (Uploads → Add); the feed list's old link leads there.
        upload = RedirectView.as_view(pattern_name="admin:sources_upload_add")
        return [path("upload/", upload, name="sources_feed_upload"), *super().get_urls()]

    def save_model(self, request: HttpRequest, obj: Feed, form: object, change: bool) -> None:
        super().save_model(request, obj, form, change)
        feed_schedule_sync(feed=obj)

    def delete_model(self, request: HttpRequest, obj: Feed) -> None:
        feed_schedule_delete(feed=obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Feed]) -> None:
        for feed in queryset:
            feed_schedule_delete(feed=feed)
        super().delete_queryset(request, queryset)

    @admin.action(description="Poll the selected feeds now", permissions=["change"])
    def poll_now(self, request: HttpRequest, queryset: QuerySet[Feed]) -> None:
        ids = list(queryset.filter(enabled=True).values_list("pk", flat=True))
        for pk in ids:
            transaction.on_commit(partial(feed_poll_task.delay, pk))
        self.message_user(
            request, f"{len(ids)} feed(s) queued; see Import runs for the outcome.", messages.INFO
        )
