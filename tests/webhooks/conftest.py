from collections.abc import Iterator
from typing import Any

import pytest
from pytest_django.fixtures import Settings

from claims.models import Claim, Verdict
from tests.factories import ClaimFactory, VerdictFactory, staff_user

# Real worker processes and, for a failing test, their logs (tests/sources/conftest.py).
from tests.sources.conftest import processes, pytest_runtest_makereport  # noqa: F401
from tests.webhooks.receiver import Receiver
from webhooks.models import EventType, Subscription
from webhooks.services import subscription_create


@pytest.fixture
def webhook_settings(settings: Settings) -> Settings:
    """Deliveries may reach 127.0.0.1 (WEBHOOK_ALLOWED_HOSTS); retries come within seconds; the
    payloads' links are on the test client's host."""
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.WEBHOOK_RETRY_BASE = 1
    settings.WEBHOOK_TIMEOUT = 2
    settings.SITE_URL = "http://testserver"
    return settings


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    started = Receiver(secrets=[]).start()
    yield started
    started.stop()


def subscribe(receiver: Receiver, *types: str) -> Subscription:
    """A subscription of `receiver` to `types` (every verdict event by default); the receiver
    verifies with its secret."""
    wanted = list(types) or [
        EventType.VERDICT_PUBLISHED,
        EventType.VERDICT_CORRECTED,
        EventType.VERDICT_RETRACTED,
    ]
    subscription, secret = subscription_create(url=receiver.url, event_types=wanted)
    receiver.secrets.append(secret)
    return subscription


def awaiting_approval() -> tuple[Claim, Any]:
    """A claim whose own verdict a reviewer submitted, and an editor who may publish it."""
    reviewer = staff_user("rita", "Reviewers")
    editor = staff_user("ed", "Editors")
    claim = ClaimFactory.create(status=Claim.Status.AWAITING_APPROVAL, assignee=reviewer)
    VerdictFactory.create(claim=claim, author=reviewer, status=Verdict.Status.DRAFT)
    return claim, editor
