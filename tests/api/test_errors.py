import pytest
from django.urls import path
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIClient
from rest_framework.views import APIView

from factcheck.errors import Conflict


class _Input(serializers.Serializer):
    note = serializers.CharField()


class _ConflictView(APIView):
    permission_classes = []

    def post(self, request: Request) -> Response:
        raise Conflict("Claim #1 is published; it cannot be rejected.")


class _ValidateView(APIView):
    permission_classes = []

    def post(self, request: Request) -> Response:
        _Input(data=request.data).is_valid(raise_exception=True)
        return Response({})


urlpatterns = [path("conflict", _ConflictView.as_view()), path("validate", _ValidateView.as_view())]


@pytest.mark.urls("tests.api.test_errors")
def test_a_domain_error_answers_its_status_with_a_readable_message() -> None:
    response = APIClient().post("/conflict", {}, format="json")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Claim #1 is published; it cannot be rejected.",
        "code": "conflict",
    }


@pytest.mark.urls("tests.api.test_errors")
def test_a_validation_error_names_the_bad_field() -> None:
    response = APIClient().post("/validate", {}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "Invalid input: note."
    assert body["errors"] == {"note": ["This field is required."]}
