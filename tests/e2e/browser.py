"""Debian's Chromium driven by Playwright, as every end-to-end test uses it."""

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Page, Playwright, ViewportSize, sync_playwright

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# No sandbox as root in CI; no background networking: this machine has no network, and
# Chromium's own connections would be refused many at a time.
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PASSWORD = "correct horse battery staple"  # UserFactory's
REPO = Path(__file__).resolve().parents[2]
# `npm ci` installs it (package.json); .ci/run does so before the tests.
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
# `make screenshots` points this at docs/screenshots, which the docs show; a test run keeps its
# screenshots out of the tree.
SCREENSHOTS = Path(os.environ.get("SCREENSHOTS_DIR") or REPO / "var" / "screenshots")
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}


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


def page_check(page: Page, name: str) -> None:
    """What every page a person uses must pass, at the desktop and the phone size: no
    horizontal scrolling, no serious or critical accessibility violation (axe-core), and a
    screenshot of each size, <name>-desktop.png and <name>-phone.png, in SCREENSHOTS (the
    docs' walkthrough shows them). The page is left at the desktop size."""
    assert AXE.exists(), f"{AXE} is missing: run `npm ci` (package.json)"
    for size, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(viewport)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], (
            f"{name} at {size} size scrolls sideways: {width}px wide in a "
            f"{viewport['width']}px window"
        )
        # Evaluated through the DevTools protocol, not added as a <script>: the pages'
        # Content-Security-Policy refuses inline scripts, and this one is the test's own.
        page.evaluate(f"() => {{ {AXE.read_text()}\n }}")
        result = page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
            ".map(v => `${v.impact} ${v.id}: ${v.help} (${v.nodes.length} elements, first: "
            "${v.nodes[0].target.join(' ')})`)"
        )
        assert result == [], f"{name} at {size} size: " + "; ".join(result)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{size}.png"), full_page=True)
