from typing import TypeAlias

from django.conf import settings
from django.db import models
from django.db.models import Q


# Choices live at module level so that Meta.constraints can name them (a nested class body
# cannot see its enclosing class); the models expose them as ImportRun.Kind, Claim.Status, ...
class ImportRunKind(models.TextChoices):
    FILES = "files", "Files and folders"
    FEED = "feed", "RSS/Atom feed"
    CLAIMREVIEW = "claimreview", "ClaimReview"
    TABLE = "table", "Table (CSV/TSV)"
    ARTICLE = "article", "Article added in the admin"


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
    trusted = models.BooleanField(
        default=False,
        help_text="Reviewed claims: published on import (a trusted origin); otherwise they "
        "await review, the fact-checker's review kept as a suggestion.",
    )
    # Undoing the run (sources/imports/undo.py): when, by whom, and what came of it:
    # {"withdrawn": n, "left": [{"claim": id, "reasons": [...]}, ...], "left_count": n}.
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # a user's undos are never looked up
    )
    undo = models.JSONField(default=dict, blank=True)

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
    trusted = models.BooleanField(
        default=False,
        help_text="ClaimReview feeds: publish its reviews as soon as they are imported. "
        "Otherwise each arrives as a claim awaiting review, its review kept as a suggestion "
        "an editor can publish.",
    )
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


class UploadFormat(models.TextChoices):
    TABLE = "table", "Table of reviewed claims (CSV/TSV)"
    CLAIMREVIEW = "claimreview", "ClaimReview (DataFeed, JSON or HTML with JSON-LD)"
    DOCUMENT = "document", "Document (text, HTML, Markdown, PDF, DOCX)"


class UploadStatus(models.TextChoices):
    STAGED = "staged", "Awaiting confirmation"
    CONFIRMED = "confirmed", "Confirmed, importing"
    IMPORTED = "imported", "Imported"


class Upload(models.Model):
    """A file uploaded or a text pasted in the admin, held here from its preview to its import
    (sources/imports/uploads.py). Nothing is imported until someone confirms it; a cancelled
    or expired upload is deleted, and an imported one keeps its record without its bytes."""

    Format: TypeAlias = UploadFormat
    Status: TypeAlias = UploadStatus

    name = models.CharField(max_length=300, help_text='The file\'s name, or "pasted text".')
    format = models.CharField(max_length=20, choices=Format.choices)
    # Held in the database, not on a disk: the preview and the worker that imports it may run
    # on other machines than the request that received it. At most IMPORT_MAX_BYTES.
    data = models.BinaryField(blank=True)
    size = models.PositiveBigIntegerField()
    # How to read it, as last previewed and then confirmed: column map, layout, publisher,
    # language, trust, title... (sources/imports/uploads.py UploadOptions).
    options = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.STAGED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # a user's uploads are never looked up
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    run = models.OneToOneField(
        ImportRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="upload"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(format__in=UploadFormat.values),
                name="upload_format_valid",
                violation_error_message="Unknown upload format.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=UploadStatus.values),
                name="upload_status_valid",
                violation_error_message="Unknown upload status.",
            ),
        ]
        indexes = [
            # Expiry: staged uploads older than IMPORT_UPLOAD_EXPIRY_HOURS (uploads_expire).
            models.Index(
                fields=["created_at"],
                condition=Q(status="staged"),
                name="upload_staged_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_status_display().lower()})"
