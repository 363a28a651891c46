"""One rule for what is public, whoever wrote the verdict: a review imported from another
fact-checker and one of our own are published, corrected and retracted alike on every surface
(the API's list and detail, ClaimReview and its feed, claims:search, the claims list, the
public page, the CSV export and the public matching)."""

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from claims.models import Claim, Verdict
from claims.selectors import claim_public_q, verdict_is_public, verdicts_public
from tests.api.helpers import public_surfaces, verdict_correct, verdict_retract
from tests.factories import ClaimFactory, PublishedVerdictFactory, SourceFactory, imported_review

pytestmark = pytest.mark.django_db

TEXT = "The harbour lighthouse was sold to a private casino operator last spring."
QUERY = "lighthouse casino"


def ours() -> Verdict:
    claim = ClaimFactory.create(source=SourceFactory.create(body=TEXT), end=len(TEXT))
    return PublishedVerdictFactory.create(claim=claim, headline="No sale happened")


def theirs() -> Verdict:
    return imported_review(TEXT, headline="No sale happened")


ORIGINS: dict[str, Callable[[], Verdict]] = {"own": ours, "imported": theirs}


@pytest.mark.parametrize("origin", ORIGINS)
def test_a_published_verdict_is_on_every_public_surface(origin: str) -> None:
    verdict = ORIGINS[origin]()

    assert public_surfaces(verdict, query=QUERY, text=TEXT) == {
        "detail": "published",
        "list": "published",
        "claimreview": 200,
        "feed": 1,
        "claims:search": 1,
        "claims list": verdict.pk,
        "page": (200, False),
        "page markup": True,
        "csv": "published",
        "match": [verdict.claim_id],
    }


@pytest.mark.parametrize("origin", ORIGINS)
def test_a_retraction_reaches_every_public_surface_whoever_wrote_the_verdict(origin: str) -> None:
    verdict = verdict_retract(verdict=ORIGINS[origin](), note="The operator denies any sale.")

    assert verdict.status == Verdict.Status.RETRACTED
    # Readable as retracted; no longer presented as standing anywhere.
    assert public_surfaces(verdict, query=QUERY, text=TEXT) == {
        "detail": "retracted",
        "list": "retracted",
        "claimreview": 410,
        "feed": 0,
        "claims:search": 0,
        "claims list": verdict.pk,
        "page": (200, True),
        "page markup": False,
        "csv": "retracted",
        "match": [],
    }


@pytest.mark.parametrize("origin", ORIGINS)
def test_a_correction_reaches_the_api_with_its_public_note(origin: str) -> None:
    verdict = verdict_correct(verdict=ORIGINS[origin](), note="The sale was a lease.")

    body = APIClient().get(f"/api/v1/verdicts/{verdict.pk}/").json()

    assert body["status"] == "published"
    assert body["corrections"][-1]["note"] == "The sale was a lease."


def test_a_claim_is_public_while_it_has_a_public_verdict() -> None:
    kept, retracted, draft = ours(), theirs(), PublishedVerdictFactory.create(status="draft")
    verdict_retract(verdict=retracted, note="Withdrawn.")

    public_claims = set(Claim.objects.filter(claim_public_q()).values_list("pk", flat=True))
    standing = set(Claim.objects.filter(claim_public_q(in_force=True)).values_list("pk", flat=True))

    assert public_claims == {kept.claim_id, retracted.claim_id}
    assert standing == {kept.claim_id}
    assert draft.claim_id not in public_claims
    assert set(verdicts_public().values_list("pk", flat=True)) == {kept.pk, retracted.pk}
    assert [verdict_is_public(s) for s in ("draft", "published", "retracted")] == [0, 1, 1]
