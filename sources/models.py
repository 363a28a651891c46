from typing import TypeAlias

from django.db import models
from django.db.models import Q


# Choices live at module level so that Meta.constraints can name them (a nested class body
# cannot see its enclosing class); the models expose them as ImportRun.Kind, Claim.Status, ...
class ImportRunKind(models.TextChoices):
    FILES = "files", "Files and folders"
    FEED = "feed", "RSS/Atom feed"
    CLAIMREVIEW = "claimreview", "ClaimReview"
    TABLE = "table", "Table (CSV/TSV)"


class ImportRunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    PARTIAL = "partial", "Some items failed"
    FAILED = "failed", "Failed"


class ImportRun(models.Model):
    """One execution of an importer: what it read, when, and what came of each item."""

    Kind: TypeAlias = ImportRunKind
    Status: TypeAlias = ImportRunStatus

    kind = models.CharField(max_length=20, choices=Kind.choices)
    origin = models.TextField(help_text="What the run read: paths, a URL or a file name.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    sources_created = models.PositiveIntegerField(default=0)
    claims_created = models.PositiveIntegerField(default=0)
    items_unchanged = models.PositiveIntegerField(default=0)
    items_failed = models.PositiveIntegerField(default=0)
    # Per-item results: [{"path": ..., "status": ..., "source": id, "claims_created": n,
    # "error": ...}], in the order the items were read.
    items = models.JSONField(default=list, blank=True)
    task_id = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ImportRunKind.values),
                name="importrun_kind_valid",
                violation_error_message="Unknown kind of import run.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ImportRunStatus.values),
                name="importrun_status_valid",
                violation_error_message="Unknown import run status.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} run #{self.pk} ({self.status})"


class ImportRunChunk(models.Model):
    """A range of rows of a table that several tasks import into one run: recorded with the
    run, finished once its rows are stored. The last chunk to finish finishes the run."""

    # No index of its own: the unique constraint's (run, first) serves lookups by run.
    run = models.ForeignKey(
        ImportRun, on_delete=models.CASCADE, related_name="chunks", db_index=False
    )
    first = models.PositiveIntegerField(help_text="The range's first row, from 0.")
    last = models.PositiveIntegerField(
        null=True, blank=True, help_text="The row after the range; empty: to the table's end."
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "first"]
        constraints = [
            models.UniqueConstraint(fields=["run", "first"], name="importrunchunk_run_first_unique")
        ]

    def __str__(self) -> str:
        last = self.last if self.last is not None else "end"
        return f"rows {self.first + 1}-{last} of run #{self.run_id}"


class Source(models.Model):
    """A document claims appear in. `body` is the decoded text that claim spans index into."""

    title = models.CharField(max_length=500, blank=True)
    # NULL, not "", when absent: the unique constraint must hold only between real URLs.
    url = models.URLField(max_length=2000, null=True, blank=True)  # noqa: DJ001
    publisher = models.CharField(max_length=300, blank=True)
    author = models.CharField(max_length=300, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(max_length=8, blank=True, help_text="ISO 639-1 code, e.g. en.")
    body = models.TextField(blank=True)
    content_hash = models.CharField(
        max_length=64, help_text="SHA-256 of the imported bytes: the same bytes never import twice."
    )
    origin = models.TextField(blank=True, help_text="The path or URL the source was read from.")
    import_run = models.ForeignKey(
        ImportRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="sources"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["content_hash"], name="source_content_hash_unique"),
            models.UniqueConstraint(
                fields=["url"],
                condition=Q(url__isnull=False),
                name="source_url_unique",
                violation_error_message="Another source has this URL.",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.origin or f"Source #{self.pk}"


class RefusedFile(models.Model):
    """Bytes the document importer refused (empty, binary, undecodable, refused by the
    database): the watched folder's scheduled runs answer the same bytes from here instead of
    failing on them again every few minutes. Changed bytes are new bytes, and `import_seeds`
    always tries again."""

    content_hash = models.CharField(max_length=64, help_text="SHA-256 of the refused bytes.")
    path = models.TextField(help_text="Where the bytes were read when they were refused.")
    error = models.TextField()
    import_run = models.ForeignKey(
        ImportRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["content_hash"], name="refusedfile_content_hash_unique")
        ]

    def __str__(self) -> str:
        return self.path


class FeedKind(models.TextChoices):
    RSS = "rss", "RSS/Atom feed"
    CLAIMREVIEW = "claimreview", "ClaimReview (DataFeed, JSON or HTML with JSON-LD)"


class Feed(models.Model):
    """A URL polled on its own interval by Celery beat: an RSS/Atom feed or a ClaimReview feed."""

    Kind: TypeAlias = FeedKind

    url = models.URLField(max_length=2000)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.RSS)
    title = models.CharField(max_length=300, blank=True)
    interval = models.PositiveIntegerField(
        default=3600, help_text="Seconds between polls (at least 60)."
    )
    language = models.CharField(
        max_length=8, blank=True, help_text="Default ISO 639-1 language of its items, e.g. en."
    )
    enabled = models.BooleanField(default=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    last_run = models.ForeignKey(
        ImportRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["url"]
        constraints = [
            models.UniqueConstraint(fields=["url"], name="feed_url_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=FeedKind.values),
                name="feed_kind_valid",
                violation_error_message="Unknown kind of feed.",
            ),
            models.CheckConstraint(
                condition=Q(interval__gte=60),
                name="feed_interval_min",
                violation_error_message=(
                    "Poll a feed at most once a minute: give an interval of 60 seconds or more."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.url
