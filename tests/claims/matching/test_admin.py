"""Matches in the admin: the claim page's "Checked before?" panel, its buttons and actions."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from claims.models import ClaimEvent, ClaimMatch
from tests.claims.matching.helpers import import_both, publish, suggested_match
from tests.factories import UserFactory, staff_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("matching_inline")]


def test_claim_page_says_checked_before_and_confirms_a_suggestion(
    seed_folder: Path, edited_seed_folder: Path, admin_client: Client
) -> None:
    match = suggested_match(seed_folder, edited_seed_folder)
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
    assert response.status_code == 302 and response["Location"] == page
    html = admin_client.get(page).content.decode()
    assert "Checked before:" in html
    assert "verdict: <strong>False</strong>: Not what was said" in html
    assert ClaimEvent.objects.get(claim=match.claim).code == "match.confirmed"


def test_claim_page_of_a_duplicate_names_the_original_as_not_checked_yet(
    seed_folder: Path, edited_seed_folder: Path, admin_client: Client
) -> None:
    first, second = import_both(seed_folder, edited_seed_folder)

    html = admin_client.get(reverse("admin:claims_claim_change", args=[second[0].pk])).content
    panel = html.decode().split('id="claim-matches"')[1]
    assert "Same claim, not checked yet:" in panel and escape(first[0].text) in panel
    assert "Checked before:" not in panel  # an original without a verdict was not checked


def test_deciding_needs_the_change_permission(
    seed_folder: Path, edited_seed_folder: Path, client: Client
) -> None:
    match = suggested_match(seed_folder, edited_seed_folder)
    viewer = UserFactory.create(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_claimmatch"))
    client.force_login(viewer)

    response = client.post(reverse("admin:claims_claimmatch_decide", args=[match.pk, "dismiss"]))

    assert response.status_code == 403
    # No event but those of the duplicates the import found.
    assert not ClaimEvent.objects.exclude(code="claim.duplicate_found").exists()


def test_admin_actions_confirm_and_dismiss(
    seed_folder: Path, edited_seed_folder: Path, admin_client: Client
) -> None:
    match = suggested_match(seed_folder, edited_seed_folder)
    url = reverse("admin:claims_claimmatch_changelist")

    admin_client.post(url, {"action": "dismiss_matches", "_selected_action": [match.pk]})

    match.refresh_from_db()
    assert match.status == ClaimMatch.Status.DISMISSED
    assert ClaimEvent.objects.get(claim=match.claim).code == "match.dismissed"


def test_editors_may_decide_matches_and_reviewers_only_see_them() -> None:
    editor, reviewer = staff_user("eve", "Editors"), staff_user("rob", "Reviewers")

    assert editor.has_perm("claims.change_claimmatch")
    assert reviewer.has_perm("claims.view_claimmatch")
    assert not reviewer.has_perm("claims.change_claimmatch")
