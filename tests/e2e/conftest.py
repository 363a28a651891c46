import pytest

from tests.e2e.browser import CHROMIUM, chromium_available


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test here is an end-to-end test in a real browser, skipped without Chromium."""
    skip = pytest.mark.skipif(
        not chromium_available(), reason=f"no Chromium at {CHROMIUM} (CI installs it)"
    )
    for item in items:
        if "tests/e2e/" in str(item.path):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _playwright_in_this_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """Playwright's sync API runs an event loop in the test's thread; the ORM calls a test makes
    between browser steps are still plain synchronous calls."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
