from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from claims.matching import (
    claim_match,
    claim_match_confirm,
    claim_match_dismiss,
    claims_match_new,
    match_clean,
    match_normalise,
)
from claims.models import Claim, ClaimEvent, ClaimMatch, Rating, Verdict
from factcheck.errors import Conflict
from sources.services import source_import_paths
from tests.conftest import EDITED_TO
from tests.factories import ClaimFactory, SourceFactory, UserFactory, staff_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("matching_inline")]

NUCLEAR = "Under the 2015 deal, Iran\u2019s uranium enrichment was capped at 3.67%"


def import_both(seed_folder: Path, edited_seed_folder: Path) -> tuple[list[Claim], list[Claim]]:
    source_import_paths(paths=[seed_folder])
    source_import_paths(paths=[edited_seed_folder])
    first, second = (
        list(Claim.objects.filter(source__origin__endswith=name).order_by("position"))
        for name in ("000_b52872a958dbdb28.txt", "edited.txt")
    )
    return first, second


def publish(claim: Claim, *, label: str = "True", headline: str = "Accurate") -> Verdict:
    Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.PUBLISHED)
    return Verdict.objects.create(
        claim=claim,
        rating=Rating.objects.get(label=label),
        headline=headline,
        summary="Checked.",
        status=Verdict.Status.PUBLISHED,
    )


def test_normalising_drops_case_punctuation_quotes_links_and_handles() -> None:
    assert match_normalise("“Taxes” ROSE, by 5% — see https://t.co/x @bob") == "taxes rose by 5 see"


def test_a_query_is_read_without_links_emoji_or_retweet_marks_and_with_hashtags_split() -> None:
    tweet = (
        "RT Wiped ⁦@BillClinton⁩ &amp; #JeffreyEpstein pics 😀✊🏽 #COVID19"
        " pic.twitter.com/ISkE https://t.co/33Vj — Ann (@ann) May 1, 2019"
    )

    assert match_clean(tweet) == (
        "Wiped @BillClinton & Jeffrey Epstein pics COVID 19 — Ann (@ann) May 1, 2019"
    )


def test_a_hashtag_finds_the_claim_that_spells_its_words_out() -> None:
    texts = ["Jeffrey Epstein was photographed on a private island", "An island was sold"]
    claim, _ = (ClaimFactory(source=SourceFactory(body=t), end=len(t)) for t in texts)

    results = claim_match(text="#JeffreyEpstein #PrivateIsland", published_only=False)

    assert results[0].claim_id == claim.pk


def test_an_edited_copy_marks_unchanged_statements_as_duplicates_and_edits_as_suggestions(
    seed_folder: Path, edited_seed_folder: Path
) -> None:
    first, second = import_both(seed_folder, edited_seed_folder)

    assert len(first) == len(second) == 17
    edited = next(c for c in second if c.text == EDITED_TO)
    for original, copy in zip(first, second, strict=True):
        if copy is edited:
            assert copy.duplicate_of is None
            match = ClaimMatch.objects.get(claim=copy)
            assert match.matched == original
            assert match.kind == ClaimMatch.Kind.SUGGESTED
            assert 0.6 <= match.score < 1
        else:
            assert copy.duplicate_of == original
            match = ClaimMatch.objects.get(claim=copy)
            assert (match.matched, match.kind, match.score) == (original, "duplicate", 1.0)
        assert copy.status == Claim.Status.PENDING
        assert copy.score is not None
    # The originals match nothing (nothing came before them).
    assert not ClaimMatch.objects.filter(claim__in=first).exists()


def test_matching_again_writes_nothing_twice(seed_folder: Path, edited_seed_folder: Path) -> None:
    _, second = import_both(seed_folder, edited_seed_folder)
    before = ClaimMatch.objects.count()

    assert claims_match_new(claim_ids=[c.pk for c in second]) == 0
    assert ClaimMatch.objects.count() == before


def test_claim_match_ranks_a_paraphrase_first_with_its_published_verdict(
    seed_folder: Path,
) -> None:
    source_import_paths(paths=[seed_folder])
    target = Claim.objects.get(text__startswith=NUCLEAR)
    verdict = publish(target)

    results = claim_match(
        text="Iran's uranium enrichment was capped at 3.67 percent by the 2015 nuclear deal",
        limit=3,
        published_only=False,
    )

    assert results[0].claim_id == target.pk
    assert results[0].verdict == verdict
    assert 0 < results[0].score <= 1
    assert len(results) == 3
    assert [r.score for r in results] == sorted((r.score for r in results), reverse=True)


