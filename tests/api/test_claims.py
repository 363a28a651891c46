"""The public claims, sources, claimants and rating scale: anonymous callers see public work,
staff see all."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from claims.models import Claim, Rating
from tests.api.helpers import all_pages, staff_client
from tests.factories import (
    ClaimantFactory,
    ClaimFactory,
    PublishedVerdictFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_anonymous_claims_are_public_ones_and_staff_see_all_with_filters() -> None:
    public = PublishedVerdictFactory.create(
        claim=ClaimFactory.create(claimant=ClaimantFactory.create())
    ).claim
    reviewer = UserFactory.create()
    pending = ClaimFactory.create(status=Claim.Status.PENDING)
    in_review = ClaimFactory.create(status=Claim.Status.IN_REVIEW, assignee=reviewer)

    anonymous = APIClient().get("/api/v1/claims/").json()["results"]
    assert [c["id"] for c in anonymous] == [public.id]
    assert anonymous[0]["verdict_url"].endswith(f"/api/v1/verdicts/{public.verdicts.get().id}/")
    assert APIClient().get("/api/v1/claims/?status=pending").json()["results"] == []

    staff = staff_client("Editors")
    assert {c["id"] for c in all_pages(staff, "/api/v1/claims/")} == {
        public.id,
        pending.id,
        in_review.id,
    }
    by_status = staff.get("/api/v1/claims/?status=pending").json()["results"]
    assert [c["id"] for c in by_status] == [pending.id]
    by_assignee = staff.get(f"/api/v1/claims/?assignee={reviewer.id}").json()["results"]
    assert [c["id"] for c in by_assignee] == [in_review.id]
    assert by_assignee[0]["assignee_id"] == reviewer.id

    # A token of a user in neither group is not staff.
    outsider = APIClient()
    outsider.credentials(
        HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=UserFactory.create())}"
    )
    assert [c["id"] for c in outsider.get("/api/v1/claims/").json()["results"]] == [public.id]


def test_sources_claimants_and_the_rating_scale() -> None:
    verdict = PublishedVerdictFactory.create(
        claim=ClaimFactory.create(claimant=ClaimantFactory.create(name="Mayor"))
    )
    ClaimFactory.create(claimant=ClaimantFactory.create(name="Unpublished"))
    client = APIClient()
    sources = client.get("/api/v1/sources/").json()["results"]
    assert [s["id"] for s in sources] == [verdict.claim.source_id]
    assert [c["name"] for c in client.get("/api/v1/claimants/").json()["results"]] == ["Mayor"]
    ratings = client.get("/api/v1/ratings/").json()
    assert [r["slug"] for r in ratings] == list(Rating.objects.values_list("slug", flat=True))
    assert ratings[0]["label"] == "True"
