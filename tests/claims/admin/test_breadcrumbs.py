"""The admin's breadcrumbs say where a page is in the newsroom's words: the desk, the task
group and the page's name as the desk's navigation shows them (factcheck/admin_site.py)."""

import re

import pytest
from django.test import Client

from tests.claims.admin.conftest import Login
from tests.factories import ClaimFactory, staff_user

pytestmark = pytest.mark.django_db


def crumbs(client: Client, url: str) -> tuple[str, list[str]]:
    """The breadcrumbs of the page at `url` as read, and the links they hold."""
    response = client.get(url)
    assert response.status_code == 200, url
    html = re.search(r'<div class="breadcrumbs">(.*?)</div>', response.content.decode(), re.S)
    assert html is not None, url
    text = re.sub(r"<[^>]+>", "", html.group(1)).replace("&rsaquo;", ">")
    return " ".join(text.split()), re.findall(r'href="([^"]+)"', html.group(1))


def test_the_queue_and_a_claim_page_read_desk_review_review_queue(login: Login) -> None:
    reviewer = login(staff_user("rita", "Reviewers"))
    claim = ClaimFactory.create(text="Wages doubled in a year.")
    assert crumbs(reviewer, "/admin/claims/claim/") == (
        "Your desk > Review > Review queue",
        ["/admin/", "/admin/#nav-review"],
    )
    assert crumbs(reviewer, f"/admin/claims/claim/{claim.pk}/change/") == (
        "Your desk > Review > Review queue > Wages doubled in a year.",
        ["/admin/", "/admin/#nav-review", "/admin/claims/claim/"],
    )
    assert crumbs(reviewer, "/admin/claims/claim/spot/")[0] == (
        "Your desk > Review > Spot the claims"
    )


def test_every_named_page_uses_its_group_and_name(login: Login) -> None:
    admin = login(staff_user("boss", superuser=True))
    assert crumbs(admin, "/admin/claims/verdict/")[0] == "Your desk > Publish > Verdicts"
    assert crumbs(admin, "/admin/sources/importrun/")[0] == (
        "Your desk > Sources and imports > Import runs"
    )
    assert crumbs(admin, "/admin/auth/user/add/")[0] == "Your desk > Settings > People > Add user"


def test_a_page_no_group_names_keeps_its_apps_name(login: Login) -> None:
    admin = login(staff_user("boss", superuser=True))
    text, links = crumbs(admin, "/admin/axes/accessattempt/")
    assert text == "Your desk > Axes > Access attempts"
    assert links == ["/admin/", "/admin/axes/"]
