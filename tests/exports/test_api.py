"""The exports API in the test's process: a worker's task is run here by calling it, as a
worker would (tests/exports/test_workers.py runs real workers)."""

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from claims.models import Claim, Verdict
from claims.services import api_key_create
from exports.models import Export
from exports.tasks import export_write_task
from tests.exports.helpers import FORMULA, ask, streamed
from tests.factories import PublishedVerdictFactory, UserFactory, VerdictFactory

pytestmark = pytest.mark.django_db


def some_verdicts() -> list[Verdict]:
    verdicts = [PublishedVerdictFactory.create() for _ in range(3)]
    verdicts.append(PublishedVerdictFactory.create(rating_id=verdicts[0].rating_id))
    Claim.objects.filter(pk=verdicts[1].claim_id).update(language="de")
    VerdictFactory.create()  # a draft: never exported
    return verdicts


def test_an_export_is_queued_then_downloads_what_the_list_streams() -> None:
    some_verdicts()
    client = APIClient()
    asked = ask(client, language="en")
    assert asked["status"] == "queued"
    assert asked["download_url"] is None
    assert asked["filters"] == {"language": "en"}
    assert client.get(asked["url"]).json()["status"] == "queued"
    early = client.get(asked["url"] + "download")
    assert early.status_code == 409
    assert early.json()["code"] == "export_not_ready"

    assert export_write_task(asked["id"]) == 3

    done = client.get(asked["url"])
    assert done.status_code == 200
    assert done["Cache-Control"] == "private, no-cache"
    status = done.json()
    assert status["status"] == "done"
    assert status["rows"] == 3
    assert status["download_url"] == asked["url"] + "download"
    download = client.get(status["download_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert download["Content-Disposition"].startswith('attachment; filename="verdicts-')
    body = download.getvalue()
    assert body == streamed(client, language="en")
    assert len(body) == status["size"]
    assert len(list(csv.DictReader(io.StringIO(body.decode())))) == 3


def test_no_filters_export_every_public_verdict() -> None:
    verdicts = some_verdicts()
    client = APIClient()
    asked = ask(client)
    export_write_task(asked["id"])
    body = client.get(asked["url"] + "download").getvalue()
    ids = [int(row["id"]) for row in csv.DictReader(io.StringIO(body.decode()))]
    assert ids == [v.pk for v in verdicts]
    assert body == streamed(client)


def test_formula_cells_are_written_as_text() -> None:
    verdict = PublishedVerdictFactory.create(headline="+1+1", summary="@SUM(A1:A9)")
    Claim.objects.filter(pk=verdict.claim_id).update(text=FORMULA)
    client = APIClient()
    asked = ask(client)
    export_write_task(asked["id"])
    body = client.get(asked["url"] + "download").getvalue().decode()
    [row] = list(csv.DictReader(io.StringIO(body)))
    assert row["claim_text"] == "'" + FORMULA
    assert row["headline"] == "'+1+1"
    assert row["summary"] == "'@SUM(A1:A9)"


def test_only_the_caller_who_asked_reads_the_export() -> None:
    PublishedVerdictFactory.create()
    owner = APIClient()
    asked = ask(owner)
    export_write_task(asked["id"])
    download = asked["url"] + "download"
    assert owner.get(download).status_code == 200

    elsewhere = APIClient(REMOTE_ADDR="203.0.113.9")
    _, key = api_key_create(name="platform")
    with_key = APIClient(HTTP_AUTHORIZATION=f"Api-Key {key}")
    signed_in = APIClient()
    signed_in.force_authenticate(UserFactory.create(is_staff=True))
    for other in (elsewhere, with_key, signed_in):
        for url in (asked["url"], download):
            refused = other.get(url)
            assert refused.status_code == 404
            assert refused.json()["code"] == "not_found"

    # A key holder's export is the key's, wherever it calls from; not the address's.
    by_key = ask(with_key)
    assert (
        APIClient(HTTP_AUTHORIZATION=f"Api-Key {key}", REMOTE_ADDR="198.51.100.7")
        .get(by_key["url"])
        .json()["id"]
        == by_key["id"]
    )
    assert owner.get(by_key["url"]).status_code == 404
    assert Export.objects.get(pk=by_key["id"]).owner.startswith("api_key:")


def test_an_unknown_export_is_404_in_the_error_shape() -> None:
    missing = APIClient().get("/api/v1/exports/0b6f1c1e-4d8a-4f57-9a55-3f0f3c1b2a10/")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    assert APIClient().get("/api/v1/exports/not-a-uuid/").json()["code"] == "not_found"


def test_asking_again_while_pending_answers_the_same_export_and_pending_ones_are_limited(
    settings: Any,
) -> None:
    settings.EXPORTS_MAX_PENDING = 2
    client = APIClient()
    first = ask(client, rating="false")
    assert ask(client, rating="false")["id"] == first["id"]
    ask(client, rating="true")
    refused = client.post("/api/v1/exports/", {"language": "en"}, format="json")
    assert refused.status_code == 429
    assert refused.json()["code"] == "too_many_exports"
    assert refused["Retry-After"] == "30"
    export_write_task(first["id"])  # one finishes: room for another
    ask(client, language="en")
    assert Export.objects.count() == 3


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"published_after": "yesterday"}, "published_after"),
        ({"claimant": "three"}, "claimant"),
        ({"rating": ""}, "rating"),
        ({"rating": ["false"]}, "rating"),
        ({"rating": "a\x00b"}, "rating"),
        ({"format": "csv"}, "format"),
        ({"q": "x" * 1001}, "q"),
    ],
)
def test_bad_filters_are_a_400_naming_them(body: dict[str, Any], field: str) -> None:
    response = APIClient().post("/api/v1/exports/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] in ("invalid", "parse_error")
    if response.json()["code"] == "invalid":
        assert field in response.json()["errors"]
    assert not Export.objects.exists()


def test_a_body_that_is_not_an_object_is_a_400() -> None:
    response = APIClient().post("/api/v1/exports/", ["rating"], format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_a_failed_export_says_why(settings: Any, tmp_path: Any) -> None:
    PublishedVerdictFactory.create()
    (tmp_path / "a-file").write_text("")
    settings.MEDIA_ROOT = str(tmp_path / "a-file" / "media")  # cannot be a folder
    client = APIClient()
    asked = ask(client)
    with pytest.raises(OSError):
        export_write_task(asked["id"])
    status = client.get(asked["url"]).json()
    assert status["status"] == "failed"
    assert status["error"] == "The file could not be written: Not a directory."
    download = client.get(asked["url"] + "download")
    assert download.status_code == 409
    assert download.json()["code"] == "export_failed"
    assert "Not a directory" in download.json()["detail"]


def test_an_export_whose_worker_was_lost_again_and_again_ends_failed() -> None:
    PublishedVerdictFactory.create()
    client = APIClient()
    asked = ask(client)
    # Three workers took it and were lost (killed, out of memory) before it finished.
    Export.objects.filter(pk=asked["id"]).update(status="running", attempts=3)
    assert export_write_task(asked["id"]) is None
    status = client.get(asked["url"]).json()
    assert status["status"] == "failed"
    assert status["error"].startswith("The export was started 3 times and its worker stopped")


def test_expired_exports_are_not_found(settings: Any) -> None:
    PublishedVerdictFactory.create()
    client = APIClient()
    asked = ask(client)
    export_write_task(asked["id"])
    Export.objects.filter(pk=asked["id"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(asked["url"]).status_code == 404
    assert client.get(asked["url"] + "download").json()["code"] == "not_found"


def test_exports_are_in_the_schema_with_examples() -> None:
    schema = APIClient().get("/api/v1/schema/?format=json").json()
    post = schema["paths"]["/api/v1/exports/"]["post"]
    assert "202" in post["responses"]
    assert post["requestBody"]["content"]["application/json"]["examples"]
    download = schema["paths"]["/api/v1/exports/{id}/download"]["get"]
    assert "text/csv" in download["responses"]["200"]["content"]
    assert {"404", "409"} <= set(download["responses"])
    body = schema["components"]["schemas"]["ExportInputRequest"]["properties"]
    assert set(body) == {
        "rating",
        "claimant",
        "source",
        "language",
        "published_after",
        "published_before",
        "updated_since",
        "q",
    }
