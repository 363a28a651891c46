"""The editorial workflow over the API: token, verdict drafts, actions, events, errors."""

from typing import Any

import pytest
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from claims.models import Claim, ClaimEvent, Verdict
from tests.factories import ClaimFactory, SourceFactory, VerdictFactory, staff_user

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"  # UserFactory's


def client_for(user: Any) -> APIClient:
    client = APIClient()
    token = client.post(
        "/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}, format="json"
    ).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_token_is_issued_for_good_credentials_and_is_stable() -> None:
    user = staff_user("rev", "Reviewers")
    first = APIClient().post(
        "/api/v1/auth/token/", {"username": "rev", "password": PASSWORD}, format="json"
    )
    second = APIClient().post(
        "/api/v1/auth/token/", {"username": "rev", "password": PASSWORD}, format="json"
    )
    assert first.status_code == 200
    assert first.json()["token"] == second.json()["token"] == user.auth_token.key


def test_token_errors_name_the_field_or_say_why() -> None:
    staff_user("rev", "Reviewers")
    missing = APIClient().post("/api/v1/auth/token/", {"username": "rev"}, format="json")
    assert missing.status_code == 400
    assert missing.json()["errors"] == {"password": ["This field is required."]}
    wrong = APIClient().post(
        "/api/v1/auth/token/", {"username": "rev", "password": "nope"}, format="json"
    )
    assert wrong.status_code == 400
    assert wrong.json()["detail"] == "Unable to log in with this username and password."


def test_reviewer_drafts_submits_and_another_editor_publishes_over_the_api() -> None:
    reviewer = client_for(staff_user("rev", "Reviewers"))
    editor = client_for(staff_user("ed", "Editors"))
    source = SourceFactory.create()
    claim = ClaimFactory.create(source=source)

    taken = reviewer.post(f"/api/v1/claims/{claim.pk}/start_review/", {}, format="json")
    assert taken.status_code == 200, taken.json()
    assert (taken.json()["status"], taken.json()["assignee"]) == ("in_review", "rev")

    draft = {
        "rating": "false",
        "headline": "No, the sky is not green",
        "summary": "It is blue.",
        "explanation": "Rayleigh scattering.",
        "citations": [
            {"url": "https://example.org/sky", "quote": "blue", "note": "textbook"},
            {"source": source.pk, "quote": "The sky is green."},
        ],
        "version": None,
    }
    saved = reviewer.put(f"/api/v1/claims/{claim.pk}/verdict", draft, format="json")
    assert saved.status_code == 200, saved.json()
    assert saved.json()["version"] == 1
    assert [c["quote"] for c in saved.json()["citations"]] == ["blue", "The sky is green."]

    submitted = reviewer.post(f"/api/v1/claims/{claim.pk}/submit/", {}, format="json")
    assert submitted.json()["status"] == "awaiting_approval"
    published = editor.post(f"/api/v1/claims/{claim.pk}/publish/", {}, format="json")
    assert published.status_code == 200
    body = published.json()
    assert body["status"] == "published"
    assert body["verdict"]["status"] == "published" and body["verdict"]["rating"] == "false"

    # Published verdicts are public.
    public = APIClient().get(f"/api/v1/claims/{claim.pk}/verdict")
    assert public.status_code == 200
    assert (public.json()["approver"], public.json()["author"]) == ("ed", "rev")

    events = reviewer.get(f"/api/v1/claims/{claim.pk}/events/").json()
    assert [e["code"] for e in events] == [
        "claim.review_started",
        "verdict.saved",
        "claim.submitted",
        "claim.published",
    ]
    assert events[0]["actor"] == "rev" and events[-1]["actor"] == "ed"
    assert {"code", "from_status", "to_status", "actor", "note", "created_at"} <= set(events[0])


def test_second_start_review_is_a_409_with_a_readable_message() -> None:
    claim = ClaimFactory.create()
    first = client_for(staff_user("a", "Reviewers"))
    second = client_for(staff_user("b", "Reviewers"))
    assert first.post(f"/api/v1/claims/{claim.pk}/start_review/").status_code == 200
    refused = second.post(f"/api/v1/claims/{claim.pk}/start_review/")
    assert refused.status_code == 409
    assert refused.json() == {
        "detail": f"Claim #{claim.pk} is in review; it cannot be taken for review now.",
        "code": "transition_not_allowed",
    }


