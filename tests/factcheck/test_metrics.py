"""/metrics (factcheck/metrics.py): who may read it, and what the web side counts and reads;
request ids on log lines (factcheck/observability.py); Sentry only with SENTRY_DSN."""

import io
import ipaddress
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from kombu import Connection
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from pytest_django.fixtures import Settings

from factcheck.celery import app
from factcheck.observability import ContextFilter, json_formatter
from tests.factories import PublishedVerdictFactory
from tests.local_http import Handler, serving

REPO = Path(__file__).resolve().parents[2]
TOKEN = "metrics-test-token"


@pytest.fixture
def metrics_token(settings: Settings) -> str:
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


def scrape(client: Client) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """GET /metrics with the token; every sample as {(name, labels): value}."""
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def test_metrics_are_refused_without_a_token_or_an_allowed_address(settings: Settings) -> None:
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_NETWORKS = []
    response = Client().get("/metrics")
    assert response.status_code == 403
    assert b"METRICS_TOKEN" in response.content


def test_metrics_answer_the_token_and_refuse_another(metrics_token: str) -> None:
    client = Client()
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert client.get("/metrics", headers={"Authorization": metrics_token}).status_code == 403
    ok = client.get("/metrics", headers={"Authorization": f"Bearer {metrics_token}"})
    assert ok.status_code == 200
    assert ok["Cache-Control"].startswith("max-age=0")


def test_metrics_answer_an_allowed_network_only(settings: Settings) -> None:
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network("10.1.0.0/16")]
    assert Client(REMOTE_ADDR="10.1.2.3").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="10.2.0.1").get("/metrics").status_code == 403
    # A forwarded address from an untrusted peer counts for nothing (TRUSTED_PROXIES is empty).
    forwarded = Client(REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="10.1.2.3")
    assert forwarded.get("/metrics").status_code == 403


@pytest.mark.django_db
def test_request_latency_is_counted_by_endpoint_method_and_status(metrics_token: str) -> None:
    verdict = PublishedVerdictFactory.create()
    client = Client()
    labels = {"endpoint": "api-verdict-detail", "method": "GET"}
    name = "factcheck_http_request_duration_seconds_count"
    before = {
        status: REGISTRY.get_sample_value(name, {**labels, "status": status}) or 0
        for status in ("200", "404")
    }
    assert client.get(f"/api/v1/verdicts/{verdict.pk}/").status_code == 200
    assert client.get(f"/api/v1/verdicts/{verdict.pk + 1000}/").status_code == 404
    assert client.get(f"/api/v1/verdicts/{verdict.pk}/").status_code == 200

    samples = scrape(client)
    for status, more in (("200", 2), ("404", 1)):
        key = (name, frozenset({**labels, "status": status}.items()))
        assert samples[key] == before[status] + more


def test_queue_depth_is_read_from_the_broker(metrics_token: str) -> None:
    def purge() -> None:
        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge("deliveries")

    purge()
    try:
        for _ in range(3):  # nothing serves these: no worker runs in this test
            app.send_task("factcheck.tests.nothing", queue="deliveries")
        samples = scrape(Client())
        assert samples[("factcheck_celery_queue_depth", frozenset({("queue", "deliveries")}))] == 3
        assert ("factcheck_celery_queue_depth", frozenset({("queue", "imports")})) in samples
    finally:
        purge()


def test_queue_depth_is_minus_one_when_the_broker_is_down(
    metrics_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app, "connection_for_read", lambda: Connection("redis://127.0.0.1:1/0"))
    samples = scrape(Client())
    assert samples[("factcheck_celery_queue_depth", frozenset({("queue", "imports")}))] == -1


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """The root logger's records, also written as LOG_FORMAT=json writes them."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(json_formatter())
    handler.addFilter(ContextFilter())
    logging.getLogger().addHandler(handler)
    yield out
    logging.getLogger().removeHandler(handler)


def test_a_requests_log_lines_carry_its_id_as_json(json_lines: io.StringIO) -> None:
    response = Client().get("/no-such-page", headers={"X-Request-ID": "req-42.a"})
    assert response.status_code == 404
    assert response["X-Request-ID"] == "req-42.a"
    lines = [json.loads(line) for line in json_lines.getvalue().splitlines()]
    [line] = [line for line in lines if line["logger"] == "django.request"]
    assert line["request_id"] == "req-42.a"
    assert line["level"] == "WARNING"
    assert line["message"] == "Not Found: /no-such-page"
    assert line["task_id"] == ""


def test_a_request_without_a_usable_id_gets_a_new_one(json_lines: io.StringIO) -> None:
    response = Client().get("/no-such-page", headers={"X-Request-ID": "two words\n"})
    given = response["X-Request-ID"]
    assert len(given) == 32 and given != "two words"
    [line] = [json.loads(line) for line in json_lines.getvalue().splitlines()]
    assert line["request_id"] == given


def test_log_format_json_is_the_handlers_format() -> None:
    """settings.LOGGING with LOG_FORMAT=json, as a deployment sets it (a fresh process)."""
    env = {**os.environ, "LOG_FORMAT": "json", "DJANGO_SETTINGS_MODULE": "factcheck.settings"}
    code = "import django, logging; django.setup(); logging.getLogger('x').warning('hello')"
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    line = json.loads(done.stderr.strip().splitlines()[-1])
    assert line["message"] == "hello" and line["logger"] == "x"
    assert {"time", "level", "request_id", "task_id"} <= line.keys()


def test_sentry_is_off_without_a_dsn() -> None:
    import sentry_sdk

    assert settings.SENTRY_DSN == ""
    assert not sentry_sdk.is_initialized()


def test_sentry_reports_to_the_dsn_when_set() -> None:
    """A process with SENTRY_DSN sends what it captures to that DSN (here a local server)."""
    Handler.routes = {"/api/1/envelope/": (200, "application/json", b"{}")}
    Handler.requests = []
    with serving(Handler) as base:
        dsn = base.replace("http://", "http://public@") + "/1"
        env = {**os.environ, "SENTRY_DSN": dsn, "DJANGO_SETTINGS_MODULE": "factcheck.settings"}
        code = (
            "import django, sentry_sdk; django.setup(); "
            "sentry_sdk.capture_message('factcheck sentry test'); sentry_sdk.flush(5)"
        )
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True
        )
    assert done.returncode == 0, done.stderr
    assert [path for method, path, _ in Handler.requests if method == "POST"] == [
        "/api/1/envelope/"
    ]


def test_make_run_gives_its_processes_an_emptied_metrics_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from factcheck import launch

    monkeypatch.setattr(launch, "VAR_DIR", tmp_path)
    stale = tmp_path / "metrics" / "counter_123.db"
    stale.parent.mkdir()
    stale.write_bytes(b"last run's counts")

    env = launch.metrics_folder({"PATH": "/usr/bin"})
    assert env == {"PATH": "/usr/bin", "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics")}
    assert list((tmp_path / "metrics").iterdir()) == []
    # An operator's own folder is left as it is.
    assert launch.metrics_folder({"PROMETHEUS_MULTIPROC_DIR": "/srv/m"}) == {
        "PROMETHEUS_MULTIPROC_DIR": "/srv/m"
    }
