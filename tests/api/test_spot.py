"""POST /api/v1/claims:spot: the statements of a text with their check-worthiness and matches; a
public read like the match view (API keys, throttling), which stores nothing."""

from pathlib import Path

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from claims.models import Claim, ClaimMatch
from claims.services import api_key_create
from sources.imports.documents import source_import_paths
from sources.models import Source
from tests.claims.matching.helpers import NUCLEAR, publish
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("matching_inline")]
SPOT = "/api/v1/claims:spot"
SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_b52872a958dbdb28.txt"


def _seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def test_spot_answers_each_statement_with_its_span_level_and_published_matches(
    seed_folder: Path,
) -> None:
    source_import_paths(paths=[seed_folder])
    target = Claim.objects.get(text__startswith=NUCLEAR)
    publish(target, label="Mostly true", headline="Capped by the deal")
    text = (
        "Officials spoke on Monday. Iran's uranium enrichment was capped at 3.67% under the "
        "2015 deal, a minister said. We hope the weather stays fine."
    )

    response = APIClient().post(SPOT, {"text": text}, format="json")

    assert response.status_code == 200
    statements = response.json()["statements"]
    assert [text[s["start"] : s["end"]] for s in statements] == [s["text"] for s in statements]
    assert [s["text"] for s in statements] == [
        "Officials spoke on Monday.",
        "Iran's uranium enrichment was capped at 3.67% under the 2015 deal, a minister said.",
        "We hope the weather stays fine.",
    ]
    cap = statements[1]
    assert cap["level"] in ("high", "medium")
    assert 0 <= cap["score"] <= 1
    [match] = cap["matches"]  # anonymous: the one published claim
    assert match["claim"] == target.pk
    assert match["verdict"]["rating"] == "Mostly true"
    assert match["verdict"]["headline"] == "Capped by the deal"
    weather = statements[2]
    assert weather["level"] == "low"
    assert weather["matches"] is None  # not looked up


def test_spot_ranks_the_seed_article_as_editors_would_read_it() -> None:
    text = _seed_text()

    statements = APIClient().post(SPOT, {"text": text}, format="json").json()["statements"]

    assert len(statements) == 17
    by_score = sorted(statements, key=lambda s: -s["score"])
    top = " ".join(s["text"] for s in by_score[:5])
    assert "capped at 3.67%" in top
    assert "stockpile had surged" in top
    talks = next(s for s in statements if "mixed signals" in s["text"])
    assert talks["level"] == "low"
    assert {s["level"] for s in statements} >= {"high", "low"}


def test_spot_matches_staff_against_every_claim_and_stores_nothing(seed_folder: Path) -> None:
    source_import_paths(paths=[seed_folder])
    before = (Source.objects.count(), Claim.objects.count(), ClaimMatch.objects.count())
    staff = APIClient()
    staff.force_authenticate(UserFactory.create(is_staff=True))

    response = staff.post(SPOT, {"text": _seed_text(), "limit": 2}, format="json")

    statements = response.json()["statements"]
    cap = next(s for s in statements if s["text"].startswith(NUCLEAR))
    assert cap["matches"][0]["text"] == cap["text"]  # the same sentence, stored and pending
    assert cap["matches"][0]["status"] == "pending"
    assert cap["matches"][0]["verdict"] is None
    assert all(len(s["matches"]) <= 2 for s in statements if s["matches"] is not None)
    after = (Source.objects.count(), Claim.objects.count(), ClaimMatch.objects.count())
    assert after == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "text"),
        ({"text": ""}, "text"),
        ({"text": "x" * (100 * 1024 + 1)}, "text"),
        ({"text": "é" * (50 * 1024 + 1)}, "text"),  # over 100 KB in UTF-8
        ({"text": "Taxes rose.", "limit": 0}, "limit"),
        ({"text": "Taxes rose.", "limit": 11}, "limit"),
        ({"text": "Taxes rose.", "limit": "many"}, "limit"),
    ],
)
def test_spot_refuses_bad_input_in_the_json_error_shape(body: dict, field: str) -> None:
    response = APIClient().post(SPOT, body, format="json")

    assert response.status_code == 400
    assert field in response.json()["detail"]
    assert list(response.json()["errors"]) == [field]
    assert response.json()["code"] == "invalid"


def test_spot_refuses_a_nul_character_in_the_json_error_shape() -> None:
    response = APIClient().post(SPOT, {"text": "a\x00b"}, format="json")

    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]
    assert response.json()["code"]


def test_spot_refuses_a_body_that_is_not_json() -> None:
    response = APIClient().post(SPOT, "text=hello", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["detail"]


def test_spot_takes_a_text_of_100_kb() -> None:
    sentence = "Unemployment fell to 3.5 percent in 2019, the lowest in fifty years. "
    text = sentence * (100 * 1024 // len(sentence))

    response = APIClient().post(SPOT, {"text": text}, format="json")

    assert response.status_code == 200
    statements = response.json()["statements"]
    assert len(statements) == 100 * 1024 // len(sentence)
    looked_up = [s for s in statements if s["matches"] is not None]
    assert len(looked_up) == 50  # the most check-worthy, MATCHED_STATEMENTS


@override_settings(API_ANON_RATE="2/minute")
def test_spot_throttles_anonymous_callers_at_the_anonymous_rate() -> None:
    client = APIClient()
    codes = [client.post(SPOT, {"text": "Taxes rose."}, format="json").status_code for _ in "abc"]
    assert codes == [200, 200, 429]


def test_spot_throttles_an_api_key_at_its_own_rate() -> None:
    _, key = api_key_create(name="newsroom tool", rate="1/minute")
    client = APIClient(HTTP_AUTHORIZATION=f"Api-Key {key}")

    codes = [client.post(SPOT, {"text": "Taxes rose."}, format="json").status_code for _ in "ab"]

    assert codes == [200, 429]


def test_spot_is_in_the_openapi_schema() -> None:
    schema = APIClient().get("/api/v1/schema/", {"format": "json"}).json()

    operation = schema["paths"]["/api/v1/claims:spot"]["post"]
    assert "requestBody" in operation
    assert set(operation["responses"]) >= {"200", "400", "429"}
