"""Debian's Chromium driven by Playwright, as every end-to-end test uses it."""

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Browser, Page, Playwright, sync_playwright

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# No sandbox as root in CI; no background networking: this machine has no network, and
# Chromium's own connections would be refused many at a time.
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PASSWORD = "correct horse battery staple"  # UserFactory's


def chromium_available() -> bool:
    return os.path.exists(CHROMIUM) or shutil.which("chromium") is not None


@contextmanager
def chromium() -> Iterator[tuple[Playwright, Browser]]:
    """Playwright and a headless Chromium, closed on the way out.

    Code inside the block runs in Playwright's own context, where the ORM would open a second
    database connection that outlives the test: read what the test needs before the block."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield playwright, browser
        finally:
            browser.close()


def log_in(browser: Browser, base: str, username: str) -> Page:
    """A new browser context logged into the admin as `username`."""
    page = browser.new_context().new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    assert "/admin/login/" not in page.url, f"{username} could not log in"
    return page
