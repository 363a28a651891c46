"""The admins of the other records: the rating scale, claimants and verdicts."""

import pytest

from tests.claims.admin.conftest import Login
from tests.factories import staff_user

pytestmark = pytest.mark.django_db


def test_reviewers_read_the_scale_and_editors_manage_it(login: Login) -> None:
    reviewer, editor = staff_user("rev", "Reviewers"), staff_user("ed", "Editors")
    assert login(reviewer).get("/admin/claims/rating/add/").status_code == 403
    assert login(reviewer).get("/admin/claims/rating/").status_code == 200
    assert login(editor).get("/admin/claims/rating/add/").status_code == 200
    assert login(editor).get("/admin/claims/claimant/add/").status_code == 200
    assert login(reviewer).get("/admin/claims/claimant/add/").status_code == 403


def test_the_verdicts_rating_filter_names_verdicts_without_a_rating(login: Login) -> None:
    page = login(staff_user("rev", "Reviewers")).get("/admin/claims/verdict/").content.decode()
    assert '?rating__isnull=True">None on our scale</a>' in page
