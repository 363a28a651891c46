"""Benchmark: the public site's pages at scale.

    DATABASE_URL=... .venv/bin/python bench/bench_site.py [--claims 1000000] [--runs 20]

Uses the database DATABASE_URL points at (migrated; `make bench-site` runs `migrate` first).
Tops it up to `--claims` claims, a fifth of them with a published verdict, with
`manage.py generate_demo_data` (bulk COPY) when it holds fewer, ANALYZEs, then requests each
page anonymously through Django's test client and reports the median and p95 time and the
number of queries. It fails (exit 1) if a page needs more than 3 queries.
"""

import argparse
import os
import re
import sys
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
from page_bench import demo_top_up, page_timings  # noqa: E402

from factcheck.localenv import local_environment_prepare  # noqa: E402

os.environ.setdefault("SECRET_KEY", "bench-only")

MAX_QUERIES = 3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    import django

    local_environment_prepare()
    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    settings.API_ANON_RATE = ""  # every page from one address: no per-client limit here
    demo_top_up(args.claims, verdicts_per_claim=1 / 5)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM claims_claim")
        claims = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM claims_verdict WHERE status = 'published'")
        verdicts = cursor.fetchone()[0]
        # A claimant and a source with published verdicts, and a verdict, to ask for.
        cursor.execute(
            "SELECT c.claimant_id, c.source_id, v.id FROM claims_verdict v"
            " JOIN claims_claim c ON c.id = v.claim_id"
            " WHERE v.status = 'published' AND c.claimant_id IS NOT NULL"
            " ORDER BY v.id DESC LIMIT 1"
        )
        claimant, source, verdict = cursor.fetchone()

    client = Client()
    # The 50th page: follow the "Older fact checks" links from the first.
    deep = "/"
    for _ in range(49):
        found = re.search(r'href="([^"]+)" rel="next"', client.get(deep).content.decode())
        assert found, "fewer than 50 pages"
        deep = "/" + found.group(1).replace("&amp;", "&")

    # Demo verdicts are published over the past year: a month in the middle of it.
    today = date.today()
    month = ((today - timedelta(days=180)).isoformat(), (today - timedelta(days=150)).isoformat())
    scenarios = [
        ("home (latest 20)", "/"),
        ("page 50 (keyset)", deep),
        ("search: 'senator' (common word)", "/?q=senator"),
        ("search: 'hospitals vaccines'", "/?q=hospitals+vaccines"),
        ("search: '12,345' (rare)", "/?q=12%2C345"),
        ("filter: rating=false", "/?rating=false"),
        ("filter: one claimant", f"/?claimant={claimant}"),
        ("filter: one source", f"/?source={source}"),
        ("filter: one month", f"/?since={month[0]}&until={month[1]}"),
        ("search + rating + month", f"/?q=climate&rating=false&since={month[0]}&until={month[1]}"),
        ("a verdict page", f"/verdicts/{verdict}/"),
    ]
    print(
        f"Public site, {claims:,} claims, {verdicts:,} published verdicts, {args.runs} runs "
        "each (anonymous, test client)"
    )
    print(f"{'page':40} {'median':>8} {'p95':>8} {'queries':>8}  verdicts shown")
    failed = False
    for name, url in scenarios:
        timed = page_timings(client, url, args.runs)
        shown = len(re.findall(rb'<li class="verdict-card">', timed.response.content))
        print(
            f"{name:40} {timed.median:6.1f}ms {timed.p95:6.1f}ms {len(timed.queries):>8}  {shown}"
        )
        if len(timed.queries) > MAX_QUERIES:
            failed = True
            for q in timed.queries:
                print("   ", q["sql"][:200], file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
