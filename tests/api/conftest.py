from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _no_sync_lag(settings: Any) -> None:
    """Tests read what they just wrote; test_sync_lag... covers the lag itself."""
    settings.API_SYNC_LAG_SECONDS = 0
