"""End to end in a real headless Chromium: an administrator adds a webhook subscription (the
secret is shown once), and a subscription disabled after failures is announced on the admin
home's desk and on its list (its subtitle clear of the add button), and enabled again from
there."""

from typing import Any

import pytest

from tests.e2e.browser import chromium, log_in, page_check
from tests.factories import staff_user
from webhooks.models import Subscription
from webhooks.services import subscription_create, subscription_disable


@pytest.mark.django_db(transaction=True)
def test_a_subscription_is_added_and_a_disabled_one_enabled_in_the_admin(
    live_server: Any,
) -> None:
    staff_user("boss", superuser=True)
    broken, _ = subscription_create(
        url="https://hooks.example.org/broken", event_types=["verdict.published"]
    )
    subscription_disable(subscription_id=broken.pk, reason="The endpoint answered 410 Gone.")
    base = live_server.url

    with chromium() as (_playwright, browser):
        page = log_in(browser, base, "boss")  # lands on the home, the desk
        panel = page.locator("#panel-webhooks-disabled").inner_text()
        page.click("#panel-webhooks-disabled .desk-count a")
        filtered = page.locator("#result_list").inner_text()
        page.goto(f"{base}/admin/webhooks/subscription/add/")
        page_check(page, "webhooks-add")
        url_label = page.locator("label[for=id_url]").inner_text()
        page.fill("#id_url", "https://hooks.example.org/newsroom")
        page.check("input[name=event_types][value='verdict.published']")
        page.check("input[name=event_types][value='verdict.retracted']")
        page.fill("#id_description", "Newsroom bot")
        page.click("input[name=_save]")
        shown = page.locator(".messagelist").inner_text()
        page_check(page, "webhooks-list")
        listed = page.locator("#result_list").inner_text()
        # The list's subtitle (how long history is kept) clear of the "Add subscription"
        # button that floats up beside it.
        overlaps = page.evaluate(
            "(() => { const button = document.querySelector('.object-tools')"
            ".getBoundingClientRect(); const range = document.createRange();"
            " range.selectNodeContents(document.querySelector('#content > h2'));"
            " return [...range.getClientRects()].filter(line => line.right > button.left"
            " && line.left < button.right && line.bottom > button.top"
            " && line.top < button.bottom).length; })()"
        )
        page.check(f"input[name=_selected_action][value='{broken.pk}']")
        page.select_option("select[name=action]", "enable")
        page.click("button[name=index]")
        after = page.locator(".messagelist").inner_text()

    assert url_label == "URL:"
    assert "Webhook subscriptions disabled" in panel and "1 disabled" in panel
    assert "The endpoint answered 410 Gone." in panel
    assert "hooks.example.org/broken" in filtered
    added = Subscription.objects.get(description="Newsroom bot")
    assert added.event_types == ["verdict.published", "verdict.retracted"]
    assert added.secret in shown and "not shown again" in shown
    assert "1 webhook subscription(s) disabled after failures" in shown
    assert "The endpoint answered 410 Gone." in listed
    assert overlaps == 0
    assert "1 subscription(s) enabled." in after
    broken.refresh_from_db()
    assert broken.is_active
