"""The database backend's health check (factcheck/postgresql/base.py): persistent connections
are checked before each request's first query without a round trip, and a connection the server
closed is still replaced."""

import time
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from django.db import connection, connections
from django.db.backends.postgresql.base import DatabaseWrapper as DjangoWrapper

pytestmark = pytest.mark.django_db


@pytest.fixture
def persistent() -> Iterator[Any]:
    """A second connection to the test database, like a gunicorn worker's between requests."""
    other = connections.create_connection("default")
    other.ensure_connection()
    yield other
    other.close()


def backend_pid(wrapper: Any) -> int:
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_the_configured_backend_is_the_one_with_the_cheap_health_check() -> None:
    assert connection.settings_dict["ENGINE"] == "factcheck.postgresql"
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True


def test_a_healthy_idle_connection_is_usable_without_asking_the_server(persistent: Any) -> None:
    with mock.patch.object(DjangoWrapper, "is_usable") as select_one:
        assert persistent.is_usable() is True
    select_one.assert_not_called()


def test_a_connection_the_server_closed_is_unusable_and_replaced(persistent: Any) -> None:
    old = backend_pid(persistent)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [old])
        assert cursor.fetchone()[0] is True

    assert persistent.is_usable() is False
    # What Django does before a request's first query:
    persistent.health_check_done = False
    persistent.close_if_health_check_failed()
    assert backend_pid(persistent) != old


def test_a_connection_with_unread_input_is_checked_with_a_query(persistent: Any) -> None:
    # A notification arrives on a healthy connection: its socket is readable, so the check
    # falls back to Django's SELECT 1, which reads it and finds the connection fine.
    with persistent.cursor() as cursor:
        cursor.execute("LISTEN factcheck_health")
    sender = connections.create_connection("default")
    try:
        with sender.cursor() as cursor:
            cursor.execute("NOTIFY factcheck_health")
    finally:
        sender.close()
    with mock.patch.object(DjangoWrapper, "is_usable", return_value=True) as select_one:
        for _ in range(100):  # the notification crosses the loopback within milliseconds
            assert persistent.is_usable() is True
            if select_one.called:
                break
            time.sleep(0.01)
    select_one.assert_called()


def test_a_query_run_five_times_on_a_connection_is_prepared_once() -> None:
    # Server-side binding alone saves no planning: psycopg must also be told to prepare.
    with connection.cursor() as cursor:
        for n in range(6):
            cursor.execute("SELECT %s::bigint + 1 AS factcheck_prepared", [n])
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements"
            " WHERE statement LIKE %s AND statement NOT LIKE %s",
            ["%factcheck_prepared%", "%pg_prepared_statements%"],
        )
        assert cursor.fetchone()[0] == 1
