"""The newsroom's admin site: a desk for a home page, navigation grouped by task.

Django's admin lists models app by app, in the order it found them; a newsroom works by task.
`NAVIGATION` names every model in the newsroom's words under the task it serves; a model no
group names (a new app's) is listed after them, under its app's name, so nothing disappears.
The home (admin/desk.html) shows the panels of factcheck/desk.py, then the navigation.
"""

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.db import connection, transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse

from factcheck.desk import desk_panels

PRODUCT = "factcheck"

# (group, [(app_label, model object_name, the name shown), ...]); links into the review queue
# that are not models are in QUEUE_LINKS, other pages in PAGE_LINKS.
NAVIGATION: list[tuple[str, list[tuple[str, str, str]]]] = [
    (
        "Review",
        [
            ("claims", "Claim", "Review queue"),
            ("claims", "ClaimMatch", "Matches found on import"),
            ("claims", "Claimant", "Claimants (who said it)"),
        ],
    ),
    (
        "Publish",
        [
            ("claims", "Verdict", "Verdicts"),
            ("exports", "Export", "CSV exports (yours)"),
            ("claims", "ClaimEvent", "Audit log"),
        ],
    ),
    (
        "Sources and imports",
        [
            ("sources", "Source", "Sources (articles, transcripts, feed items)"),
            ("sources", "Upload", "Uploads"),
            ("sources", "ImportRun", "Import runs"),
            ("sources", "Feed", "Feeds"),
            ("django_celery_beat", "PeriodicTask", "Import schedules"),
        ],
    ),
    (
        "Settings",
        [
            ("claims", "Rating", "Rating scale"),
            ("auth", "User", "People"),
            ("auth", "Group", "Roles (groups)"),
            ("claims", "ApiKey", "API keys"),
            ("authtoken", "TokenProxy", "Staff API tokens"),
            ("django_celery_beat", "IntervalSchedule", "Schedule intervals"),
            ("django_celery_beat", "CrontabSchedule", "Schedule times (crontab)"),
            ("django_celery_beat", "SolarSchedule", "Schedule times (sun)"),
            ("django_celery_beat", "ClockedSchedule", "Schedule times (one-off)"),
        ],
    ),
]

# Shortcuts into the review queue, shown first in their group: (group, name, query, element).
QUEUE_LINKS = [
    ("Review", "Assigned to me", "?mine=yes", "mine"),
    ("Publish", "Awaiting approval", "?status=awaiting_approval", "awaitingapproval"),
]


# Pages that are no model's, shown after the models of their group to those who may see the
# review queue: (group, name, URL name, element).
PAGE_LINKS = [("Review", "Spot the claims in a text", "admin:claims_claim_spot", "spot")]


def navigation_place(*, app_label: str, object_name: str) -> tuple[str, str] | None:
    """The group and the name NAVIGATION gives a model, in the newsroom's words (the
    breadcrumbs say them), or None for a model no group names."""
    for group, entries in NAVIGATION:
        for app, model, name in entries:
            if (app, model) == (app_label, object_name):
                return group, name
    return None


def group_url(group: str) -> str:
    """Where a navigation group is: its place on the desk (the home page)."""
    return reverse("admin:index") + "#nav-" + group.lower().replace(" ", "-")


def _queue_link(name: str, query: str, element: str) -> dict[str, Any]:
    return _link(name, reverse("admin:claims_claim_changelist") + query, element)


def _link(name: str, url: str, element: str) -> dict[str, Any]:
    return {
        "name": name,
        "object_name": element,
        "admin_url": url,
        "add_url": None,
        "view_only": True,
        "perms": {"view": True},
    }


class DeskAdminSite(admin.AdminSite):
    index_template = "admin/desk.html"
    index_title = "Your desk"

    @property
    def site_header(self) -> str:  # type: ignore[override]
        organization = settings.FACTCHECK_ORGANIZATION_NAME
        return PRODUCT if organization.lower() == PRODUCT else f"{organization} · {PRODUCT}"

    @property
    def site_title(self) -> str:  # type: ignore[override]
        return self.site_header

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[dict]:
        """The models grouped by task (NAVIGATION); one app's page keeps Django's listing."""
        if app_label is not None:
            return super().get_app_list(request, app_label)
        models = {
            (app["app_label"], model["object_name"]): model
            for app in self._build_app_dict(request).values()
            for model in app["models"]
        }
        may_see_queue = ("claims", "Claim") in models
        groups = []
        for group, entries in NAVIGATION:
            shown = []
            if may_see_queue:
                shown += [_queue_link(*link[1:]) for link in QUEUE_LINKS if link[0] == group]
            for app, object_name, name in entries:
                model = models.pop((app, object_name), None)
                if model is not None:
                    shown.append({**model, "name": name})
            if may_see_queue:
                shown += [
                    _link(name, reverse(url), element)
                    for page_group, name, url, element in PAGE_LINKS
                    if page_group == group
                ]
            if shown:
                groups.append(self._group(group, shown))
        # Models no group names, under their app's name (a new app shows up at once).
        rest = super().get_app_list(request)
        for app in rest:
            left = [m for m in app["models"] if (app["app_label"], m["object_name"]) in models]
            if left:
                groups.append({**app, "models": left})
        return groups

    def _group(self, name: str, models: list[dict]) -> dict[str, Any]:
        return {
            "name": name,
            "app_label": name.lower().replace(" ", "-"),
            # The group's heading leads to its place on the home page.
            "app_url": group_url(name),
            "has_module_perms": True,
            "models": models,
        }

    def index(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        """The desk: the panels that have something for this user, then the navigation.

        The panels' queries are planned for this user's values each time: a prepared
        statement's generic plan, made for another user's (a reviewer with 80,000 claims in
        review), read every claim in review for a user with none, seconds at a million claims.
        """
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL plan_cache_mode = force_custom_plan")
            panels = [
                (panel, render_to_string(panel.template, context, request))
                for panel, context in desk_panels(request)
            ]
        return super().index(request, {"panels": panels, **(extra_context or {})})
