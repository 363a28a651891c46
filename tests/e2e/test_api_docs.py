"""The interactive API docs work in a real browser with nothing fetched from outside."""

from typing import Any

import pytest

from tests.api.helpers import PUBLIC_READ_PATHS
from tests.e2e.browser import chromium
from tests.factories import PublishedVerdictFactory


@pytest.mark.django_db(transaction=True)
def test_swagger_ui_lists_every_operation_from_local_files_only(live_server: Any) -> None:
    verdict = PublishedVerdictFactory.create()
    outside: list[str] = []
    with chromium() as (_, browser):
        page = browser.new_page()
        page.on(
            "request",
            lambda r: None if r.url.startswith(live_server.url) else outside.append(r.url),
        )
        page.goto(f"{live_server.url}/api/v1/docs/")
        page.wait_for_selector(".opblock", timeout=20_000)
        paths = page.locator(".opblock-summary-path").all_inner_texts()
        page.goto(f"{live_server.url}/verdicts/{verdict.id}/")
        rating = page.locator("#rating").inner_text()
    assert outside == []
    shown = {p.replace("\u200b", "") for p in paths}
    assert set(PUBLIC_READ_PATHS) <= shown
    assert rating == "False"
