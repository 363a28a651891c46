"""Undoing an import run from its admin page: a button, a confirmation page listing what would be
withdrawn and what would be left alone and why, then the undo (sources/imports/undo.py, run by
a worker). Editors only."""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_http_methods

from claims.roles import user_is_editor
from factcheck.errors import DomainError
from sources.imports.undo import (
    import_run_undo_plan,
    import_run_undo_refusal,
    import_run_undo_request,
)
from sources.models import ImportRun


class ImportRunUndoMixin(admin.ModelAdmin):
    """The undo of an import run: its block on the run's page and its confirmation page."""

    change_form_template = "admin/sources/importrun/change_form.html"

    def get_exclude(self, request: HttpRequest, obj: ImportRun | None = None) -> Any:
        # The undo's record is shown in words, below the run's fields (_undo.html).
        return [*(super().get_exclude(request, obj) or []), "undo"]

    def get_urls(self) -> list[URLPattern]:
        undo = self.admin_site.admin_view(require_http_methods(["GET", "POST"])(self.undo_view))
        return [
            path("<int:object_id>/undo/", undo, name="sources_importrun_undo"),
            *super().get_urls(),
        ]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        run = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if run is not None:
            extra["undo"] = {
                "may": user_is_editor(request.user),
                "refusal": import_run_undo_refusal(run=run),
                "record": run.undo,
                "by": run.undone_by,
                "at": run.undone_at,
            }
        return super().change_view(request, object_id, form_url, extra)

    def undo_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """GET: what an undo would withdraw and leave alone. POST: queue the undo."""
        if not user_is_editor(request.user):
            raise PermissionDenied
        run = get_object_or_404(ImportRun, pk=object_id)
        back = HttpResponseRedirect(reverse("admin:sources_importrun_change", args=[run.pk]))
        if request.method == "POST":
            try:
                import_run_undo_request(run=run, actor=request.user)
            except DomainError as error:
                messages.error(request, str(error))
                return back
            messages.success(
                request,
                f"Undoing import run #{run.pk}: this page shows what was withdrawn and what was "
                "left alone once it is done.",
            )
            return back
        context = {
            **self.admin_site.each_context(request),
            "title": f"Undo import run #{run.pk}?",
            "run": run,
            "plan": import_run_undo_plan(run=run),
            "refusal": import_run_undo_refusal(run=run),
            "feed_run": run.kind in (ImportRun.Kind.FEED, ImportRun.Kind.CLAIMREVIEW)
            and run.origin.startswith(("http://", "https://")),
            "opts": self.opts,
            "original": run,
        }
        return TemplateResponse(request, "admin/sources/importrun/undo.html", context)
