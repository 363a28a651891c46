"""Benchmark: the admin claim list (the review queue) at scale.

    DATABASE_URL=... .venv/bin/python bench/bench_admin_list.py [--claims 1000000] [--runs 30]

Uses the database DATABASE_URL points at (migrated; `make bench-admin` runs `migrate` first).
Tops it up to `--claims` claims with `manage.py generate_demo_data` (bulk COPY) when it holds
fewer, ANALYZEs, then requests the changelist as a logged-in reviewer (a staff user in the
Reviewers group, not a superuser: permission checks cost queries too) through Django's test
client, and reports per scenario the median and p95 time and the number of queries. It fails
(exit 1) if a scenario needs more than 10 queries or runs a COUNT over the whole claims table.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
from factcheck.localenv import local_environment_prepare  # noqa: E402

os.environ.setdefault("SECRET_KEY", "bench-only")

MAX_QUERIES = 10


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    import django

    local_environment_prepare()
    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import Group, User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.ALLOWED_HOSTS = ["*"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM claims_claim")  # once, outside the measurement
        existing = cursor.fetchone()[0]
    if existing < args.claims:
        missing = args.claims - existing
        print(f"Adding {missing:,} claims with generate_demo_data…", file=sys.stderr)
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "generate_demo_data",
                "--claims",
                str(missing),
                "--verdicts",
                str(missing // 20),
                "--seed",
                str(existing),
            ],
            check=True,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_claim; ANALYZE sources_source; ANALYZE claims_verdict")
        cursor.execute("SELECT count(*) FROM claims_claim")
        total = cursor.fetchone()[0]

    user, _ = User.objects.get_or_create(username="bench-reviewer", defaults={"is_staff": True})
    user.groups.add(Group.objects.get(name="Reviewers"))
    client = Client()
    client.force_login(user)

    scenarios = [
        ("queue (pending, default)", ""),
        ("all statuses", "?status=all"),
        ("filter: language=es", "?language=es"),
        ("filter: rating=false, all", "?rating=false&status=all"),
        ("search: 'senator' (common word)", "?q=senator"),
        ("search: '12,345' (rare), all", "?q=12%2C345&status=all"),
        ("search: 'hospitals vaccines', all", "?q=hospitals+vaccines&status=all"),
        ("search + filter: 'climate', es", "?q=climate&language=es"),
        ("page 20 of the queue", "?p=20"),
    ]
    print(f"Admin claim list, {total:,} claims, {args.runs} runs each (reviewer, test client)")
    print(f"{'scenario':40} {'median':>8} {'p95':>8} {'queries':>8}  rows shown")
    failed = False
    for name, query in scenarios:
        url = "/admin/claims/claim/" + query
        response = client.get(url)  # warm caches (filter choices, plans)
        assert response.status_code == 200, (url, response.status_code)
        timings = []
        for _ in range(args.runs):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
        counts = [
            q["sql"]
            for q in queries.captured_queries
            if "COUNT(" in q["sql"].upper()
            and "claims_claim" in q["sql"]
            and "WHERE" not in q["sql"]
        ]
        rows = response.content.count(b'class="action-select"')
        timings.sort()
        p95 = timings[max(0, round(0.95 * len(timings)) - 1)]
        print(
            f"{name:40} {statistics.median(timings):6.0f}ms {p95:6.0f}ms "
            f"{len(queries.captured_queries):>8}  {rows}"
        )
        if len(queries.captured_queries) > MAX_QUERIES or counts:
            failed = True
            for q in queries.captured_queries:
                print("   ", q["sql"][:200], file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
