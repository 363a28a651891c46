"""The site itself: secrets, hosts, apps, middleware, templates, passwords, time, static files."""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from factcheck.env import envbool, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent.parent.parent
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
    "exports",
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
# Files the service writes (exports' CSV files), through Django's default storage. Nothing is
# served from here directly: each file is downloaded through the view that checks its owner.
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", "") or VAR_DIR / "media")
