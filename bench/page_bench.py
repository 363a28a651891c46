"""What the page benchmarks (bench_site.py, bench_admin_list.py) share: a database filled up to
a number of claims, and a page's timings through Django's test client."""

import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def demo_top_up(claims: int, *, verdicts_per_claim: float) -> None:
    """Add demo claims (generate_demo_data, in a process of its own) until the database holds
    `claims`, with published verdicts for that share of the added ones; then ANALYZE the tables
    the benchmarks read."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM claims_claim")  # once, outside the measurement
        existing = cursor.fetchone()[0]
    if existing < claims:
        missing = claims - existing
        print(f"Adding {missing:,} claims with generate_demo_data…", file=sys.stderr)
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "generate_demo_data",
                "--claims",
                str(missing),
                "--verdicts",
                str(int(missing * verdicts_per_claim)),
                "--seed",
                str(existing),
            ],
            check=True,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_claim; ANALYZE sources_source; ANALYZE claims_verdict")


@dataclass
class PageTimings:
    """`runs` requests of one page: the median and p95 time (ms), and the last one's queries
    (CaptureQueriesContext's `captured_queries`) and response."""

    median: float
    p95: float
    queries: list[dict[str, Any]]
    response: Any


def page_timings(client: Any, url: str, runs: int) -> PageTimings:
    """Request `url` with `client` once to warm caches and plans (it must answer 200), then
    `runs` times, each timed and its queries captured."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    timings = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[max(0, round(0.95 * len(timings)) - 1)]
    return PageTimings(statistics.median(timings), p95, queries.captured_queries, response)
