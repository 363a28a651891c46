"""An import run's items on its page: a table of what came of each file, entry or row, which
can be narrowed to the failures, each with its reason (ImportRun.items, sources/imports/runs.py);
a duplicate of a stored review links to the claim it is stored on."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from sources.imports.runs import ItemStatus
from sources.models import ImportRun

ITEMS_SHOWN = 500  # a table of a hundred thousand rows helps nobody; the rest are counted


class ImportRunItemsMixin(admin.ModelAdmin):
    def get_exclude(self, request: HttpRequest, obj: ImportRun | None = None) -> Any:
        # Shown as a table below the run's fields, not as its JSON.
        return [*(super().get_exclude(request, obj) or []), "items"]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        extra = dict(extra_context or {})
        run = self.get_object(request, object_id)
        if run is not None:
            extra["import_items"] = import_items_table(
                run=run, failed_only=request.GET.get("items") == "failed"
            )
        return super().change_view(request, object_id, form_url, extra)


def import_items_table(*, run: ImportRun, failed_only: bool) -> dict[str, Any]:
    """The rows of the run's items table (all, or the failed ones), at most ITEMS_SHOWN."""
    items = [item for item in run.items if isinstance(item, dict)]
    failed = [item for item in items if item.get("status") == ItemStatus.FAILED]
    chosen = failed if failed_only else items
    labels = dict(ItemStatus.choices)
    rows = [
        {
            "number": number,
            "path": item.get("path") or "",
            "status": item.get("status") or "",
            "status_label": labels.get(item.get("status") or "", item.get("status") or "—"),
            "source": item.get("source"),
            "claim": item.get("claim"),  # a duplicate's: the claim its review is stored on
            "claims_created": item.get("claims_created") or 0,
            "error": item.get("error") or "",
        }
        for number, item in enumerate(chosen[:ITEMS_SHOWN], start=1)
    ]
    return {
        "rows": rows,
        "failed_only": failed_only,
        "total": len(items),
        "failed": len(failed),
        "more": max(0, len(chosen) - ITEMS_SHOWN),
    }
