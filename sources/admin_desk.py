"""The sources' panels on the admin home (factcheck/desk.py): feeds that keep failing and
imports that failed, for whoever may look at them."""

from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from factcheck.desk import Panel, desk_panel_register, desk_rows_and_count
from sources.models import Feed, ImportRun

ROWS = 6
RECENT = timedelta(days=7)  # failed imports older than this are history, not news


def failing_feeds(request: HttpRequest) -> dict[str, Any] | None:
    if not request.user.has_perm("sources.view_feed"):
        return None
    failing = Feed.objects.filter(enabled=True, consecutive_failures__gt=0)
    # Feeds are few: an exact count is cheap.
    feeds, count = desk_rows_and_count(failing.order_by("-consecutive_failures", "url"), ROWS)
    return {
        "feeds": feeds,
        "count": count,
        "link": reverse("admin:sources_feed_changelist") + "?enabled__exact=1",
    }


def failed_imports(request: HttpRequest) -> dict[str, Any] | None:
    if not request.user.has_perm("sources.view_importrun"):
        return None
    failed = ImportRun.objects.filter(
        Q(status=ImportRun.Status.FAILED) | Q(items_failed__gt=0),
        started_at__gte=timezone.now() - RECENT,
    )
    # A week of runs: a few hundred rows at most.
    runs, count = desk_rows_and_count(failed.order_by("-started_at", "-id"), ROWS)
    return {
        "runs": runs,
        "count": count,
        "link": reverse("admin:sources_importrun_changelist") + "?outcome=failures",
    }


desk_panel_register(
    Panel(
        "failing-feeds", "Feeds that keep failing", "admin/desk/feeds_panel.html", failing_feeds, 40
    )
)
desk_panel_register(
    Panel(
        "failed-imports",
        "Imports with failures this week",
        "admin/desk/imports_panel.html",
        failed_imports,
        50,
    )
)
