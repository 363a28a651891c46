"""Content-Security-Policy, security headers, client addresses, sign-ins, tokens, HTTPS."""

from datetime import timedelta

from csp.constants import NONCE, NONE, SELF

from factcheck.clientaddr import trusted_proxies_check
from factcheck.env import envbool, envint, envlist, envstr

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
