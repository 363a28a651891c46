from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

Login = Callable[[Any], Client]


@pytest.fixture(autouse=True)
def _fresh_filter_choices() -> None:
    cache.clear()  # filter choices are cached for a minute


@pytest.fixture
def login() -> Login:
    """A client logged in as the user it is given."""

    def log_in(user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return log_in
