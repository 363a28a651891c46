"""Keys for API consumers. A key is shown once, when it is created; only its hash is kept."""

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest

from claims.models import ApiKey
from claims.services import api_key_create

# A new key is live: it is revoked by changing it later. The prefix and the date are only known
# once it exists.
_NEW_KEY_FIELDS = ("name", "rate", "expires_at")
_KEY_FIELDS = (*_NEW_KEY_FIELDS, "revoked", "prefix", "created_at")


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "rate", "revoked", "expires_at", "created_at"]
    list_filter = ["revoked"]
    search_fields = ["name", "prefix"]
    fields = _KEY_FIELDS
    readonly_fields = ["prefix", "created_at"]

    def get_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> tuple[str, ...]:
        return _KEY_FIELDS if obj else _NEW_KEY_FIELDS

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        created, key = api_key_create(name=obj.name, rate=obj.rate, expires_at=obj.expires_at)
        obj.pk = created.pk
        obj.refresh_from_db()  # the admin goes on (history, redirect) with the row just written
        messages.warning(
            request,
            f"The API key for “{obj.name}” is {key} — copy it now: it is not stored and "
            "cannot be shown again.",
        )
