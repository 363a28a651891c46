"""Celery: the broker, the work queues, time limits and beat."""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from kombu import Exchange, Queue

from factcheck.env import envint, envstr
from factcheck.settings.core import TIME_ZONE, VAR_DIR

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
    "sources.tasks.tables_analyze_task",
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
