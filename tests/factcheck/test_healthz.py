"""/healthz: the database and the broker, as a load balancer or an operator asks."""

import pytest
from django.test import Client

from factcheck.celery import app


@pytest.mark.django_db
def test_healthz_reports_database_and_broker_ok(client: Client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200, response.json()
    assert response.json() == {"status": "ok", "down": [], "database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_healthz_answers_503_naming_the_broker_when_it_is_down(client: Client) -> None:
    original = app.conf.broker_write_url
    app.conf.broker_write_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_write_url = original

    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["broker"]
    assert body["broker"].startswith("down:")
    assert body["database"] == "ok"
