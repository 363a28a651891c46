"""The API's one error shape: every error answers JSON with a readable `detail` and a stable
`code`, from the exception handler (REST_FRAMEWORK EXCEPTION_HANDLER) or, for URLs no route
matches, from the 404 handler (handler404).

Domain errors raised by services (factcheck/errors.py) carry their HTTP status and code, so the
admin and the API report them the same way.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
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
        codes = exc.get_codes() if isinstance(exc, APIException) else None
        if isinstance(codes, str):
            response.data.setdefault("code", codes)
    return response


_JSON_PREFIXES = ("/api/", "/v1alpha1/")


def json_page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404 for URLs no route matches: JSON in the API's error shape under the API's paths, the
    usual page elsewhere."""
    if request.path.startswith(_JSON_PREFIXES):
        return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)
    return page_not_found(request, exception)
