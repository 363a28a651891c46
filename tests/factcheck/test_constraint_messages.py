"""Form errors in words: a value that breaks a database constraint is refused in the admin form
with a sentence, never the constraint's name."""

import pytest
from django.apps import apps
from django.db.models import CheckConstraint, UniqueConstraint
from django.test import Client

from sources.models import Feed

pytestmark = pytest.mark.django_db


def test_every_constraint_a_form_can_hit_says_what_is_wrong_in_words() -> None:
    # Django names the constraint unless given a message; a unique constraint on fields alone
    # says "<model> with this <field> already exists." by itself.
    unworded = [
        f"{model.__name__}.{constraint.name}"
        for app in ("claims", "sources")
        for model in apps.get_app_config(app).get_models()
        for constraint in model._meta.constraints
        if (
            isinstance(constraint, CheckConstraint)
            or (isinstance(constraint, UniqueConstraint) and constraint.condition is not None)
        )
        and constraint.violation_error_message == constraint.default_violation_error_message
    ]

    assert unworded == []


def test_a_feed_interval_of_zero_is_refused_in_words(admin_client: Client) -> None:
    response = admin_client.post(
        "/admin/sources/feed/add/",
        {"url": "https://news.example/feed.xml", "kind": "rss", "interval": 0, "enabled": "on"},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Poll a feed at most once a minute" in page
    assert "feed_interval_min" not in page
    assert not Feed.objects.exists()


def test_an_api_key_rate_that_is_no_rate_is_refused_in_words(admin_client: Client) -> None:
    response = admin_client.post(
        "/admin/claims/apikey/add/", {"name": "Newsroom", "rate": "lots", "expires_at": ""}
    )

    page = response.content.decode()
    assert "e.g. 1000/hour" in page
    assert "apikey_rate_valid" not in page
