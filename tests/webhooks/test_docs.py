"""The consumer's guide's ten-line receiver, run as it is printed, against real deliveries: it
verifies them and acts on a replayed one once."""

import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings

from claims import workflow
from tests.webhooks.conftest import awaiting_approval
from webhooks.delivery import deliveries_deliver_due
from webhooks.models import Delivery, DeliveryStatus, EventType
from webhooks.services import deliveries_replay, subscription_create

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"

pytestmark = pytest.mark.django_db


def receiver_code() -> str:
    section = GUIDE.read_text().split("## A receiver in ten lines", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None
    return code.group(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_guides_receiver_verifies_and_acts_on_each_event_once(
    webhook_settings: Settings, tmp_path: Path
) -> None:
    code = receiver_code()
    assert len(code.strip().splitlines()) == 10
    port = free_port()
    subscription, secret = subscription_create(
        url=f"http://127.0.0.1:{port}/", event_types=[EventType.VERDICT_PUBLISHED]
    )
    script = tmp_path / "receiver.py"
    script.write_text(code.replace("whsec_your_secret", secret).replace("8080", str(port)))
    out = tmp_path / "out.txt"
    with out.open("wb") as sink:
        process = subprocess.Popen([sys.executable, str(script)], stdout=sink, stderr=sink)
    try:
        end = time.monotonic() + 30
        while time.monotonic() < end:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        claim, editor = awaiting_approval()
        workflow.perform("publish", claim, editor)
        deliveries_deliver_due()
        delivery = Delivery.objects.get()
        assert delivery.status == DeliveryStatus.DELIVERED
        Delivery.objects.update(status=DeliveryStatus.FAILED)  # as if its answer had been lost
        deliveries_replay(deliveries=Delivery.objects.all())
        deliveries_deliver_due()
        assert Delivery.objects.get().status == DeliveryStatus.DELIVERED
    finally:
        process.kill()
        process.wait(10)

    verdict_id = subscription.deliveries.get().event.verdict_id
    printed = [line for line in out.read_text().splitlines() if line.startswith("verdict.")]
    assert printed == [f"verdict.published {verdict_id}"]  # twice delivered, once acted on
