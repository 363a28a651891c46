"""Request and task ids on every log line, request latency, and Sentry.

`RequestMiddleware` gives each request an id (the caller's `X-Request-ID` when it is a sane
token, else a new one), answers it in `X-Request-ID`, and times the request for
`factcheck_http_request_duration_seconds`. Celery's signals (factcheck/celery.py) set the task's
id while it runs. `ContextFilter` puts both on every log record, so the JSON log lines
(LOG_FORMAT=json) carry `request_id` or `task_id`.
"""

import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.core.signals import request_finished, request_started
from django.http import HttpRequest, HttpResponseBase

from factcheck.metrics import REQUEST_SECONDS

request_id: ContextVar[str] = ContextVar("request_id", default="")
task_id: ContextVar[str] = ContextVar("task_id", default="")

# What a proxy's or a client's request id may look like to be kept (no spaces, no control
# characters: it goes into log lines and a response header as it is).
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


class ContextFilter(logging.Filter):
    """Adds `request_id` and `task_id` to every record ("" outside a request or a task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        record.task_id = task_id.get()
        return True


class RequestMiddleware:
    """The request's id and its latency, by URL name, method and status."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        given = request.headers.get("X-Request-ID", "")
        rid = given if _SANE_ID.fullmatch(given) else uuid.uuid4().hex
        # Kept until the request ends (request_finished), not reset here: Django logs an error
        # response's line after the middleware has returned it.
        request_id.set(rid)
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        endpoint = (match.view_name or match.route) if match else "<unmatched>"
        REQUEST_SECONDS.labels(endpoint, request.method, str(response.status_code)).observe(
            time.perf_counter() - started
        )
        response["X-Request-ID"] = rid
        return response


def _forget_request_id(**_kwargs: Any) -> None:
    request_id.set("")


request_started.connect(_forget_request_id, dispatch_uid="factcheck.observability.started")
request_finished.connect(_forget_request_id, dispatch_uid="factcheck.observability.finished")


def task_started(*, task_id_: str) -> None:
    task_id.set(task_id_)


def task_ended() -> None:
    task_id.set("")


def sentry_init(*, dsn: str, environment: str, traces_sample_rate: float) -> None:
    """Report errors (Django requests, Celery tasks, logged errors) to Sentry at `dsn`. No
    personal data is sent (no user, cookies or addresses)."""
    import sentry_sdk

    sentry_sdk.init(
        dsn=dsn,
        environment=environment or None,
        traces_sample_rate=traces_sample_rate,
        send_default_pii=False,
    )


def json_formatter(**kwargs: Any) -> logging.Formatter:
    """One JSON object per line: time, level, logger, message, request_id, task_id, and the
    exception when there is one."""
    from pythonjsonlogger.json import JsonFormatter

    return JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(task_id)s",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        **kwargs,
    )
