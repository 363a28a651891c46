"""claim.created (opt-in) and import.finished, written by the importers in their own
transactions."""

import json
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings
from rest_framework.test import APIClient

from claims.models import Claim
from sources.imports.documents import source_import_paths
from sources.imports.tables import source_import_table
from tests.api.helpers import staff_client
from tests.webhooks.conftest import subscribe
from tests.webhooks.receiver import Receiver
from webhooks.delivery import deliveries_deliver_due
from webhooks.models import Event, EventType

pytestmark = pytest.mark.django_db

TABLE = "id\tclaim\trating\n" + "".join(
    f"r{n}\tStatement {n} says the figure was {n * 7} last year.\tfalse\n" for n in range(5)
)


def test_claims_created_are_events_only_for_a_subscriber(
    webhook_settings: Settings, receiver: Receiver, seed_folder: Path
) -> None:
    source_import_paths(paths=[seed_folder])
    assert not Event.objects.filter(type=EventType.CLAIM_CREATED).exists()  # nobody asked

    subscribe(receiver, EventType.CLAIM_CREATED)
    source_import_table(raw=TABLE.encode(), name="five.tsv", trusted=False)
    deliveries_deliver_due()

    webhook_settings.API_SYNC_LAG_SECONDS = 0  # the list shows changes at once
    created = [b for b in receiver.bodies() if b["type"] == "claim.created"]
    assert len(created) == 5
    claim = Claim.objects.get(pk=created[0]["data"]["id"])
    shown = staff_client().get("/api/v1/claims/", {"source": claim.source_id}).json()["results"]
    assert created[0]["data"] == shown[0]


def test_a_finished_import_is_announced_with_its_totals(
    webhook_settings: Settings, receiver: Receiver
) -> None:
    subscribe(receiver, EventType.IMPORT_FINISHED)

    run = source_import_table(raw=TABLE.encode(), name="five.tsv", trusted=True)
    deliveries_deliver_due()

    [body] = receiver.bodies()
    assert body["type"] == "import.finished"
    data = body["data"]
    assert (data["id"], data["status"], data["claims_created"]) == (run.pk, "succeeded", 5)
    assert data["trusted"] is True
    assert json.loads(Event.objects.get().body) == body
    assert APIClient().get("/api/v1/verdicts/").status_code == 200
