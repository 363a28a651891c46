"""Prometheus metrics: what each process counts, what `/metrics` reads at scrape time, and who
may read it.

Counted where it happens (prometheus-client): request latency by endpoint, method and status
(`RequestMiddleware` in factcheck/observability.py), Celery task outcomes by task and queue
(signals in factcheck/celery.py), import items by kind and outcome (sources/imports/runs.py),
match latency (claims/matching/search.py). With PROMETHEUS_MULTIPROC_DIR set, every process
writes its counts to files there and `/metrics` adds up the files of every process on the
machine (gunicorn's workers, and Celery's when they share the folder); without it each process
answers for itself.

Read at scrape time (`StateCollector`): each Celery queue's depth (from the broker) and each
replica's lag and health (factcheck/replicas.py). These are the same from every web process.
"""

import hmac
import ipaddress
import os
from collections.abc import Iterator

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import REGISTRY, Collector

REQUEST_SECONDS = Histogram(
    "factcheck_http_request_duration_seconds",
    "Time to answer a request (to the first byte of a streamed body), by URL name.",
    ["endpoint", "method", "status"],
)
TASKS = Counter(
    "factcheck_celery_tasks",
    "Celery tasks run, by task, queue and outcome (succeeded, failed, retried).",
    ["task", "queue", "outcome"],
)
TASK_SECONDS = Histogram(
    "factcheck_celery_task_duration_seconds",
    "Time a Celery task ran, by task and queue.",
    ["task", "queue"],
    buckets=(0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600, 1800, float("inf")),
)
IMPORT_ITEMS = Counter(
    "factcheck_import_items",
    "What imports did, by kind of import: claims created, and items (rows, files, reviews) "
    "unchanged or failed; rate() gives rows per second.",
    ["kind", "outcome"],
)
MATCH_SECONDS = Histogram(
    "factcheck_match_duration_seconds",
    "Time to find the claims that match a text (the match API, imports' matching).",
)


def import_items_count(*, kind: str, created: int, unchanged: int, failed: int) -> None:
    for outcome, count in (("created", created), ("unchanged", unchanged), ("failed", failed)):
        if count:
            IMPORT_ITEMS.labels(kind, outcome).inc(count)


class StateCollector(Collector):
    """Queue depths and replica lag, read when scraped."""

    def collect(self) -> Iterator[Metric]:
        depth = GaugeMetricFamily(
            "factcheck_celery_queue_depth",
            "Tasks waiting in each Celery queue (-1: the broker did not answer).",
            labels=["queue"],
        )
        for queue, count in queue_depths().items():
            depth.add_metric([queue], count)
        yield depth

        from factcheck.replicas import replica_states

        lag = GaugeMetricFamily(
            "factcheck_replica_lag_seconds",
            "How far each read replica is behind the primary in replay (-1: down).",
            labels=["replica"],
        )
        healthy = GaugeMetricFamily(
            "factcheck_replica_healthy",
            "1 while a replica takes public reads, 0 while it is skipped.",
            labels=["replica"],
        )
        for state in replica_states():
            lag.add_metric([state.alias], -1 if state.lag is None else state.lag)
            healthy.add_metric([state.alias], int(state.healthy))
        yield lag
        yield healthy


def queue_depths() -> dict[str, int]:
    """Messages waiting in each work queue, as the broker counts them (kombu's passive declare:
    Redis list lengths, RabbitMQ's message counts, the filesystem broker's files)."""
    from factcheck.celery import app

    depths = dict.fromkeys(settings.CELERY_WORK_QUEUES, -1)
    try:
        with app.connection_for_read() as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, timeout=2)
            channel = connection.default_channel
            for queue in depths:
                try:
                    depths[queue] = channel.queue_declare(queue=queue, passive=True).message_count
                except Exception:
                    depths[queue] = 0
                    channel = connection.channel()  # AMQP closes a channel on a missing queue
    except Exception:
        pass
    return depths


def registry() -> CollectorRegistry:
    """Every process's counts (PROMETHEUS_MULTIPROC_DIR) or this process's, and the state."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        collected = CollectorRegistry()
        multiprocess.MultiProcessCollector(collected)
    else:
        collected = CollectorRegistry(auto_describe=True)
        collected.register(_ProcessCounts())
    collected.register(StateCollector())
    return collected


class _ProcessCounts(Collector):
    """This process's own metrics (the default registry)."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


def metrics_allowed(request: HttpRequest) -> bool:
    """Whether the caller may read /metrics: `Authorization: Bearer <METRICS_TOKEN>`, or an
    address in METRICS_ALLOWED_NETWORKS (the client's address as ClientAddressMiddleware
    resolves it: X-Forwarded-For only from TRUSTED_PROXIES).
    Neither set: nobody."""
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(header.encode(), f"Bearer {token}".encode()):
        return True
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in settings.METRICS_ALLOWED_NETWORKS)


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not metrics_allowed(request):
        return HttpResponse(
            "Forbidden: /metrics needs METRICS_TOKEN as a Bearer token, or an address in "
            "METRICS_ALLOWED_NETWORKS.\n",
            status=403,
            content_type="text/plain",
        )
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
