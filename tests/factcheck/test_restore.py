"""The restore drill of docs/operations.md, on the database the tests use: pg_dump it, drop it,
create it again, pg_restore the dump, and the API answers exactly as before; new rows still get
new ids (the sequences came back too)."""

import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from pytest_django.fixtures import Settings
from rest_framework.test import APIClient

from tests.api.helpers import verdict_correct, verdict_retract
from tests.conftest import database_url
from tests.factories import PublishedVerdictFactory
from tests.replica import server_pg_bin

pytestmark = pytest.mark.django_db(transaction=True)


def answers(client: APIClient, ids: list[int]) -> dict[str, Any]:
    """What a consumer reads: the verdict list, each verdict, its ClaimReview, the feed and the
    public pages."""
    seen: dict[str, Any] = {}
    for path in ("/api/v1/verdicts/?page_size=500", "/api/v1/claims/?page_size=500"):
        seen[path] = client.get(path).json()
    for pk in ids:
        for path in (f"/api/v1/verdicts/{pk}/", f"/api/v1/verdicts/{pk}/claimreview"):
            response = client.get(path)
            seen[path] = (response.status_code, response.content)
        seen[f"/verdicts/{pk}/"] = client.get(f"/verdicts/{pk}/").content
    feed = client.get("/api/v1/claimreview-feed")
    seen["feed"] = b"".join(feed.streaming_content)  # type: ignore[attr-defined]
    return seen


def run(*argv: str | Path) -> None:
    done = subprocess.run([str(a) for a in argv], capture_output=True, text=True)
    assert done.returncode == 0, f"{argv[0]}: {done.stdout}{done.stderr}"


def test_dump_drop_restore_and_the_api_answers_the_same(settings: Settings, tmp_path: Path) -> None:
    settings.API_SYNC_LAG_SECONDS = 0
    settings.API_ANON_RATE = ""
    verdicts = [PublishedVerdictFactory.create() for _ in range(5)]
    verdict_correct(verdict=verdicts[1], note="The figure was for 2024, not 2025.")
    verdict_retract(verdict=verdicts[2], note="The source withdrew the report.")
    ids = [v.pk for v in verdicts]
    client = APIClient()
    before = answers(client, ids)
    assert before["/api/v1/verdicts/?page_size=500"]["results"]

    default = connections["default"]
    bin = server_pg_bin(default, programs="pg_dump and pg_restore")
    url = database_url(default.settings_dict)
    name = default.settings_dict["NAME"]
    maintenance = url.rsplit("/", 1)[0] + "/postgres"
    dump = tmp_path / "factcheck.dump"

    run(bin / "pg_dump", "--format=custom", "--file", dump, "--dbname", url)
    default.close()
    run(bin / "psql", "-q", "-v", "ON_ERROR_STOP=1", "-d", maintenance, "-c",
        f'DROP DATABASE "{name}" WITH (FORCE)')  # fmt: skip
    run(bin / "psql", "-q", "-v", "ON_ERROR_STOP=1", "-d", maintenance, "-c",
        f'CREATE DATABASE "{name}"')  # fmt: skip
    run(bin / "pg_restore", "--no-owner", "--exit-on-error", "--dbname", url, dump)

    after = answers(client, ids)
    assert after == before
    later = PublishedVerdictFactory.create()
    assert later.pk > max(ids)
    assert client.get(f"/api/v1/verdicts/{later.pk}/").status_code == 200
