"""Fact Check Tools' claims:search: newest review first, and Google's own client, unmodified,
searches our reviews."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError
from rest_framework.test import APIClient

from claims.models import Rating, Verdict
from claims.services import api_key_create
from tests.api.helpers import full_verdict
from tests.factories import (
    ClaimFactory,
    PublishedVerdictFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


def test_claims_search_lists_the_newest_review_first_within_a_page() -> None:
    now = timezone.now()
    verdicts = [
        PublishedVerdictFactory.create(published_at=now - timedelta(days=d)) for d in (3, 1, 2)
    ]
    body = APIClient().get("/api/v1/claims:search?query=sky&pageSize=10").json()
    newest_first = [verdicts[1], verdicts[2], verdicts[0]]
    assert [c["text"] for c in body["claims"]] == [v.claim.text for v in newest_first]


@pytest.mark.django_db(transaction=True)
@override_settings(
    FACTCHECK_ORGANIZATION_NAME="Checkers", FACTCHECK_ORGANIZATION_URL="https://c.example"
)
def test_googles_factchecktools_client_searches_our_reviews(live_server: Any, request: Any) -> None:
    verdict = full_verdict()
    imported = PublishedVerdictFactory.create(
        claim=ClaimFactory.create(
            source=SourceFactory.create(body="The sky is green today. More.")
        ),
        origin=Verdict.Origin.IMPORTED,
        rating=Rating.objects.get(slug="mostly-false"),
        publisher_name="Other Checker",
        publisher_site="other.example",
        review_url="https://other.example/r/1",
    )
    _, key = api_key_create(name="google client")
    service = build(
        "factchecktools",
        "v1alpha1",
        static_discovery=True,
        developerKey=key,
        client_options={"api_endpoint": live_server.url},
    )
    # The client keeps its connection alive; closing it lets the server's thread (and its
    # database session) end with the test.
    request.addfinalizer(service.close)
    found = service.claims().search(query="sky", pageSize=1).execute()
    assert imported.published_at is not None
    assert found["claims"][0]["text"] == imported.claim.text
    assert found["claims"][0]["claimReview"] == [
        {
            "publisher": {"name": "Other Checker", "site": "other.example"},
            "url": "https://other.example/r/1",
            "title": imported.headline,
            "reviewDate": imported.published_at.isoformat().replace("+00:00", "Z"),
            "textualRating": "Mostly false",
            "languageCode": "en",
        }
    ]
    second = service.claims().search(query="sky", pageSize=1, pageToken=found["nextPageToken"])
    page = second.execute()
    assert page["claims"][0]["claimant"] == "A. Senator"
    assert page["claims"][0]["claimReview"][0]["publisher"] == {
        "name": "Checkers",
        "site": "c.example",
    }
    assert page["claims"][0]["claimReview"][0]["url"] == f"{live_server.url}/verdicts/{verdict.id}/"
    assert "nextPageToken" not in page
    ours = service.claims().search(reviewPublisherSiteFilter="c.example").execute()
    assert [c["text"] for c in ours["claims"]] == [verdict.claim.text]
    assert service.claims().search(query="sky", languageCode="de").execute() == {}
    with pytest.raises(HttpError) as error:
        service.claims().search().execute()
    assert error.value.resp.status == 400
