"""Webhooks (docs/webhooks.md)."""

from django.core.exceptions import ImproperlyConfigured

from factcheck.env import envint, envlist, envstr

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
# Days finished deliveries, their attempts and the events nothing needs any more are kept
# (webhooks/retention.py); 0 keeps them forever. Pending deliveries are never deleted.
WEBHOOK_RETENTION_DAYS = envint("WEBHOOK_RETENTION_DAYS", 30)
if WEBHOOK_RETENTION_DAYS < 0:
    raise ImproperlyConfigured(
        f"WEBHOOK_RETENTION_DAYS={WEBHOOK_RETENTION_DAYS}: use a number of days, or 0 to keep "
        "webhook history forever"
    )
# The service's public address, for the absolute links in event payloads (an API answer takes
# them from its request).
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
