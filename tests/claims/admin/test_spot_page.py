"""The admin's "Spot the claims" page: a pasted text's statements ranked with their levels, and
the ones an editor picks added as claims awaiting review, scored and matched as on import."""

from pathlib import Path

import pytest

from claims.admin.spot import text_digest
from claims.models import Claim, ClaimMatch
from sources.imports.documents import source_import_paths
from sources.imports.spotted import pasted_text_body, source_add_statements
from sources.parsers.split import split_statements
from tests.claims.admin.conftest import Login
from tests.claims.matching.helpers import NUCLEAR
from tests.factories import staff_user

pytestmark = pytest.mark.django_db
SPOT = "/admin/claims/claim/spot/"
SEED = Path(__file__).resolve().parents[3] / "seeds" / "000_b52872a958dbdb28.txt"
TEXT = (
    "Good evening and welcome.\r\n"
    "Unemployment fell to 3.5 percent in 2019, the lowest rate in fifty years.\r\n"
    "The city spent $40 million on the new bridge, twice the original budget.\r\n"
)


def _places(text: str) -> dict[str, int]:
    body = pasted_text_body(text)
    return {body[start:end]: place for place, (start, end) in enumerate(split_statements(body))}


def test_the_spot_page_ranks_the_statements_by_level_for_reviewers(login: Login) -> None:
    client = login(staff_user("rita", "Reviewers"))

    response = client.post(SPOT, {"text": SEED.read_text(encoding="utf-8")})

    assert response.status_code == 200
    ranked = [statement for _, statement in response.context["statements"]]
    assert len(ranked) == 17
    assert [s.score for s in ranked] == sorted((s.score for s in ranked), reverse=True)
    body = response.content.decode()
    assert "17 statements, most worth checking first" in body
    assert "High" in body and "Low" in body
    assert 'name="statement"' not in body  # reviewers spot; editors add
    assert "0.9" not in body  # levels in words, not floats


def test_the_spot_page_is_listed_under_review_on_the_desk(login: Login) -> None:
    client = login(staff_user("rita", "Reviewers"))

    response = client.get("/admin/")

    [review] = [group for group in response.context["app_list"] if group["name"] == "Review"]
    spot = [m for m in review["models"] if m["admin_url"] == SPOT]
    assert [m["name"] for m in spot] == ["Spot the claims in a text"]
    assert f'href="{SPOT}"' in response.content.decode()


def test_an_editor_adds_the_chosen_statements_as_pending_claims(login: Login) -> None:
    client = login(staff_user("ed", "Editors"))
    places = _places(TEXT)
    chosen = [places[s] for s in places if "Unemployment" in s or "bridge" in s]
    body = pasted_text_body(TEXT)

    response = client.post(
        SPOT,
        {
            "text": TEXT,
            "title": "Mayor's debate",
            "spotted": text_digest(body),
            "statement": [str(place) for place in chosen],
            "add": "1",
        },
    )

    added = list(Claim.objects.order_by("position"))
    assert [c.text for c in added] == [
        "Unemployment fell to 3.5 percent in 2019, the lowest rate in fifty years.",
        "The city spent $40 million on the new bridge, twice the original budget.",
    ]
    assert [c.position for c in added] == [1, 2]  # their places among the text's statements
    assert all(c.status == Claim.Status.PENDING and c.score is not None for c in added)
    source = added[0].source
    assert source.title == "Mayor's debate"
    assert all(source.body[c.start : c.end] == c.text for c in added)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/claims/claim/?source={source.pk}"
    queue = client.get(response["Location"]).content.decode()
    assert "Added 2 claims, awaiting review." in queue
    assert all(c.text[:40] in queue for c in added)


def test_adding_a_statement_again_creates_nothing_twice() -> None:
    body = pasted_text_body(TEXT)

    first = source_add_statements(body=body, chosen=[1])
    again = source_add_statements(body=body, chosen=[1, 2])

    assert first[1] == 1 and again[1] == 1
    assert first[0] == again[0]
    assert Claim.objects.count() == 2


@pytest.mark.usefixtures("matching_inline")
def test_a_statement_added_that_repeats_a_claim_is_found_as_its_duplicate(
    seed_folder: Path,
) -> None:
    source_import_paths(paths=[seed_folder])
    original = Claim.objects.get(text__startswith=NUCLEAR)
    text = f"A minister spoke.\n{original.text}.\n"
    body = pasted_text_body(text)

    source_add_statements(body=body, chosen=[1])

    added = Claim.objects.get(source__origin="pasted text")
    assert added.duplicate_of_id == original.pk
    assert ClaimMatch.objects.get(claim=added).kind == ClaimMatch.Kind.DUPLICATE


def test_adding_refuses_a_text_changed_since_it_was_spotted(login: Login) -> None:
    client = login(staff_user("ed", "Editors"))

    response = client.post(
        SPOT,
        {"text": TEXT, "spotted": text_digest("another text"), "statement": ["1"], "add": "1"},
    )

    assert response.status_code == 200
    assert "The text changed since it was spotted" in response.content.decode()
    assert not Claim.objects.exists()


@pytest.mark.parametrize("picked", [[], ["7"], ["x"]])
def test_adding_refuses_statements_the_text_does_not_have(login: Login, picked: list) -> None:
    client = login(staff_user("ed", "Editors"))
    spotted = text_digest(pasted_text_body(TEXT))

    response = client.post(
        SPOT, {"text": TEXT, "spotted": spotted, "statement": picked, "add": "1"}
    )

    assert response.status_code == 200
    assert "Choose" in response.content.decode()
    assert not Claim.objects.exists()


def test_reviewers_may_not_add_claims(login: Login) -> None:
    client = login(staff_user("rita", "Reviewers"))
    spotted = text_digest(pasted_text_body(TEXT))

    response = client.post(SPOT, {"text": TEXT, "spotted": spotted, "statement": ["1"], "add": "1"})

    assert response.status_code == 403
    assert not Claim.objects.exists()


def test_the_spot_page_refuses_a_text_over_100_kb(login: Login) -> None:
    client = login(staff_user("ed", "Editors"))

    response = client.post(SPOT, {"text": "Taxes rose. " * 9000})

    assert response.status_code == 200
    assert "longer than 100 KB" in response.content.decode()
    assert response.context["statements"] is None
