"""The exports API: ask for a CSV export of public verdicts, follow its status, download its
file. Authenticated and throttled as every public read; an export is read only by the caller
who asked for it (exports.services.export_owner), and from the primary database.
"""

import uuid
from typing import Any

from django.core.files.storage import default_storage
from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from claims.models import ApiKey
from exports.api.serializers import ExportInputSerializer, ExportSerializer
from exports.models import Export
from exports.services import export_for_owner, export_owner, export_request
from factcheck.api.errors import READ_ERRORS, ErrorSerializer
from factcheck.api.parsers import JSONParser
from factcheck.api.renderers import CSVRenderer, ORJSONRenderer
from factcheck.api.views import PublicReadView
from factcheck.clientaddr import request_client_address
from factcheck.errors import Conflict


class ExportNotReady(Conflict):
    code = "export_not_ready"


class ExportFailed(Conflict):
    code = "export_failed"


def _owner(request: Request) -> str:
    api_key = request.auth if isinstance(request.auth, ApiKey) else None
    return export_owner(
        user=request.user, api_key=api_key, client_address=request_client_address(request)
    )


def _data(request: Request, export: Export) -> dict[str, Any]:
    pk = str(export.pk)
    done = export.status == Export.Status.DONE
    return ExportSerializer(
        {
            **{f.attname: getattr(export, f.attname) for f in Export._meta.concrete_fields},
            "url": request.build_absolute_uri(reverse("api-export-detail", args=[pk])),
            "download_url": request.build_absolute_uri(reverse("api-export-download", args=[pk]))
            if done
            else None,
        }
    ).data


def _export_or_404(request: Request, pk: uuid.UUID) -> Export:
    export = export_for_owner(pk=pk, owner=_owner(request))
    if export is None:
        raise NotFound(f"No export {pk}: it expired, or it is not one you asked for.")
    return export


class ExportView(PublicReadView):
    replica_reads = False
    private = True


_QUEUED = {
    "id": "0b6f1c1e-4d8a-4f57-9a55-3f0f3c1b2a10",
    "status": "queued",
    "url": "https://factcheck.example/api/v1/exports/0b6f1c1e-4d8a-4f57-9a55-3f0f3c1b2a10/",
    "download_url": None,
    "filters": {"rating": "false", "language": "en"},
    "rows": None,
    "size": None,
    "error": "",
    "created_at": "2026-12-07T01:00:00Z",
    "finished_at": None,
    "expires_at": "2026-12-08T01:00:00Z",
}
_DONE = {
    **_QUEUED,
    "status": "done",
    "download_url": "https://factcheck.example/api/v1/exports/"
    "0b6f1c1e-4d8a-4f57-9a55-3f0f3c1b2a10/download",
    "rows": 48210,
    "size": 31877412,
    "finished_at": "2026-12-07T01:00:09Z",
    "expires_at": "2026-12-08T01:00:09Z",
}


class ExportListView(ExportView):
    """Ask for every public verdict the verdict list's filters select, as a CSV file written in
    the background. Poll `url` until `status` is `done`, then download `download_url`."""

    parser_classes = [JSONParser]
    serializer_class = ExportInputSerializer  # what DRF describes the POST with (OPTIONS)

    @extend_schema(
        tags=["exports"],
        request=ExportInputSerializer,
        responses={202: ExportSerializer, **READ_ERRORS},
        examples=[
            OpenApiExample(
                "False claims in English",
                value={"rating": "false", "language": "en"},
                request_only=True,
            ),
            OpenApiExample("Queued", value=_QUEUED, response_only=True, status_codes=["202"]),
        ],
    )
    def post(self, request: Request) -> Response:
        given = ExportInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        api_key = request.auth if isinstance(request.auth, ApiKey) else None
        export, _ = export_request(
            params=dict(given.validated_data),
            user=request.user,
            api_key=api_key,
            client_address=request_client_address(request),
        )
        data = _data(request, export)
        return Response(data, status=202, headers={"Location": data["url"]})


class ExportDetailView(ExportView):
    """One export of yours: its status, and once `done` its `download_url`."""

    @extend_schema(
        tags=["exports"],
        responses={200: ExportSerializer, 404: ErrorSerializer, **READ_ERRORS},
        examples=[OpenApiExample("Done", value=_DONE, response_only=True, status_codes=["200"])],
    )
    def get(self, request: Request, pk: uuid.UUID) -> Response:
        return Response(_data(request, _export_or_404(request, pk)))


class ExportDownloadView(ExportView):
    """The export's CSV file (as `GET /api/v1/verdicts/?format=csv` writes it). 409 while it is
    queued or running (`export_not_ready`) or when it failed (`export_failed`)."""

    renderer_classes = [ORJSONRenderer, CSVRenderer]

    @extend_schema(
        tags=["exports"],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The CSV file."),
            **{
                (status, "application/json"): ErrorSerializer
                for status in (400, 401, 404, 409, 429)
            },
        },
    )
    def get(self, request: Request, pk: uuid.UUID) -> FileResponse:
        export = _export_or_404(request, pk)
        if export.status == Export.Status.FAILED:
            raise ExportFailed(f"Export {pk} failed: {export.error}")
        if export.status != Export.Status.DONE:
            raise ExportNotReady(
                f"Export {pk} is {export.status}: download it once its status is done."
            )
        try:
            handle = default_storage.open(export.file.name or "", "rb")
        except (FileNotFoundError, IsADirectoryError):  # removed from the storage by hand
            raise NotFound(f"No export {pk}: its file is gone.") from None
        stamp = export.created_at.strftime("%Y%m%dT%H%M%SZ")
        return FileResponse(
            handle,
            as_attachment=True,
            filename=f"verdicts-{stamp}.csv",
            content_type="text/csv; charset=utf-8",
        )
