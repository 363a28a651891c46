"""The base view of every public read."""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpResponseBase
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date
from django.utils.module_loading import import_string
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from factcheck.api.filters import NamedFilterBackend
from factcheck.api.pagination import KeysetPagination
from factcheck.api.params import single_param
from factcheck.api.renderers import ORJSONRenderer
from factcheck.errors import BadParameter
from factcheck.replicas import replica_reads_allow


class PublicReadView(GenericAPIView):
    """Reads anyone may make: API keys, staff tokens, sessions; throttled; cacheable. Callers
    who are not logged in read from a replica when one is healthy (factcheck/replicas.py).

    Who may call and how often is configured once, in API_READ_AUTHENTICATION_CLASSES and
    API_READ_THROTTLE_CLASSES (the API keys are the claims app's).
    """

    filter_backends = [NamedFilterBackend]
    authentication_classes = [import_string(c) for c in settings.API_READ_AUTHENTICATION_CLASSES]
    permission_classes = [AllowAny]
    throttle_classes = [import_string(c) for c in settings.API_READ_THROTTLE_CLASSES]
    renderer_classes = [ORJSONRenderer]
    last_modified: datetime | None = None
    # Reads of someone's own records (exports) stay on the primary, which has their latest
    # state, and are kept by no shared cache.
    replica_reads = True
    private = False

    @property
    def keyset(self) -> KeysetPagination:
        """The view's paginator: a public read that pages has a KeysetPagination as its
        `pagination_class`."""
        paginator = self.paginator
        if not isinstance(paginator, KeysetPagination):
            raise ImproperlyConfigured(f"{type(self).__name__} pages without a KeysetPagination")
        return paginator

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # PostgreSQL text cannot hold NUL: refuse it here, naming the parameter, for every
        # parameter (the free-text ones reach SQL without a form field's own check).
        for name, values in request.query_params.lists():
            if any("\x00" in value for value in values):
                raise BadParameter(f"Invalid {name}: contains a NUL character.")
        single_param(request, "format")  # empty or given twice: 400, not the default silently
        super().initial(request, *args, **kwargs)
        # Authenticated now: a caller who is not logged in reads from a replica.
        if self.replica_reads:
            replica_reads_allow(request)

    def perform_content_negotiation(
        self, request: Request, force: bool = False
    ) -> tuple[BaseRenderer, str]:
        try:
            return super().perform_content_negotiation(request, force)
        except Http404:  # DRF's answer to an unknown ?format=
            formats = ", ".join(r.format for r in self.get_renderers())
            raise BadParameter(f"Invalid format: use one of {formats}.") from None

    # DRF finalizes any HttpResponseBase (a CSV export streams one); the stubs say Response.
    def finalize_response(  # type: ignore[override]
        self, request: Request, response: HttpResponseBase, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        if isinstance(response, Response):
            # Data, errors included, is JSON whatever format was asked for: a view that offers
            # another format (CSV) streams it itself.
            request.accepted_renderer = ORJSONRenderer()
            request.accepted_media_type = ORJSONRenderer.media_type
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[arg-type]
        if response.status_code < 400 and request.method in ("GET", "HEAD"):
            signed_in = getattr(request, "user", None) is not None and request.user.is_authenticated
            if signed_in or self.private:
                response["Cache-Control"] = "private, no-cache"
            else:
                response["Cache-Control"] = f"public, max-age={settings.API_CACHE_SECONDS}"
            if self.last_modified is not None:
                response["Last-Modified"] = http_date(self.last_modified.timestamp())
        patch_vary_headers(response, ("Accept", "Authorization", "Cookie"))
        return response

    def note_modified(self, rows: list[dict[str, Any]], field: str = "updated_at") -> None:
        if rows:
            self.last_modified = max(row[field] for row in rows)
