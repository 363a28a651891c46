"""Exports: a CSV of public verdicts written by a worker into the default storage
(MEDIA_ROOT), which the caller who asked for it downloads when it is ready.

exports/services.py asks for, writes, fails and expires them; exports/api/ is their door.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class Export(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    # Random, not a sequence: an anonymous caller's export is reachable only by whoever holds
    # its id (and calls from its address).
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Who may read it (exports.services.export_owner): "user:<id>", "api_key:<id>" or
    # "address:<client address>". The fields below say the same for people reading the rows.
    owner = models.CharField(max_length=80)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # a user's exports are found by `owner`
    )
    api_key = models.ForeignKey(
        "claims.ApiKey",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # a key's exports are found by `owner`
    )
    client_address = models.CharField(max_length=45, blank=True)
    # The verdict list's filters (claims.api.verdicts.VerdictFilter), as validated.
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # Times a worker started it: a worker lost mid-export has its task delivered again.
    attempts = models.PositiveSmallIntegerField(default=0)
    rows = models.PositiveIntegerField(null=True, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    file = models.FileField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Its file is deleted, and the export forgotten, after this (EXPORTS_EXPIRY_HOURS).
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]),
                name="export_status_valid",
                violation_error_message="Unknown export status.",
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | ~Q(file=""),
                name="export_done_has_file",
                violation_error_message="A finished export has a file.",
            ),
        ]
        indexes = [
            # A caller's unfinished exports (export_request: the same one again, and the limit
            # of EXPORTS_MAX_PENDING).
            models.Index(
                fields=["owner"],
                condition=Q(status__in=["queued", "running"]),
                name="export_pending_idx",
            ),
            # The sweep: expired exports (exports_expire).
            models.Index(fields=["expires_at"], name="export_expires_idx"),
        ]

    def __str__(self) -> str:
        return f"Export {self.pk} ({self.get_status_display().lower()})"

    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
