from pathlib import Path
from typing import Any

import pytest

# Real worker processes and, for a failing test, their logs (tests/sources/conftest.py).
from tests.sources.conftest import processes, pytest_runtest_makereport  # noqa: F401


@pytest.fixture(autouse=True)
def export_settings(settings: Any, tmp_path: Path) -> Any:
    """Files in the test's own folder; reads see what the test just wrote (no sync lag)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.API_SYNC_LAG_SECONDS = 0
    return settings
