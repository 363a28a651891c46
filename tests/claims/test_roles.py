import pytest
from django.contrib.auth.models import AnonymousUser

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
    reviewer = UserFactory(username="rev-no-flag", is_staff=False)
    reviewer.groups.add(staff_user("x", "Reviewers").groups.get())
    assert user_is_staff(reviewer)


def test_a_staff_account_outside_the_groups_is_staff_but_may_not_review() -> None:
    clerk = staff_user("clerk")
    assert user_is_staff(clerk)
    assert not user_is_reviewer(clerk) and not user_is_editor(clerk)


def test_readers_and_inactive_accounts_have_no_role() -> None:
    inactive = staff_user("gone", "Editors")
    inactive.is_active = False
    for user in (AnonymousUser(), UserFactory(username="reader"), inactive):
        assert not user_is_staff(user)
        assert not user_is_reviewer(user) and not user_is_editor(user)


def test_only_reviewers_editors_and_superusers_can_be_assigned_claims() -> None:
    staff_user("rev", "Reviewers"), staff_user("ed", "Editors"), staff_user("root", superuser=True)
    staff_user("clerk"), UserFactory(username="reader")
    assert [u.username for u in reviewers()] == ["ed", "rev", "root"]
