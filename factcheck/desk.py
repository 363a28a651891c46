"""The admin home's panels: what is waiting for the signed-in user.

The home (factcheck/admin_site.py) shows the registered panels in `order`. Any app adds one from
its admin module, which admin autodiscovery imports:

    desk_panel_register(Panel(key="webhooks-disabled", title="Webhooks disabled", order=60,
                              template="admin/webhooks/desk_panel.html", context=disabled_panel))

`context(request)` returns the panel's template context, or None when the panel has nothing to
say to this user (no permission, nothing waiting): the home then leaves it out. A panel must stay
cheap at millions of claims: a few indexed rows and an estimated count
(claims.admin.queue.queryset_estimated_count), never a COUNT over a large table.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import HttpRequest

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Panel:
    key: str  # unique; the panel's element id is "panel-<key>"
    title: str
    template: str  # rendered with the context, plus `panel` (this object)
    context: Callable[[HttpRequest], dict[str, Any] | None]
    order: int = 100  # lower first


_PANELS: dict[str, Panel] = {}


def desk_panel_register(panel: Panel) -> Panel:
    """Add `panel` to the home (replacing a panel of the same key, so re-imports are harmless)."""
    _PANELS[panel.key] = panel
    return panel


def desk_panels(request: HttpRequest) -> list[tuple[Panel, dict[str, Any]]]:
    """The panels that have something for this request's user, in order, with their context."""
    shown = []
    for panel in sorted(_PANELS.values(), key=lambda p: (p.order, p.key)):
        context = panel.context(request)
        if context is not None:
            shown.append((panel, {**context, "panel": panel}))
    return shown


def desk_rows_and_count(rows: QuerySet[M], shown: int) -> tuple[list[M], int]:
    """The first `shown` rows of the ordered queryset `rows` and how many it holds in all, for a
    panel of a small table: counted only when the panel is full (an empty panel is one query)."""
    first = list(rows[:shown])
    return first, (rows.count() if len(first) == shown else len(first))