def test_a_user_without_a_role_gets_403_and_anonymous_401() -> None:
    claim = ClaimFactory.create()
    nobody = client_for(staff_user("nobody"))
    refused = nobody.post(f"/api/v1/claims/{claim.pk}/start_review/")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only reviewers and editors may start a review."
    assert nobody.get(f"/api/v1/claims/{claim.pk}/events/").status_code == 403
    anonymous = APIClient().post(f"/api/v1/claims/{claim.pk}/start_review/")
    assert anonymous.status_code in (401, 403)
    assert Claim.objects.get(pk=claim.pk).status == "pending"


def test_unknown_claims_and_actions_are_404() -> None:
    reviewer = client_for(staff_user("rev", "Reviewers"))
    assert reviewer.post("/api/v1/claims/999999/start_review/").status_code == 404
    assert reviewer.get("/api/v1/claims/999999/events/").status_code == 404
    claim = ClaimFactory.create()
    assert reviewer.post(f"/api/v1/claims/{claim.pk}/explode/").status_code == 404


@pytest.mark.parametrize(
    ("action", "payload", "field"),
    [
        ("reject", {}, "reason"),
        ("reject", {"reason": "   "}, "reason"),
        ("mark_duplicate", {}, "duplicate_of"),
        ("mark_duplicate", {"duplicate_of": 999999}, "duplicate_of"),
        ("start_review", {"assignee": "ghost"}, "assignee"),
    ],
)
def test_bad_action_input_is_a_400_naming_the_field(
    action: str, payload: dict[str, Any], field: str
) -> None:
    editor = client_for(staff_user("ed", "Editors"))
    claim = ClaimFactory.create()
    response = editor.post(f"/api/v1/claims/{claim.pk}/{action}/", payload, format="json")
    assert response.status_code == 400, response.json()
    assert list(response.json()["errors"]) == [field]
    assert field in response.json()["detail"]
    assert not ClaimEvent.objects.exists()


