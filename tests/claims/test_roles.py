"""Who is a reviewer, an editor or staff, and what their groups may do."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from claims.roles import reviewers, user_is_editor, user_is_reviewer, user_is_staff
from tests.factories import UserFactory, staff_user

pytestmark = pytest.mark.django_db


def test_editors_and_superusers_are_editors_and_reviewers() -> None:
    for user in (staff_user("ed", "Editors"), staff_user("root", superuser=True)):
        assert user_is_editor(user) and user_is_reviewer(user) and user_is_staff(user)


def test_reviewers_review_but_do_not_edit() -> None:
    reviewer = staff_user("rev", "Reviewers")
    assert user_is_reviewer(reviewer) and user_is_staff(reviewer)
    assert not user_is_editor(reviewer)


def test_a_reviewer_without_the_staff_flag_is_still_staff() -> None:
    reviewer = UserFactory.create(username="rev-no-flag", is_staff=False)
    reviewer.groups.add(staff_user("x", "Reviewers").groups.get())
    assert user_is_staff(reviewer)


def test_a_staff_account_outside_the_groups_is_staff_but_may_not_review() -> None:
    clerk = staff_user("clerk")
    assert user_is_staff(clerk)
    assert not user_is_reviewer(clerk) and not user_is_editor(clerk)


def test_readers_and_inactive_accounts_have_no_role() -> None:
    inactive = staff_user("gone", "Editors")
    inactive.is_active = False
    for user in (AnonymousUser(), UserFactory.create(username="reader"), inactive):
        assert not user_is_staff(user)
        assert not user_is_reviewer(user) and not user_is_editor(user)


def test_only_reviewers_editors_and_superusers_can_be_assigned_claims() -> None:
    staff_user("rev", "Reviewers"), staff_user("ed", "Editors"), staff_user("root", superuser=True)
    staff_user("clerk"), UserFactory.create(username="reader")
    assert [u.username for u in reviewers()] == ["ed", "rev", "root"]


def test_the_groups_hold_the_permissions_their_roles_need(client: Client) -> None:
    reviewer, editor = staff_user("rev", "Reviewers"), staff_user("ed", "Editors")
    assert reviewer.has_perms(["claims.view_claim", "claims.view_verdict", "sources.view_source"])
    assert not reviewer.has_perm("claims.change_claim")
    assert not reviewer.has_perm("claims.change_rating")
    assert editor.has_perms(["claims.change_claim", "claims.change_rating", "claims.add_claimant"])
    for user in (reviewer, editor):
        assert not user.has_perm("claims.delete_claim")
        assert not user.has_perm("sources.change_importrun")
    client.force_login(editor)
    assert client.get("/admin/sources/importrun/add/").status_code == 403


def test_editors_manage_feeds_and_webhooks_in_the_admin_and_reviewers_do_not(
    client: Client,
) -> None:
    pages = ("/admin/sources/feed/add/", "/admin/webhooks/subscription/add/")
    client.force_login(staff_user("ed", "Editors"))
    for page in (*pages, "/admin/webhooks/delivery/"):
        assert client.get(page).status_code == 200, page
    client.force_login(staff_user("rev", "Reviewers"))
    for page in pages:
        assert client.get(page).status_code == 403, page
