from typing import Any

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_throttle_counters() -> None:
    """Throttle counters live in the cache; each test starts with none."""
    cache.clear()


@pytest.fixture(autouse=True)
def _no_sync_lag(settings: Any) -> None:
    """Tests read what they just wrote; test_sync_lag... covers the lag itself."""
    settings.API_SYNC_LAG_SECONDS = 0
