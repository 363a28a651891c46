"""Helpers of the API tests: the public paths, the public rule checked in SQL, verdicts changed
through the workflow, staff clients, paging."""

import csv
import io
import json
from typing import Any

from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from claims import verdicts, workflow
from claims.models import Claim, Verdict
from tests.factories import (
    ClaimantFactory,
    ClaimFactory,
    PublishedVerdictFactory,
    SourceFactory,
    UserFactory,
)

# The public reads, as the OpenAPI schema and its docs name them.
PUBLIC_READ_PATHS = [
    "/api/v1/verdicts/",
    "/api/v1/verdicts/{id}/",
    "/api/v1/verdicts/{id}/claimreview",
    "/api/v1/claimreview-feed",
    "/api/v1/claims/",
    "/api/v1/claims:search",
    "/api/v1/sources/",
    "/api/v1/claimants/",
    "/api/v1/ratings/",
    "/v1alpha1/claims:search",
]


# The public rule written out in SQL, apart from the code that generates the triggers keeping
# Claim.public and Claim.in_force: public while a verdict is published or retracted; in force
# while one is published. Every claim whose stored flags say otherwise.
_FLAGS_DISAGREEING = """
SELECT c.id FROM claims_claim AS c
WHERE (c.public, c.in_force) IS DISTINCT FROM (
    EXISTS (SELECT FROM claims_verdict AS v
            WHERE v.claim_id = c.id AND v.status IN ('published', 'retracted')),
    EXISTS (SELECT FROM claims_verdict AS v WHERE v.claim_id = c.id AND v.status = 'published'))
ORDER BY c.id
"""


def claims_flags_disagreeing() -> list[int]:
    """The claims whose stored public rule (Claim.public, Claim.in_force) is not their verdicts'."""
    with connection.cursor() as cursor:
        cursor.execute(_FLAGS_DISAGREEING)
        return [row[0] for row in cursor.fetchall()]


def _editor() -> Any:
    editor = UserFactory.create(is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    return editor


def verdict_correct(*, verdict: Verdict, note: str) -> Verdict:
    """A public correction through the workflow, keeping the verdict's wording."""
    content = verdicts.VerdictInput(
        rating=verdict.rating,
        headline=verdict.headline,
        summary=verdict.summary,
        explanation=verdict.explanation,
        citations=[
            verdicts.CitationInput(url=c.url, source=c.source, quote=c.quote, note=c.note)
            for c in verdict.citations.all()
        ],
    )
    workflow.verdict_correct(
        claim=verdict.claim, actor=_editor(), content=content, version=verdict.version, note=note
    )
    verdict.refresh_from_db()
    return verdict


def verdict_retract(*, verdict: Verdict, note: str) -> Verdict:
    """A retraction through the workflow."""
    workflow.verdict_retract(claim=verdict.claim, actor=_editor(), note=note)
    verdict.refresh_from_db()
    return verdict


def draft_verdict() -> Verdict:
    claim = ClaimFactory.create(status=Claim.Status.AWAITING_APPROVAL)
    return PublishedVerdictFactory.create(
        claim=claim, status=Verdict.Status.DRAFT, published_at=None
    )


def staff_client(group: str = "Reviewers") -> APIClient:
    user = UserFactory.create()
    user.groups.add(Group.objects.get(name=group))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def all_pages(client: APIClient, url: str) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    next_url: str | None = url
    while next_url:
        body = client.get(next_url).json()
        results += body["results"]
        next_url = body["next"]
    return results


def full_verdict() -> Verdict:
    claim = ClaimFactory.create(
        source=SourceFactory.create(title="Debate", url="https://news.example/debate"),
        claimant=ClaimantFactory.create(name="A. Senator"),
        claim_date=timezone.now().date(),
        status=Claim.Status.PUBLISHED,
    )
    return PublishedVerdictFactory.create(claim=claim, headline="No, the sky is not green")


def public_surfaces(verdict: Verdict, *, query: str, text: str) -> dict[str, object]:
    """What an anonymous caller sees of `verdict` on each public surface: its status in the
    API's detail, list and CSV, its ClaimReview's HTTP status, the feed's and claims:search's
    counts (`query`), the claims list's verdict, the public page (status, "retracted" notice,
    markup), and the claims that match `text`."""
    client = APIClient()
    listed = {v["id"]: v["status"] for v in client.get("/api/v1/verdicts/").json()["results"]}
    feed = json.loads(client.get("/api/v1/claimreview-feed").getvalue())
    search = client.get("/api/v1/claims:search", {"query": query}).json()
    claims = {c["id"]: c["verdict_id"] for c in client.get("/api/v1/claims/").json()["results"]}
    page = client.get(f"/verdicts/{verdict.pk}/")
    exported = client.get("/api/v1/verdicts/?format=csv").getvalue().decode()
    matches = client.get("/api/v1/claims/match", {"text": text}).json()["results"]
    return {
        "detail": client.get(f"/api/v1/verdicts/{verdict.pk}/").json().get("status"),
        "list": listed.get(verdict.pk),
        "claimreview": client.get(f"/api/v1/verdicts/{verdict.pk}/claimreview").status_code,
        "feed": len(feed["dataFeedElement"]),
        "claims:search": len(search.get("claims", [])),
        "claims list": claims.get(verdict.claim_id),
        "page": (page.status_code, "This verdict was retracted." in page.content.decode()),
        "page markup": "application/ld+json" in page.content.decode(),
        "csv": {int(r["id"]): r["status"] for r in csv.DictReader(io.StringIO(exported))}.get(
            verdict.pk
        ),
        "match": [r["claim"] for r in matches],
    }
