"""Benchmark: the admin desk at scale: the home page, the review queue and the claim page.

    DATABASE_URL=... .venv/bin/python bench/bench_admin_list.py [--claims 1000000] [--runs 30]
    DATABASE_URL=... .venv/bin/python bench/bench_admin_list.py --read-only

Uses the database DATABASE_URL points at (migrated; `make bench-admin` runs `migrate` first).
Tops it up to `--claims` claims with `manage.py generate_demo_data` (bulk COPY) when it holds
fewer, ANALYZEs, then requests each page through Django's test client as a logged-in reviewer
or editor (staff users in the Reviewers or Editors group, not superusers: permission checks cost
queries too; generate_demo_data's demo_reviewer, to whom its claims in review are assigned, and
demo_editor, when they exist), and reports per scenario the median and p95 time and the number
of queries. It fails (exit 1) if a scenario needs more queries than its limit or runs a COUNT
over the whole claims table.

--read-only measures a database someone else built and keeps: no top-up, no ANALYZE, and the
little the benchmark writes (its users if missing, their sessions and last-login times) is
rolled back at the end, so nothing is committed.
"""

import argparse
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
from page_bench import demo_top_up, page_timings  # noqa: E402

from factcheck.localenv import local_environment_prepare  # noqa: E402

os.environ.setdefault("SECRET_KEY", "bench-only")

MAX_QUERIES = 10  # a list page
MAX_PAGE_QUERIES = {"home": 20, "claim": 30}  # the pages made of several panels or sections


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument(
        "--read-only",
        action="store_true",
        help="no top-up, no ANALYZE; whatever the benchmark writes is rolled back",
    )
    parser.add_argument(
        "--slow",
        type=float,
        default=0,
        help="print each query of the last run slower than this (ms)",
    )
    args = parser.parse_args()

    import django

    local_environment_prepare()
    django.setup()
    from django.conf import settings
    from django.db import transaction

    settings.ALLOWED_HOSTS = ["*"]
    if args.read_only:
        with transaction.atomic():
            failed = _measure(args)
            transaction.set_rollback(True)  # nothing the benchmark wrote is kept
        return 1 if failed else 0
    demo_top_up(args.claims, verdicts_per_claim=1 / 20)
    return 1 if _measure(args) else 0


def _user(username: str, fallback: str, group: str) -> Any:
    """generate_demo_data's user `username`, or a staff user `fallback` in `group`."""
    from django.contrib.auth.models import Group, User

    user = User.objects.filter(username=username).first()
    if user is None:
        user, _ = User.objects.get_or_create(username=fallback, defaults={"is_staff": True})
        user.groups.add(Group.objects.get(name=group))
    return user


def _measure(args: argparse.Namespace) -> bool:
    """Time every scenario; True if one broke its query budget or counted the claims table."""
    from django.db import connection
    from django.test import Client

    from claims.models import Claim

    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'claims_claim'")
        total = cursor.fetchone()[0]
    reviewer = Client()
    reviewer.force_login(_user("demo_reviewer", "bench-reviewer", "Reviewers"))
    editor = Client()
    editor.force_login(_user("demo_editor", "bench-editor", "Editors"))

    def claim_of(status: str) -> int:
        claim = Claim.objects.filter(status=status).order_by("-id").values_list("pk", flat=True)
        return claim.first() or 0

    published, pending, in_review = (
        claim_of("published"),
        claim_of("pending"),
        claim_of("in_review"),
    )
    Q = "/admin/claims/claim/"  # the queue
    page = Q + "{}/change/"
    scenarios = [
        # The floor: an admin page that reads next to nothing (session, user, its groups); the
        # ratio to it says how much a page costs beyond the admin's own overhead on a machine
        # whose speed varies from minute to minute.
        ("floor: the password change page", "floor", reviewer, "/admin/password_change/"),
        ("home (reviewer)", "home", reviewer, "/admin/"),
        ("home (editor)", "home", editor, "/admin/"),
        ("queue (pending, default)", "list", reviewer, Q),
        ("queue by level, reversed", "list", reviewer, Q + "?o=2"),
        ("all statuses", "list", reviewer, Q + "?status=all"),
        ("filter: language=es", "list", reviewer, Q + "?language=es"),
        ("filter: rating=false, all", "list", reviewer, Q + "?rating=false&status=all"),
        ("search: 'senator' (common word)", "list", reviewer, Q + "?q=senator"),
        ("search: '12,345' (rare), all", "list", reviewer, Q + "?q=12%2C345&status=all"),
        ("search: 'hospitals vaccines'", "list", reviewer, Q + "?q=hospitals+vaccines"),
        ("search + filter: 'climate', es", "list", reviewer, Q + "?q=climate&language=es"),
        ("page 20 of the queue", "list", reviewer, Q + "?p=20"),
        ("claim page: pending (reviewer)", "claim", reviewer, page.format(pending)),
        ("claim page: in review (assignee)", "claim", reviewer, page.format(in_review)),
        ("claim page: published (editor)", "claim", editor, page.format(published)),
    ]  # fmt: skip
    print(f"Admin desk, {total:,} claims, {args.runs} runs each (test client)")
    print(f"{'scenario':40} {'median':>8} {'p95':>8} {'queries':>8} {'x floor':>8}")
    failed = False
    floor = 0.0
    for name, kind, client, url in scenarios:
        timed = page_timings(client, url, args.runs)  # warmed first: filter choices, plans
        counts = [
            q["sql"]
            for q in timed.queries
            if "COUNT(" in q["sql"].upper()
            and "claims_claim" in q["sql"]
            and "WHERE" not in q["sql"]
        ]
        floor = floor or timed.median
        print(
            f"{name:40} {timed.median:6.0f}ms {timed.p95:6.0f}ms "
            f"{len(timed.queries):>8} {timed.median / floor:7.1f}x"
        )
        for q in timed.queries:
            if args.slow and float(q["time"]) * 1000 > args.slow:
                print(f"    {float(q['time']) * 1000:.0f} ms: {q['sql'][:300]}", file=sys.stderr)
        if len(timed.queries) > MAX_PAGE_QUERIES.get(kind, MAX_QUERIES) or counts:
            failed = True
            for q in timed.queries:
                print("   ", q["sql"][:200], file=sys.stderr)
    return failed


if __name__ == "__main__":
    sys.exit(main())