def test_match_api_shows_anonymous_callers_published_claims_only(seed_folder: Path) -> None:
    source_import_paths(paths=[seed_folder])
    target = Claim.objects.get(text__startswith=NUCLEAR)
    publish(target, label="Mostly true", headline="Capped by the deal")
    url = reverse("claim-match")
    text = "uranium enrichment capped 3.67 Iran deal"

    anonymous = APIClient().get(url, {"text": text, "limit": 5})
    staff = APIClient()
    staff.force_authenticate(UserFactory(is_staff=True))
    as_staff = staff.get(url, {"text": text, "limit": 5})

    assert anonymous.status_code == 200
    [only] = anonymous.json()["results"]
    assert only["claim"] == target.pk
    assert only["status"] == "published"
    assert only["verdict"]["rating"] == "Mostly true"
    assert only["verdict"]["headline"] == "Capped by the deal"
    results = as_staff.json()["results"]
    assert results[0]["claim"] == target.pk
    assert len(results) > 1
    assert all(r["verdict"] is None for r in results[1:])


@pytest.mark.parametrize(
    ("params", "field"),
    [({}, "text"), ({"text": "  "}, "text"), ({"text": "x", "limit": "0"}, "limit"),
     ({"text": "x", "limit": "many"}, "limit"), ({"text": "x", "limit": "51"}, "limit")],
)  # fmt: skip
def test_match_api_refuses_bad_input_naming_the_field(params: dict, field: str) -> None:
    response = APIClient().get(reverse("claim-match"), params)

    assert response.status_code == 400
    assert field in response.json()["detail"]
    assert list(response.json()["errors"]) == [field]


def _suggested(seed_folder: Path, edited_seed_folder: Path) -> ClaimMatch:
    import_both(seed_folder, edited_seed_folder)
    return ClaimMatch.objects.get(kind=ClaimMatch.Kind.SUGGESTED)


@pytest.mark.parametrize(
    ("service", "status"),
    [(claim_match_confirm, "confirmed"), (claim_match_dismiss, "dismissed")],
)
def test_deciding_a_match_logs_an_event_and_leaves_the_status(
    seed_folder: Path, edited_seed_folder: Path, service, status: str
) -> None:
    match = _suggested(seed_folder, edited_seed_folder)
    editor = UserFactory()

    service(match=match, actor=editor)

    match.refresh_from_db()
    assert (match.status, match.decided_by) == (status, editor)
    assert match.decided_at is not None
    event = ClaimEvent.objects.get(claim=match.claim)
    assert event.code == f"match.{status}"
    assert event.actor == editor
    assert event.data["matched_claim"] == match.matched_id
    assert Claim.objects.get(pk=match.claim_id).status == Claim.Status.PENDING
    with pytest.raises(Conflict):
        service(match=match, actor=editor)


def test_a_decision_on_a_stale_match_is_refused(
    seed_folder: Path, edited_seed_folder: Path
) -> None:
    match = _suggested(seed_folder, edited_seed_folder)
    stale = ClaimMatch.objects.get(pk=match.pk)
    claim_match_dismiss(match=match, actor=UserFactory())

    with pytest.raises(Conflict):
        claim_match_confirm(match=stale, actor=UserFactory())
    assert ClaimEvent.objects.filter(claim=match.claim).count() == 1


def test_claim_page_says_checked_before_and_confirms_a_suggestion(
    seed_folder: Path, edited_seed_folder: Path, admin_client
) -> None:
    match = _suggested(seed_folder, edited_seed_folder)
    publish(match.matched, label="False", headline="Not what was said")
    page = reverse("admin:claims_claim_change", args=[match.claim_id])

    html = admin_client.get(page).content.decode()
    assert "Checked before?" in html
    assert "Suggested" in html and "Not what was said" in html
    assert "Checked before:" not in html  # a suggestion is not yet "checked before"
    confirm = reverse("admin:claims_claimmatch_decide", args=[match.pk, "confirm"])
    form = html[html.index(f'<form method="post" action="{confirm}"') :]
    assert 'name="csrfmiddlewaretoken"' in form[: form.index("</form>")]

    response = admin_client.post(
        reverse("admin:claims_claimmatch_decide", args=[match.pk, "confirm"])
    )
    assert response.status_code == 302 and response.url == page
    html = admin_client.get(page).content.decode()
    assert "Checked before:" in html
    assert "verdict: <strong>False</strong>: Not what was said" in html
    assert ClaimEvent.objects.get(claim=match.claim).code == "match.confirmed"


