"""The public API and site: authentication, throttles, caching, CORS, the OpenAPI schema."""

from typing import Any

from factcheck.env import envint, envorigins, envstr

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
# Exports (exports/): `?format=csv` on the verdict list streams at most EXPORTS_STREAM_MAX_ROWS
# verdicts (a few seconds, well inside the web worker's timeout); more is made by a worker as a
# file (POST /api/v1/exports/), kept EXPORTS_EXPIRY_HOURS after it finishes. A caller may have
# EXPORTS_MAX_PENDING exports queued or running at once.
EXPORTS_STREAM_MAX_ROWS = envint("EXPORTS_STREAM_MAX_ROWS", 10_000)
EXPORTS_EXPIRY_HOURS = envint("EXPORTS_EXPIRY_HOURS", 24)
EXPORTS_MAX_PENDING = envint("EXPORTS_MAX_PENDING", 3)
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
# CORS: pages on other origins (a newsroom tool, a researcher's page) may call the API, and
# only the API (never the admin or the public site): its reads, and the writes it documents for
# its clients (POST exports, claims:spot, auth/token and the workflow actions; PUT a verdict;
# DELETE a token), preflights included. Never with credentials: a page elsewhere sends its own
# token or API key in `Authorization`, and cannot act with the session of someone signed in
# here. The origins are the operator's (CORS_ALLOWED_ORIGINS); any by default, reads being
# public and writes needing a token or key anyway.
_cors_origins = envorigins("CORS_ALLOWED_ORIGINS", "*")
CORS_ALLOW_ALL_ORIGINS = _cors_origins == ["*"]
CORS_ALLOWED_ORIGINS = [] if CORS_ALLOW_ALL_ORIGINS else _cors_origins
CORS_ALLOW_CREDENTIALS = False
CORS_URLS_REGEX = r"^/(api/v1|v1alpha1)/.*$"
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS", "POST", "PUT", "DELETE")
# Beyond the headers a browser sends without asking: the token or key, JSON bodies, and the
# conditional reads the API answers with 304.
CORS_ALLOW_HEADERS = (
    "accept",
    "authorization",
    "content-type",
    "if-none-match",
    "if-modified-since",
)
# What a page may read of the answers besides the simple headers: the cache validators, an
# export's Location and a throttled call's Retry-After.
CORS_EXPOSE_HEADERS = ("ETag", "Last-Modified", "Location", "Retry-After")
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
