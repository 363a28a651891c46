"""Benchmark that a loaded machine cannot skew: the database work of each page and of matching.

    DATABASE_URL=postgresql://.../fc_10m .venv/bin/python bench/bench_buffers.py [--queries 40]

Against the database DATABASE_URL names, as it is and read-only (sessions live in memory; the
user `bench-reviewer`, which `make bench-admin` creates, must exist): requests the admin queue,
its page 20, a search, a claim's page, and the public API's verdict list, detail, search and
anonymous claim list through Django's test client, then runs `claim_match` for `--queries` demo
texts and CheckThat! dev posts (when ../shared/datasets/ holds them) as staff and as anonymous.
Every read each one ran (a SELECT, a WITH, or a UNION of parenthesised ones, as matching's first
stage sends) is run again under EXPLAIN (ANALYZE, BUFFERS), and it prints the queries, the shared
buffers they touched and the time PostgreSQL spent. Buffers count the work itself: they do not
change with the machine's load, so two database sizes compare on them where wall-clock figures
from a shared machine would not.
"""

import argparse
import functools
import os
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ["CELERY_BROKER_URL"] = "memory://localhost/"  # nothing is queued; no broker needed
from factcheck.localenv import local_environment_prepare  # noqa: E402

POSTS = Path("/work/shared/datasets/checkthat2020-claim-retrieval/dev/tweets.queries.tsv")
if not POSTS.is_file():
    POSTS = ROOT.parent / "shared/datasets/checkthat2020-claim-retrieval/dev/tweets.queries.tsv"


def explained(run: Callable[[], Any]) -> tuple[int, float, int]:
    """(shared buffers, PostgreSQL milliseconds, queries) of the SELECTs `run` makes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        run()
    buffers, ms = 0, 0.0
    for query in captured.captured_queries:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith(("SELECT", "WITH", "(")):
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0][0]
        buffers += plan["Plan"].get("Shared Hit Blocks", 0)
        buffers += plan["Plan"].get("Shared Read Blocks", 0)
        ms += plan["Execution Time"]
    return buffers, ms, len(captured.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=int, default=40, help="claim_match texts per kind")
    args = parser.parse_args()

    import django

    local_environment_prepare()
    django.setup()
    from bench_matching import read_posts, samples_pick
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client

    from claims.matching.search import claim_match

    settings.ALLOWED_HOSTS = ["*"]
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"  # no session rows
    staff, anonymous = Client(), Client()
    staff.force_login(User.objects.get(username="bench-reviewer"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM claims_claim")
        claims = cursor.fetchone()[0]
        cursor.execute("SELECT id FROM claims_claim WHERE status = 'pending' ORDER BY id LIMIT 1")
        pending = cursor.fetchone()[0]
        cursor.execute(
            "SELECT id FROM claims_verdict WHERE status = 'published' ORDER BY id LIMIT 1"
        )
        verdict = cursor.fetchone()[0]
    pages = [
        (staff, "admin queue", "/admin/claims/claim/"),
        (staff, "admin queue, page 20", "/admin/claims/claim/?p=20"),
        (staff, "admin search 'senator'", "/admin/claims/claim/?q=senator"),
        (staff, "admin claim page", f"/admin/claims/claim/{pending}/change/"),
        (anonymous, "API verdict list (50)", "/api/v1/verdicts/?page_size=50"),
        (anonymous, "API verdict detail", f"/api/v1/verdicts/{verdict}/"),
        (anonymous, "API search", "/api/v1/verdicts/?page_size=50&language=en&q=taxes%20cut"),
        (anonymous, "API claim list, anonymous (50)", "/api/v1/claims/?page_size=50"),
    ]
    print(f"{claims:,} claims; per page: queries, shared buffers, PostgreSQL time")
    for client, name, url in pages:
        assert client.get(url).status_code == 200, url  # warm up
        buffers, ms, count = explained(functools.partial(client.get, url))
        print(f"{name:34} {count:3} queries {buffers:9,} buffers {ms:8.1f} ms")

    samples = {"demo texts": samples_pick(args.queries)}
    if POSTS.is_file():
        samples["real posts"] = read_posts(POSTS)[: args.queries]
    print("claim_match, per query: shared buffers and PostgreSQL time, median and p95")
    for label, texts in samples.items():
        for published_only in (False, True):
            runs = [
                explained(functools.partial(claim_match, text=text, published_only=published_only))
                for text in texts
            ]
            touched = sorted(run[0] for run in runs)
            took = sorted(run[1] for run in runs)
            p95 = max(0, round(0.95 * len(runs)) - 1)
            who = "anonymous" if published_only else "staff"
            print(
                f"{label:10} {who:9} buffers {statistics.median(touched):8,.0f} "
                f"p95 {touched[p95]:8,}   {statistics.median(took):6.1f} ms p95 {took[p95]:6.1f} ms"
            )


if __name__ == "__main__":
    main()
