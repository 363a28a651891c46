"""Benchmark: POST /api/v1/claims:spot on the seed article against a large database, read-only.

    DATABASE_URL=postgresql://.../fc_tenm_1m .venv/bin/python bench/bench_spot.py
        [--requests 60] [--text FILE]

Spotting stores nothing, so this runs against an existing database as it is (one that
`generate_demo_data` filled, say with 1,000,000 claims): no migration, no writes. It posts the
seed article (or `--text`) to the endpoint in this process through Django's test client, the
whole request (middleware, DRF, splitting, scoring, embedding, both matching stages, verdicts,
JSON) as an anonymous caller with throttling off, after one warm-up request (the model loads),
and prints the median and p95, and the CPU time per request of this process (all its threads)
and of its PostgreSQL backend, which a shared machine's load changes much less than the wall
time. In the same run, as a baseline of the machine's load at that
moment, it times `claim_match` (GET /api/v1/claims/match's function) for each of the article's
statements, since both share the matching code.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ["CELERY_BROKER_URL"] = "memory://localhost/"  # nothing is queued; no broker needed
SEED = ROOT / "seeds" / "000_b52872a958dbdb28.txt"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def summary(label: str, times: list[float]) -> str:
    return (
        f"{label}: {len(times)} runs, median {statistics.median(times):.1f} ms,"
        f" p95 {percentile(times, 0.95):.1f} ms, max {max(times):.1f} ms"
    )


def process_cpu(pid: int) -> float:
    """CPU seconds (user and system) a process on this machine has used, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--text", type=Path, default=SEED)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        print("skipped: set DATABASE_URL to the database to read (it is never written)")
        return 0

    import django

    django.setup()
    from django.db import connection
    from django.test import override_settings
    from django.test.utils import setup_test_environment
    from rest_framework.test import APIClient

    setup_test_environment()  # the test client's host name is allowed
    # Every session this process opens refuses writes: the database is someone else's.
    options = connection.settings_dict.setdefault("OPTIONS", {})
    options["options"] = "-c default_transaction_read_only=on"

    from claims.matching.search import claim_match
    from claims.spot import text_spot

    text = args.text.read_text(encoding="utf-8")
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'claims_claim'")
        claims = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM claims_claimembedding")
        embedded = cursor.fetchone()[0]
    spotted = text_spot(text=text)
    matched = [s for s in spotted if s.matches is not None]
    print(
        f"database {connection.settings_dict['NAME']}: about {claims:,} claims, {embedded:,}"
        f" embedded; {args.text.name}: {len(text):,} characters, {len(spotted)} statements,"
        f" {len(matched)} matched"
    )
    client = APIClient()
    with override_settings(API_ANON_RATE=""):
        times = []
        for n in range(args.requests + 1):
            if n == 1:  # after the warm-up
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    backend = cursor.fetchone()[0]
                cpu = (time.process_time(), process_cpu(backend))
            t0 = time.perf_counter()
            response = client.post("/api/v1/claims:spot", {"text": text}, format="json")
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, response.content[:300]
        ours, theirs = time.process_time() - cpu[0], process_cpu(backend) - cpu[1]
    print(summary("POST /api/v1/claims:spot, anonymous", times[1:]))
    print(
        f"CPU per request: this process {ours / args.requests * 1000:.0f} ms,"
        f" its PostgreSQL backend {theirs / args.requests * 1000:.0f} ms"
    )
    match_times = []
    for statement in spotted:
        t0 = time.perf_counter()
        claim_match(text=statement.text, limit=5)
        match_times.append((time.perf_counter() - t0) * 1000)
    print(summary("claim_match, each statement alone, anonymous (same run)", match_times))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
