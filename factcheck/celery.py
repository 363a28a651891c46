"""The Celery app. Configuration comes from Django settings (the CELERY_ prefix)."""

import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")

app = Celery("factcheck")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def load_import_models(**_kwargs: object) -> None:
    """Load the importers' models when a worker starts (the language identifier and the
    check-worthiness model: about 0.7 s), not in the first import task it runs. In a prefork
    pool the children inherit them."""
    from claims.checkworthiness import claim_scores
    from sources.importers.text import detect_language

    detect_language("Loading the language model.")
    claim_scores(["Loading the check-worthiness model."])