def test_claim_page_of_a_duplicate_names_the_original(
    seed_folder: Path, edited_seed_folder: Path, admin_client
) -> None:
    _, second = import_both(seed_folder, edited_seed_folder)

    html = admin_client.get(reverse("admin:claims_claim_change", args=[second[0].pk])).content
    assert "Checked before:" in html.decode()
    assert "no published verdict yet" in html.decode()


def test_deciding_needs_the_change_permission(
    seed_folder: Path, edited_seed_folder: Path, client
) -> None:
    match = _suggested(seed_folder, edited_seed_folder)
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_claimmatch"))
    client.force_login(viewer)

    response = client.post(reverse("admin:claims_claimmatch_decide", args=[match.pk, "dismiss"]))

    assert response.status_code == 403
    assert not ClaimEvent.objects.exists()


def test_admin_actions_confirm_and_dismiss(
    seed_folder: Path, edited_seed_folder: Path, admin_client
) -> None:
    match = _suggested(seed_folder, edited_seed_folder)
    url = reverse("admin:claims_claimmatch_changelist")

    admin_client.post(url, {"action": "dismiss_matches", "_selected_action": [match.pk]})

    match.refresh_from_db()
    assert match.status == ClaimMatch.Status.DISMISSED
    assert ClaimEvent.objects.get(claim=match.claim).code == "match.dismissed"


def test_matching_on_import_takes_the_same_queries_for_any_number_of_statements(
    seed_folder: Path, tmp_path: Path
) -> None:
    source_import_paths(paths=[seed_folder])
    small, large = tmp_path / "small.txt", tmp_path / "large.txt"
    small.write_text("A new claim about the 2015 nuclear deal was made on Monday.\n")
    large.write_text(
        "\n".join(
            f"Claim number {i} about the 2015 nuclear deal was made on day {i}." for i in range(60)
        )
    )
    counts = []
    for path in (small, large):
        with CaptureQueriesContext(connection) as queries:
            source_import_paths(paths=[path])
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_editors_may_decide_matches_and_reviewers_only_see_them() -> None:
    editor, reviewer = staff_user("eve", "Editors"), staff_user("rob", "Reviewers")

    assert editor.has_perm("claims.change_claimmatch")
    assert reviewer.has_perm("claims.view_claimmatch")
    assert not reviewer.has_perm("claims.change_claimmatch")


@pytest.mark.parametrize("query", ["text=&limit=5", "text=sky&limit=", "text=a&text=b"])
def test_match_api_refuses_an_empty_or_repeated_parameter(query: str) -> None:
    response = APIClient().get(f"/api/v1/claims/match?{query}")
    assert response.status_code == 400
    assert (
        "limit" if "limit=&" in query or query.endswith("limit=") else "text"
    ) in response.json()["detail"]


def test_the_query_embedding_thread_is_made_again_in_a_forked_child(monkeypatch) -> None:
    """claim_match embeds the query in a thread of its own process; a child forked from a
    process that already had that thread (a Celery or gunicorn worker) makes its own, since it
    does not inherit the thread, and matching there still answers."""
    from claims import matching

    parent = matching._embedder()
    assert matching._embedder() is parent  # one per process
    monkeypatch.setattr(matching.os, "getpid", lambda: -1)  # as a forked child sees itself
    child = matching._embedder()
    assert child is not parent
    target = ClaimFactory(source=SourceFactory(body="The river flooded the old mill town."))
    ClaimFactory(source=SourceFactory(body="Taxes on petrol rose twice this year."))
    results = claim_match(text="The old mill town was flooded by the river", published_only=False)
    assert [r.claim_id for r in results][:1] == [target.pk]
    monkeypatch.undo()
    parent.shutdown(wait=True)
