"""Every error answers in the one JSON shape: domain errors, validation, bad parameters, 404."""

import pytest
from django.urls import path
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIClient
from rest_framework.views import APIView

from factcheck.errors import Conflict
from tests.factories import PublishedVerdictFactory

pytestmark = pytest.mark.django_db


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


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/api/v1/verdicts/?updated_since=yesterday", "updated_since"),
        ("/api/v1/verdicts/?published_after=2026-13-01", "published_after"),
        ("/api/v1/verdicts/?claimant=abc", "claimant"),
        ("/api/v1/verdicts/?page_size=0", "page_size"),
        ("/api/v1/verdicts/?page_size=many", "page_size"),
        ("/api/v1/verdicts/?cursor=not-ours", "cursor"),
        ("/api/v1/claims/?status=nonsense", "status"),
        ("/api/v1/claimreview-feed?updated_since=x", "updated_since"),
        ("/api/v1/claims:search", "query"),
        ("/api/v1/claims:search?query=x&pageSize=-1", "pageSize"),
        ("/api/v1/claims:search?query=x&pageToken=zz", "pageToken"),
        ("/api/v1/claims:search?query=x&maxAgeDays=soon", "maxAgeDays"),
        ("/api/v1/claims:search?query=x&alt=proto", "alt"),
        ("/v1alpha1/claims:search?query=a%00b", "query"),
        ("/api/v1/claims:search?reviewPublisherSiteFilter=%00", "reviewPublisherSiteFilter"),
        ("/api/v1/verdicts/?q=%00", "q"),
    ],
)
def test_a_bad_parameter_answers_400_naming_it(url: str, name: str) -> None:
    response = APIClient().get(url)
    assert response.status_code == 400
    assert name in response.json()["detail"]


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("language=", "language"),
        ("rating=false&rating=true", "rating"),
        ("updated_since=", "updated_since"),
        ("cursor=&language=en", "cursor"),
        ("status=pending", None),  # not a filter of this list: ignored, as before
    ],
)
def test_filter_parameters_are_checked_whenever_one_is_named(query: str, name: str | None) -> None:
    PublishedVerdictFactory.create()
    response = APIClient().get(f"/api/v1/verdicts/?{query}")
    if name is None:
        assert response.status_code == 200
        assert len(response.json()["results"]) == 1
    else:
        assert response.status_code == 400
        assert name in response.json()["detail"]


def test_unknown_ids_answer_404_in_the_one_error_shape() -> None:
    response = APIClient().get("/api/v1/verdicts/999999/")
    assert response.status_code == 404
    assert response.json() == {"detail": "No published verdict #999999.", "code": "not_found"}
    for huge in (2**63, 10**30):
        for url in (f"/api/v1/verdicts/{huge}/", f"/api/v1/verdicts/{huge}/claimreview"):
            assert APIClient().get(url).status_code == 404
        assert APIClient().get(f"/verdicts/{huge}/").status_code == 404
    unrouted = APIClient().get("/api/v1/verdicts/abc/")
    assert unrouted.status_code == 404
    assert unrouted.json() == {"detail": "Not found.", "code": "not_found"}
    assert APIClient().get("/no-such-page/")["Content-Type"].startswith("text/html")


def test_an_unknown_format_answers_400_naming_it() -> None:
    response = APIClient().get("/api/v1/verdicts/?format=xml")
    assert response.status_code == 400
    assert response.json()["detail"] == "Invalid format: use one of json, csv."
