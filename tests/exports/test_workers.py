"""Real Celery worker processes (tests/sources/workers.py) writing exports asked for over real
HTTP: the downloaded file is the CSV the verdict list streams for the same filters; a worker
killed mid-export leaves a job the next worker writes again from scratch; a file that cannot
be written ends the job failed, saying why."""

import csv
import io
import json
import time
import urllib.request
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

from claims.models import Claim, Rating
from exports.models import Export
from exports.services import export_file_name
from tests.conftest import database_url
from tests.exports.helpers import FORMULA
from tests.factories import PublishedVerdictFactory, VerdictFactory
from tests.sources.workers import REDIS, START, Processes, broker_env, redis_purge

EXPORT = 120  # seconds for a worker to write a small export
VISIBILITY = 12  # seconds before Redis hands a lost worker's task to another worker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(3 * START + 4 * EXPORT)]


def worker_env(tmp_path: Path, settings: Any, **extra: str) -> dict[str, str]:
    """A worker on the broker the web process sends to, writing into the test's MEDIA_ROOT."""
    kind = "redis" if REDIS.startswith("redis://") else "filesystem"
    env = broker_env(kind, tmp_path)
    if kind == "redis":
        redis_purge()
    else:  # the folder the test process's own Celery app sends through
        env["CELERY_BROKER_FOLDER"] = str(settings.CELERY_BROKER_FOLDER)
    env.update(MEDIA_ROOT=str(settings.MEDIA_ROOT), API_SYNC_LAG_SECONDS="0", **extra)
    return env


def http(method: str, url: str, body: dict[str, Any] | None = None) -> tuple[int, bytes, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers


def status_of(url: str) -> dict[str, Any]:
    code, body, _ = http("GET", url)
    assert code == 200, body
    return dict(json.loads(body))


def verdicts() -> None:
    true = Rating.objects.get(slug="true")
    for n in range(40):
        PublishedVerdictFactory.create(headline=f"Verdict number {n}")
        if n % 4 == 0:
            PublishedVerdictFactory.create(headline=f"Verdict number {n}, true", rating=true)
    hostile = PublishedVerdictFactory.create(headline="+1+1")
    Claim.objects.filter(pk=hostile.claim_id).update(text=FORMULA, language="de")
    VerdictFactory.create()  # a draft: never exported


def test_a_worker_writes_the_file_the_caller_downloads(
    live_server: Any, tmp_path: Path, settings: Any, processes: Processes
) -> None:
    verdicts()
    processes.start_worker("worker", worker_env(tmp_path, settings))
    processes.wait_ready("worker")

    code, body, headers = http("POST", f"{live_server.url}/api/v1/exports/", {"rating": "false"})
    assert code == 202, body
    asked = json.loads(body)
    assert headers["Location"] == asked["url"]
    processes.wait_for(
        lambda: Export.objects.filter(pk=asked["id"], status="done").exists(),
        EXPORT,
        "the export to be written",
    )

    done = status_of(asked["url"])
    assert done["rows"] == 41  # not the ten rated true
    code, downloaded, headers = http("GET", done["download_url"])
    assert code == 200
    assert headers["Content-Disposition"].startswith("attachment;")
    code, streamed, _ = http("GET", f"{live_server.url}/api/v1/verdicts/?format=csv&rating=false")
    assert downloaded == streamed
    rows = list(csv.DictReader(io.StringIO(downloaded.decode())))
    assert len(rows) == 41
    assert rows[-1]["claim_text"] == "'" + FORMULA
    assert rows[-1]["headline"] == "'+1+1"
    assert "Task exports.tasks.export_write_task[" in processes.log("worker")


def test_a_worker_killed_mid_export_leaves_it_to_the_next_which_writes_it_afresh(
    live_server: Any, tmp_path: Path, settings: Any, processes: Processes
) -> None:
    if not REDIS.startswith("redis://"):
        pytest.skip("redelivery of a lost worker's task needs Redis (CELERY_BROKER_URL)")
    verdicts()
    env = worker_env(
        tmp_path,
        settings,
        CELERY_TASK_TIME_LIMIT=str(VISIBILITY - 2),
        CELERY_TASK_SOFT_TIME_LIMIT=str(VISIBILITY - 4),
        CELERY_BROKER_VISIBILITY_TIMEOUT=str(VISIBILITY),
    )
    # The export's first query reads the rating scale: held here, it waits mid-export.
    blocker = psycopg.connect(database_url(connection.settings_dict))
    blocker.execute("LOCK TABLE claims_rating IN ACCESS EXCLUSIVE MODE")
    processes.start_worker("first", env)
    processes.wait_ready("first")
    _, body, _ = http("POST", f"{live_server.url}/api/v1/exports/", {})
    asked = json.loads(body)
    processes.wait_for(
        lambda: Export.objects.filter(pk=asked["id"], status="running").exists(),
        EXPORT,
        "the first worker to start the export",
    )
    time.sleep(1)
    processes.kill("first")
    killed_at = time.monotonic()
    blocker.rollback()
    blocker.close()
    export = Export.objects.get(pk=asked["id"])
    assert (export.status, export.attempts) == ("running", 1)
    # What a worker lost halfway through writing would leave.
    default_storage.save(export_file_name(export), ContentFile(b"id,status\n1,pub"))

    time.sleep(max(0.0, VISIBILITY + 1 - (time.monotonic() - killed_at)))
    processes.start_worker("second", env)
    processes.wait_for(
        lambda: Export.objects.filter(pk=asked["id"], status="done").exists(),
        START + EXPORT,
        "the second worker to write the export",
    )

    done = status_of(asked["url"])
    assert done["rows"] == 51
    _, downloaded, _ = http("GET", done["download_url"])
    _, streamed, _ = http("GET", f"{live_server.url}/api/v1/verdicts/?format=csv")
    assert downloaded == streamed
    assert Export.objects.get(pk=asked["id"]).attempts == 2
    assert "Task exports.tasks.export_write_task[" in processes.log("second")


def test_an_export_whose_file_cannot_be_written_ends_failed_saying_why(
    live_server: Any, tmp_path: Path, settings: Any, processes: Processes
) -> None:
    verdicts()
    (tmp_path / "a-file").write_text("")
    env = worker_env(tmp_path, settings)
    env["MEDIA_ROOT"] = str(tmp_path / "a-file" / "media")  # a folder that cannot exist
    processes.start_worker("worker", env)
    processes.wait_ready("worker")

    _, body, _ = http("POST", f"{live_server.url}/api/v1/exports/", {"language": "de"})
    asked = json.loads(body)
    processes.wait_for(
        lambda: Export.objects.filter(pk=asked["id"], status="failed").exists(),
        EXPORT,
        "the export to fail",
    )

    failed = status_of(asked["url"])
    assert failed["error"] == "The file could not be written: Not a directory."
    assert failed["download_url"] is None
    code, body, _ = http("GET", asked["url"] + "download")
    assert code == 409
    assert json.loads(body)["code"] == "export_failed"
