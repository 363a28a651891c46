"""Events through the workflow to a real receiver on 127.0.0.1 that verifies every request with
the standardwebhooks library: publish, correct and retract arrive in order, signed, with the
verdict as the API shows it; a rolled-back change leaves no event; an endpoint that is down
for a while gets every event once it is back, each under its one id."""

import json
import time
from typing import Any

import pytest
from django.db import transaction
from pytest_django.fixtures import Settings
from rest_framework.test import APIClient

from claims import verdicts, workflow
from claims.models import Claim, Verdict
from tests.webhooks.conftest import awaiting_approval, subscribe
from tests.webhooks.receiver import Receiver
from webhooks.delivery import deliveries_deliver_due
from webhooks.models import Attempt, Delivery, DeliveryStatus, Event

pytestmark = pytest.mark.django_db


def correct(claim: Claim, editor: Any, note: str, headline: str) -> None:
    verdict = Verdict.objects.get(claim=claim)
    content = verdicts.VerdictInput(
        rating=verdict.rating,
        headline=headline,
        summary=verdict.summary,
        explanation=verdict.explanation,
        citations=[],
    )
    workflow.perform("correct", claim, editor, content=content, version=verdict.version, note=note)


def publish_correct_retract(claim: Claim, editor: Any) -> None:
    workflow.perform("publish", claim, editor)
    claim.refresh_from_db()
    correct(claim, editor, "The figure was for 2023.", "Corrected headline")
    claim.refresh_from_db()
    workflow.perform("retract", claim, editor, note="The source was withdrawn.")


def test_publish_correct_and_retract_arrive_in_order_and_signed(
    webhook_settings: Settings, receiver: Receiver
) -> None:
    subscribe(receiver)
    claim, editor = awaiting_approval()

    publish_correct_retract(claim, editor)
    deliveries_deliver_due()

    bodies = receiver.bodies()
    assert receiver.refused == []
    assert [b["type"] for b in bodies] == [
        "verdict.published",
        "verdict.corrected",
        "verdict.retracted",
    ]
    assert [b["data"]["sequence"] for b in bodies] == [1, 2, 3]
    assert [b["data"]["status"] for b in bodies] == ["published", "published", "retracted"]
    assert bodies[1]["data"]["headline"] == "Corrected headline"
    assert bodies[0]["data"]["claimreview"]["@type"] == "ClaimReview"
    assert bodies[2]["data"]["claimreview"] is None  # withdrawn, as the API's 410 says
    assert len(set(receiver.ids())) == 3
    for received in receiver.received:
        assert received.headers["webhook-signature"].startswith("v1,")
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.DELIVERED}


def test_the_event_shows_the_verdict_as_the_api_does(webhook_settings: Settings) -> None:
    claim, editor = awaiting_approval()

    workflow.perform("publish", claim, editor)

    event = Event.objects.get()
    body = json.loads(event.body)
    verdict = Verdict.objects.get(claim=claim)
    shown = APIClient().get(f"/api/v1/verdicts/{verdict.pk}/").json()
    data = body["data"]
    assert data.pop("sequence") == 1
    claimreview = data.pop("claimreview")
    assert data == shown
    assert claimreview == APIClient().get(f"/api/v1/verdicts/{verdict.pk}/claimreview").json()
    assert set(body) == {"type", "timestamp", "data"}


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_leaves_no_event(
    webhook_settings: Settings, receiver: Receiver
) -> None:
    subscribe(receiver)
    claim, editor = awaiting_approval()

    with pytest.raises(RuntimeError), transaction.atomic():
        workflow.perform("publish", claim, editor)
        assert Event.objects.count() == Delivery.objects.count() == 1  # written with the change
        raise RuntimeError("the request fails after the publish")

    assert Event.objects.count() == Delivery.objects.count() == 0
    claim.refresh_from_db()
    assert claim.status == Claim.Status.AWAITING_APPROVAL
    assert deliveries_deliver_due() == 0
    assert receiver.received == []


def test_an_endpoint_down_for_a_while_gets_every_event_once_back(
    webhook_settings: Settings, receiver: Receiver
) -> None:
    subscribe(receiver)
    receiver.stop()  # down: nothing listens on its port
    claim, editor = awaiting_approval()
    publish_correct_retract(claim, editor)

    assert deliveries_deliver_due() == 3
    assert receiver.received == []
    failed = Attempt.objects.filter(succeeded=False)
    assert failed.count() == 3
    assert all("refused" in a.error.lower() or "connect" in a.error.lower() for a in failed)
    assert not Delivery.objects.filter(status=DeliveryStatus.DELIVERED).exists()

    receiver.start()  # back, on the same port
    deadline = time.monotonic() + 30
    while len(receiver.received) < 3 and time.monotonic() < deadline:
        deliveries_deliver_due()  # what beat's sweep runs
        time.sleep(0.2)

    ids = receiver.ids()
    assert sorted(ids) == sorted(f"msg_{pk}" for pk in Event.objects.values_list("id", flat=True))
    assert len(ids) == len(set(ids)) == 3  # each once, under its own id
    by_id = {r.webhook_id: r.body["data"]["sequence"] for r in receiver.received}
    assert sorted(by_id.values()) == [1, 2, 3]
    assert Delivery.objects.filter(status=DeliveryStatus.DELIVERED, attempts=2).count() == 3
