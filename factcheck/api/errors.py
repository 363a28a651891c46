"""The API's one error shape: every error answers JSON with a readable `detail` and a stable
`code`, from the exception handler (REST_FRAMEWORK EXCEPTION_HANDLER) or, for URLs no route
matches, from the 404 handler (handler404).

Domain errors raised by services (factcheck/errors.py) carry their HTTP status and code, so the
admin and the API report them the same way.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.views.defaults import page_not_found
from rest_framework import serializers
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.views import exception_handler

from factcheck.errors import DomainError, TooManyRequests


# The error shape, for the OpenAPI schema.
class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(required=False)
    # A declared field: DRF's metaclass takes it off the class; Serializer.errors stays.
    errors = serializers.DictField(required=False)  # type: ignore[assignment]


# What every public read may answer besides success: a bad parameter (400), a bad API key
# (401) or a throttled caller (429).
READ_ERRORS = {status: ErrorSerializer for status in (400, 401, 429)}


_DJANGO_CODES = {403: "permission_denied", 404: "not_found"}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        answer = Response({"detail": str(exc), "code": exc.code}, status=exc.status_code)
        if isinstance(exc, TooManyRequests):
            answer["Retry-After"] = str(exc.retry_after)
        return answer
    response = exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" not in response.data:
        # A validation error: {"field": ["message"]}. Keep the fields and add one readable line
        # that names them, so a client that shows only `detail` still says what is wrong.
        fields = ", ".join(str(name) for name in response.data)
        response.data = {
            "detail": f"Invalid input: {fields}.",
            "code": "invalid",
            "errors": response.data,
        }
    elif response is not None and isinstance(response.data, dict):
        # DRF's own errors (404, 401, 429...): add their stable code, as DomainError carries one.
        # Django's Http404 and PermissionDenied (get_object_or_404) carry none of their own.
        codes = exc.get_codes() if isinstance(exc, APIException) else None
        if isinstance(codes, str):
            response.data.setdefault("code", codes)
        elif response.status_code in _DJANGO_CODES:
            response.data.setdefault("code", _DJANGO_CODES[response.status_code])
    return response


_JSON_PREFIXES = ("/api/", "/v1alpha1/")


def json_page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404 for URLs no route matches: JSON in the API's error shape under the API's paths, the
    usual page elsewhere."""
    if request.path.startswith(_JSON_PREFIXES):
        return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)
    return page_not_found(request, exception)


class RequestLineLimitMiddleware:
    """414 for a request line longer than REQUEST_LINE_MAX_BYTES, in the API's error shape
    under its paths. gunicorn's own limit is off (factcheck/launch.py: its largest would not
    hold the match endpoint's 5,000-character `text` percent-encoded), so this is the limit."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        target = request.META.get("RAW_URI") or (
            request.META.get("PATH_INFO", "") + "?" + request.META.get("QUERY_STRING", "")
        )
        limit = settings.REQUEST_LINE_MAX_BYTES
        if len(target) > limit:
            detail = f"Request line longer than {limit:,} bytes: send less."
            if request.path.startswith(_JSON_PREFIXES):
                return JsonResponse({"detail": detail, "code": "uri_too_long"}, status=414)
            return HttpResponse(detail, status=414, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
