"""The Celery app. Configuration comes from Django settings (the CELERY_ prefix)."""

import os
import sys
from pathlib import Path

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")

app = Celery("factcheck")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def filesystem_broker_folders(sender: Celery, **_kwargs: object) -> None:
    """The filesystem broker (CELERY_BROKER_URL unset) needs its folders before the first
    publish or consume, in whichever process comes first: web, worker or beat."""
    if str(sender.conf.broker_url).startswith("filesystem:"):
        options = sender.conf.broker_transport_options
        for key in ("data_folder_in", "processed_folder", "control_folder"):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


# GIL switch interval in workers, seconds (Python's default: 0.005). An import prepares the next
# batch in a second thread while the main thread writes the current one; each time the main
# thread returns from a database round trip it waits for the preparing thread to hand over the
# GIL, up to this long. In-process, 100 documents at load 1.1-1.3: 1.21-1.22 MB/s with 5 ms,
# 1.27-1.30 MB/s with 0.5 ms.
WORKER_SWITCH_INTERVAL = 0.0005


@worker_init.connect
def shorter_gil_switch_interval(**_kwargs: object) -> None:
    sys.setswitchinterval(WORKER_SWITCH_INTERVAL)


@worker_init.connect
def load_import_models(**_kwargs: object) -> None:
    """Load the importers' models when a worker starts (the language identifier and the
    check-worthiness model: about 0.7 s), not in the first import task it runs. In a prefork
    pool the children inherit them."""
    from claims.checkworthiness import claim_scores
    from sources.parsers.text import detect_language

    detect_language("Loading the language model.")
    claim_scores(["Loading the check-worthiness model."])
