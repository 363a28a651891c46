"""The newsroom's exports: each signed-in member of staff sees the exports they asked for, with
their files to download, and asks for a new one with the verdict list's filters. The verdicts'
"Export as CSV" action sends a selection too large to stream here."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html

from claims.roles import user_is_staff
from claims.selectors import rating_list
from exports.models import Export
from exports.services import (
    TooManyExports,
    export_owner,
    export_request,
    verdict_filter_errors,
)
from factcheck.clientaddr import request_client_address


class ExportForm(forms.ModelForm):
    """The verdict list's filters (claims.api.verdicts.VerdictFilter), all optional."""

    rating = forms.ChoiceField(required=False)
    language = forms.CharField(required=False, max_length=20, help_text="e.g. en")
    claimant = forms.IntegerField(required=False, min_value=1, help_text="A claimant's id.")
    source = forms.IntegerField(required=False, min_value=1, help_text="A source's id.")
    published_after = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    published_before = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    updated_since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    q = forms.CharField(
        label="Search", required=False, max_length=1000, help_text="Words of the claim or verdict."
    )

    class Meta:
        model = Export
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rating = self.fields["rating"]
        assert isinstance(rating, forms.ChoiceField)
        rating.choices = [("", "Any rating"), *((r["slug"], r["label"]) for r in rating_list())]

    def filters(self) -> dict[str, str]:
        """The filters given, as the verdict list takes them."""
        return {
            name: value.isoformat() if hasattr(value, "isoformat") else str(value)
            for name, value in self.cleaned_data.items()
            if value not in (None, "")
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            for name, errors in verdict_filter_errors(self.filters()).items():
                self.add_error(name if name in self.fields else None, errors)
        return data


@admin.register(Export)
class ExportAdmin(admin.ModelAdmin):
    form = ExportForm
    list_display = ["created_at", "status", "filters", "rows", "size", "expires_at", "download"]
    list_filter = ["status"]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> Any:
        mine = export_owner(user=request.user, api_key=None, client_address="")
        return super().get_queryset(request).filter(owner=mine)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return user_is_staff(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return user_is_staff(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return user_is_staff(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # they expire (EXPORTS_EXPIRY_HOURS)

    def get_fields(self, request: HttpRequest, obj: Export | None = None) -> Any:
        if obj is None:
            return list(ExportForm.base_fields)
        return ["status", "filters", "rows", "size", "error", "created_at", "finished_at",
                "expires_at", "download"]  # fmt: skip

    def get_readonly_fields(self, request: HttpRequest, obj: Export | None = None) -> Any:
        return [] if obj is None else self.get_fields(request, obj)

    @admin.display(description="filters")
    def filters(self, export: Export) -> str:
        return ", ".join(f"{k}={v}" for k, v in export.params.items()) or "all public verdicts"

    @admin.display(description="file")
    def download(self, export: Export) -> str:
        if export.status != Export.Status.DONE:
            return export.error or "—"
        url = reverse("api-export-download", args=[export.pk])
        return format_html('<a href="{}" download>verdicts.csv</a>', url)

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        try:
            return super().add_view(request, form_url, extra_context)
        except TooManyExports as error:  # raised in save_model; its transaction rolled back
            self.message_user(request, str(error), messages.ERROR)
            return redirect("admin:exports_export_changelist")

    def save_model(self, request: HttpRequest, obj: Export, form: Any, change: bool) -> None:
        export, _ = export_request(
            params=form.filters(),
            user=request.user,
            api_key=None,
            client_address=request_client_address(request),
        )
        obj.pk = export.pk
        obj.refresh_from_db()  # the admin goes on (its message, the redirect) with the row
