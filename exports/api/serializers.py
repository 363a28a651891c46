"""What the exports API takes and answers."""

from typing import Any

from rest_framework import serializers

from claims.api.verdicts import VerdictFilter
from exports.models import Export
from exports.services import verdict_filter_errors

# Longest value of one filter: a search longer than this is a mistake, not a query.
MAX_VALUE = 1000


class ExportInputSerializer(serializers.Serializer):
    """The verdict list's filters (GET /api/v1/verdicts/), as one JSON object; none selects
    every public verdict. Its fields are the filter set's own, so the two never differ."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            name: serializers.CharField(
                required=False,
                max_length=MAX_VALUE,
                help_text=str(getattr(f, "extra", {}).get("help_text", "") or f.label or name),
            )
            for name, f in VerdictFilter.base_filters.items()
        }

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError(
                {name: ["Not a filter of the verdict list."] for name in unknown}
            )
        errors = verdict_filter_errors(attrs)
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class ExportSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=Export.Status.choices)
    url = serializers.URLField(help_text="This export's status.")
    download_url = serializers.URLField(
        allow_null=True, help_text="The CSV file, once `status` is `done`; null until then."
    )
    filters = serializers.DictField(child=serializers.CharField(), source="params")
    rows = serializers.IntegerField(allow_null=True, help_text="Verdicts in the file.")
    size = serializers.IntegerField(allow_null=True, help_text="The file's size in bytes.")
    error = serializers.CharField(help_text="Why it failed (status `failed`); else empty.")
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(
        help_text="After this the export and its file are gone (404)."
    )
