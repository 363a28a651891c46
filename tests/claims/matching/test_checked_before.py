"""Checked before? works both ways in time: a pending claim shows a review imported after it,
or a verdict published on a claim that matched it, and its queue entry says so."""

from pathlib import Path

import pytest
from django.db.models import BooleanField, ExpressionWrapper
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from claims.matching.checked_before import claim_checked_before, claims_checked_before_q
from claims.models import Claim, ClaimMatch
from sources.imports.documents import source_import_paths
from tests.claims.matching.helpers import import_both, publish
from tests.conftest import EDITED_FROM, EDITED_TO
from tests.factories import imported_review

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("matching_inline")]

SEED_STATEMENT = EDITED_FROM


def pending_claim(seed_folder: Path) -> Claim:
    """A statement of the seed article, imported first and awaiting review."""
    source_import_paths(paths=[seed_folder])
    return Claim.objects.get(text=SEED_STATEMENT)


def panel(client: Client, claim: Claim) -> str:
    html = client.get(reverse("admin:claims_claim_change", args=[claim.pk])).content.decode()
    return html[
        html.index('id="claim-matches"') : html.index(
            "</section>", html.index('id="claim-matches"')
        )
    ]


def test_a_review_imported_later_shows_on_the_pending_claim_it_repeats(
    seed_folder: Path, admin_client: Client
) -> None:
    claim = pending_claim(seed_folder)

    review = imported_review(SEED_STATEMENT, rating="Mostly False", publisher="Check Desk")

    assert ClaimMatch.objects.filter(claim=review.claim, matched=claim).exists()
    shown = panel(admin_client, claim)
    assert "Checked before:" in shown
    assert escape(review.claim.text) in shown
    assert "verdict: <strong>Mostly false</strong>: No, the moon is rock (Check Desk)" in shown
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.PENDING


def test_the_imported_claim_lists_the_pending_one_as_not_checked_yet(
    seed_folder: Path, admin_client: Client
) -> None:
    claim = pending_claim(seed_folder)
    review = imported_review(SEED_STATEMENT)

    shown = panel(admin_client, review.claim)

    assert "Same claim, not checked yet:" in shown and escape(claim.text) in shown
    assert "Checked before:" not in shown


def test_a_similar_review_imported_later_is_a_suggestion_decided_from_the_earlier_claim(
    seed_folder: Path, admin_client: Client
) -> None:
    claim = pending_claim(seed_folder)
    review = imported_review(EDITED_TO)
    match = ClaimMatch.objects.get(claim=review.claim, matched=claim)
    assert match.kind == ClaimMatch.Kind.SUGGESTED
    assert "Suggested" in panel(admin_client, claim)
    assert claim in Claim.objects.filter(claims_checked_before_q(suggested=True))

    confirm = reverse("admin:claims_claimmatch_decide", args=[match.pk, "confirm"])
    response = admin_client.post(confirm, {"back": claim.pk})

    assert response["Location"] == reverse("admin:claims_claim_change", args=[claim.pk])
    assert "Checked before:" in panel(admin_client, claim)
    assert list(Claim.objects.filter(claims_checked_before_q())) == [claim]


def test_a_verdict_published_on_the_later_claim_shows_on_the_earlier_one(
    seed_folder: Path, edited_seed_folder: Path
) -> None:
    first, second = import_both(seed_folder, edited_seed_folder)
    earlier, later = first[0], second[0]  # the same statement in both articles
    assert claim_checked_before(claim=earlier).checked == []

    publish(later, label="False", headline="Not said")

    [shown] = claim_checked_before(claim=earlier).checked
    assert shown.verdict is not None
    assert (shown.other, shown.verdict.headline) == (later, "Not said")
    assert claim_checked_before(claim=later).unchecked[0].other == earlier


def test_a_dismissed_match_is_not_shown_on_either_claim(seed_folder: Path) -> None:
    claim = pending_claim(seed_folder)
    review = imported_review(EDITED_TO)
    ClaimMatch.objects.filter(claim=review.claim).update(status=ClaimMatch.Status.DISMISSED)

    for side in (claim, review.claim):
        shown = claim_checked_before(claim=side)
        assert (shown.checked, shown.suggested, shown.unchecked) == ([], [], [])
    assert not Claim.objects.filter(claims_checked_before_q(suggested=True)).exists()


def test_the_queue_says_which_pending_claims_were_checked_before(
    seed_folder: Path, admin_client: Client
) -> None:
    claim = pending_claim(seed_folder)
    imported_review(SEED_STATEMENT)
    queue = reverse("admin:claims_claim_changelist")

    listed = admin_client.get(queue).content.decode()
    row = listed[listed.index(f"/admin/claims/claim/{claim.pk}/change/") :]
    assert "Checked before" in row[: row.index("</tr>")]
    checked = admin_client.get(queue, {"checked": "yes"}).context["cl"].result_list
    assert [c.pk for c in checked] == [claim.pk]


def test_the_per_row_form_for_a_page_marks_the_claims_the_filter_finds(seed_folder: Path) -> None:
    claim = pending_claim(seed_folder)
    review = imported_review(EDITED_TO)  # a suggestion between it and `claim`, with a verdict
    copy = Claim.objects.exclude(pk__in=[claim.pk, review.claim.pk]).first()
    assert copy is not None
    Claim.objects.filter(pk=copy.pk).update(duplicate_of=review.claim)
    review_suggests = ClaimMatch.objects.filter(
        claim=review.claim, kind=ClaimMatch.Kind.SUGGESTED
    ).values_list("matched_id", flat=True)
    assert claim.pk in review_suggests

    for suggested in (False, True):
        flag = ExpressionWrapper(
            claims_checked_before_q(suggested=suggested, per_row=True),
            output_field=BooleanField(),
        )
        marked = {pk for pk, on in Claim.objects.values_list("pk", flag) if on}
        found = set(
            Claim.objects.filter(claims_checked_before_q(suggested=suggested)).values_list(
                "pk", flat=True
            )
        )
        assert found == ({copy.pk} if not suggested else set(review_suggests))
        assert marked == found
