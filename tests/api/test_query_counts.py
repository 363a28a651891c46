"""Every public list and detail costs one query, however long the page."""

import pytest
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from claims.models import Citation
from tests.api.helpers import staff_client
from tests.factories import (
    ClaimantFactory,
    ClaimFactory,
    PublishedVerdictFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/api/v1/verdicts/", 1),  # rows with their citations as JSON
        ("/api/v1/verdicts/?q=sky&rating=false&language=en", 1),
        ("/api/v1/verdicts/{id}/", 1),
        ("/api/v1/verdicts/{id}/claimreview", 1),
        ("/verdicts/{id}/", 1),
        ("/api/v1/claims/", 1),
        ("/api/v1/sources/", 1),
        ("/api/v1/claimants/", 1),
        ("/api/v1/ratings/", 1),
        ("/api/v1/claims:search?query=sky", 1),
        ("/v1alpha1/claims:search?query=sky", 1),
    ],
)
def test_query_counts_do_not_grow_with_the_page(
    url: str, queries: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    verdicts = [
        PublishedVerdictFactory.create(claim=ClaimFactory.create(claimant=ClaimantFactory.create()))
        for _ in range(5)
    ]
    for verdict in verdicts:
        Citation.objects.create(verdict=verdict, url="https://example.org/a")
        Citation.objects.create(verdict=verdict, source=verdict.claim.source)
    client = APIClient()
    with django_assert_num_queries(queries):
        response = client.get(url.format(id=verdicts[0].id))
    assert response.status_code == 200


def test_staff_claim_list_costs_one_more_query_for_the_role(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    ClaimFactory.create()
    client = staff_client()
    # token lookup, group check, claims
    with django_assert_num_queries(3):
        assert client.get("/api/v1/claims/").status_code == 200