def test_marking_a_claim_a_duplicate_of_itself_names_the_field() -> None:
    reviewer = client_for(staff_user("rev", "Reviewers"))
    claim = ClaimFactory.create()
    response = reviewer.post(
        f"/api/v1/claims/{claim.pk}/mark_duplicate/", {"duplicate_of": claim.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "duplicate_of": ["A claim cannot be a duplicate of itself."]
    }


def test_verdict_input_errors_name_the_field() -> None:
    user = staff_user("rev", "Reviewers")
    reviewer = client_for(user)
    claim = ClaimFactory.create(status="in_review", assignee=user)
    url = f"/api/v1/claims/{claim.pk}/verdict"
    bad_rating = reviewer.put(url, {"rating": "purple", "version": 0}, format="json")
    assert bad_rating.status_code == 400
    assert bad_rating.json()["errors"]["rating"] == [
        "No rating 'purple' on the scale (use a slug or an id)."
    ]
    no_url = reviewer.put(
        url, {"rating": "false", "citations": [{"quote": "x"}], "version": 0}, format="json"
    )
    assert no_url.status_code == 400
    assert no_url.json()["errors"] == {"citations": {"0": {"url": ["Give a URL or a source id."]}}}
    no_version = reviewer.put(url, {"rating": "false"}, format="json")
    assert no_version.status_code == 400 and "version" in no_version.json()["errors"]
    assert not Verdict.objects.exists()


def test_a_stale_verdict_put_is_a_409_and_keeps_the_newer_draft() -> None:
    user = staff_user("rev", "Reviewers")
    reviewer = client_for(user)
    claim = ClaimFactory.create(status="in_review", assignee=user)
    url = f"/api/v1/claims/{claim.pk}/verdict"
    reviewer.put(url, {"rating": "false", "summary": "one", "version": 0}, format="json")
    reviewer.put(url, {"rating": "false", "summary": "two", "version": 1}, format="json")
    stale = reviewer.put(url, {"rating": "true", "summary": "old tab", "version": 1}, format="json")
    assert stale.status_code == 409
    assert "Reload it and apply your changes again" in stale.json()["detail"]
    assert Verdict.objects.get(claim=claim).summary == "two"


def test_only_the_assignee_may_put_the_draft() -> None:
    claim = ClaimFactory.create(status="in_review", assignee=staff_user("rev", "Reviewers"))
    other = client_for(staff_user("other", "Editors"))
    response = other.put(
        f"/api/v1/claims/{claim.pk}/verdict", {"rating": "false", "version": 0}, format="json"
    )
    assert response.status_code == 403


def test_publish_by_the_author_is_403_four_eyes() -> None:
    user = staff_user("boss", "Editors", superuser=True)
    claim = ClaimFactory.create(status="awaiting_approval", assignee=user)
    VerdictFactory.create(claim=claim, author=user)
    response = client_for(user).post(f"/api/v1/claims/{claim.pk}/publish/")
    assert response.status_code == 403
    assert "Four-eyes" in response.json()["detail"]


def test_correct_and_retract_over_the_api_keep_a_public_record() -> None:
    editor = client_for(staff_user("ed", "Editors"))
    claim = ClaimFactory.create(status="published")
    verdict = VerdictFactory.create(
        claim=claim, status="published", author=staff_user("a", "Reviewers")
    )
    missing_note = editor.post(
        f"/api/v1/claims/{claim.pk}/correct/",
        {"rating": "mostly-false", "summary": "Partly.", "version": verdict.version},
        format="json",
    )
    assert missing_note.status_code == 400 and "note" in missing_note.json()["errors"]
    corrected = editor.post(
        f"/api/v1/claims/{claim.pk}/correct/",
        {
            "rating": "mostly-false",
            "summary": "Partly.",
            "version": verdict.version,
            "note": "We misread the chart.",
        },
        format="json",
    )
    assert corrected.status_code == 200, corrected.json()
    assert corrected.json()["verdict"]["rating"] == "mostly-false"
    retracted = editor.post(
        f"/api/v1/claims/{claim.pk}/retract/", {"note": "Wrong claim."}, format="json"
    )
    assert retracted.json()["status"] == "retracted"
    public = APIClient().get(f"/api/v1/claims/{claim.pk}/verdict").json()
    assert public["status"] == "retracted"
    assert [(c["kind"], c["note"]) for c in public["corrections"]] == [
        ("correction", "We misread the chart."),
        ("retraction", "Wrong claim."),
    ]
    event = ClaimEvent.objects.get(claim=claim, code="verdict.corrected")
    assert event.data["before"]["rating"] == "false"


def test_drafts_are_not_public() -> None:
    claim = ClaimFactory.create(status="in_review")
    VerdictFactory.create(claim=claim)
    assert APIClient().get(f"/api/v1/claims/{claim.pk}/verdict").status_code == 404
    nobody = client_for(staff_user("nobody"))
    assert nobody.get(f"/api/v1/claims/{claim.pk}/verdict").status_code == 403


def test_an_action_answers_in_a_fixed_number_of_queries(
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    reviewer = client_for(staff_user("rev", "Reviewers"))
    claim = ClaimFactory.create()
    with django_assert_max_num_queries(12):
        response = reviewer.post(f"/api/v1/claims/{claim.pk}/start_review/")
    assert response.status_code == 200


def test_the_event_list_takes_the_same_queries_however_long(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    user = staff_user("rev", "Reviewers")
    reviewer = client_for(user)
    short, long = ClaimFactory.create(), ClaimFactory.create()
    reviewer.post(f"/api/v1/claims/{short.pk}/start_review/")
    reviewer.post(f"/api/v1/claims/{long.pk}/start_review/")
    for version in range(5):
        reviewer.put(
            f"/api/v1/claims/{long.pk}/verdict",
            {"rating": "false", "summary": "s", "version": version},
            format="json",
        )
    with django_assert_num_queries(4) as short_queries:  # token, groups, claim, events
        assert len(reviewer.get(f"/api/v1/claims/{short.pk}/events/").json()) == 1
    with django_assert_num_queries(len(short_queries)):
        assert len(reviewer.get(f"/api/v1/claims/{long.pk}/events/").json()) == 6


def test_an_editor_reassigns_a_claim_in_review_and_the_assignee_is_required() -> None:
    claim = ClaimFactory.create(status="in_review", assignee=staff_user("rev", "Reviewers"))
    staff_user("other", "Reviewers")
    editor = client_for(staff_user("ed", "Editors"))
    missing = editor.post(f"/api/v1/claims/{claim.pk}/assign/", {}, format="json")
    assert missing.status_code == 400 and list(missing.json()["errors"]) == ["assignee"]
    moved = editor.post(f"/api/v1/claims/{claim.pk}/assign/", {"assignee": "other"}, format="json")
    assert moved.status_code == 200, moved.json()
    assert (moved.json()["status"], moved.json()["assignee"]) == ("in_review", "other")
    assert ClaimEvent.objects.get(claim=claim).code == "claim.assigned"
