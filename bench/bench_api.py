"""Benchmark: the public verdict API under gunicorn, loaded with wrk, against a raw floor.

    DATABASE_URL=postgresql://.../fc_bench .venv/bin/python bench/bench_api.py \
        [--claims 1000000 --verdicts 200000] [--duration 10] [--connections 2]

The database named by DATABASE_URL is migrated and, if it holds fewer published verdicts than
`--verdicts`, filled with `manage.py generate_demo_data --claims N --verdicts M` (so it is not a
test database: point it at a scratch one). Then, in one run, the API (factcheck.wsgi) and the
floor (bench/floor_app.py: the identical first list page from raw psycopg + orjson) are each
served by gunicorn with 2 sync workers, and wrk (Debian package `wrk`) loads, one after the
other: the list page (50 items), a detail (random published verdicts), a full-text search and a
page deep in the cursor, and the floor. Anonymous throttling stays on (a rate that never trips,
counters in local memory). Prints p50/p95/p99 per endpoint and the targets.
"""

import argparse
import base64
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def free_ports(count: int) -> list[int]:
    """Ports nothing listens on now (held together, so distinct), so that benchmarks run side
    by side on one machine do not collide."""
    probes = [socket.socket() for _ in range(count)]
    for probe in probes:
        probe.bind(("127.0.0.1", 0))
    ports = [int(probe.getsockname()[1]) for probe in probes]
    for probe in probes:
        probe.close()
    return ports


API_PORT, FLOOR_PORT = free_ports(2)

LUA = """
local paths = {%(paths)s}
request = function()
  return wrk.format(nil, paths[math.random(#paths)])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT {\\"p50\\": %%.3f, \\"p95\\": %%.3f, \\"p99\\": %%.3f, \\"requests\\": %%d, " ..
    "\\"errors\\": %%d, \\"seconds\\": %%.2f}\\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, summary.requests,
    e.connect + e.read + e.write + e.status + e.timeout, summary.duration / 1e6))
end
"""


def manage(*args: str) -> str:
    done = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, check=True, capture_output=True, text=True
    )
    return done.stdout


def sql(query: str) -> str:
    code = (
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        f"    c.execute({query!r})\n"
        "    print(c.fetchone()[0] if c.description else '')\n"
    )
    return manage("shell", "--no-imports", "-c", code).strip()


def serve(target: str, port: int, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [GUNICORN, "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning", target],
        cwd=ROOT,
        env=env,
    )


def wait_ready(url: str) -> None:
    for _ in range(100):
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer")


def load(base: str, paths: list[str], *, duration: int, connections: int) -> dict[str, float]:
    quoted = ", ".join(json.dumps(p) for p in paths)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % {"paths": quoted})
    # Warm up (connections, caches, plans), then measure.
    for seconds in (2, duration):
        out = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-s", script.name, base],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    os.unlink(script.name)
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    result["rps"] = result["requests"] / result["seconds"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--verdicts", type=int, default=200_000)
    parser.add_argument("--duration", type=int, default=10, help="Seconds per endpoint.")
    parser.add_argument("--connections", type=int, default=2, help="Concurrent connections.")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        raise SystemExit("Set DATABASE_URL to a scratch database (it is filled with demo data).")
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret")

    manage("migrate", "--noinput")
    have = int(sql("SELECT count(*) FROM claims_verdict WHERE status = 'published'"))
    if have < args.verdicts:
        print(f"Generating {args.claims:,} claims, {args.verdicts:,} verdicts ...", flush=True)
        manage("generate_demo_data", "--claims", str(args.claims), "--verdicts", str(args.verdicts))
    sql("ANALYZE")
    claims = int(sql("SELECT count(*) FROM claims_claim"))
    verdicts = int(sql("SELECT count(*) FROM claims_verdict WHERE status = 'published'"))
    deep_at = int(verdicts * 0.8)
    deep = sql(
        "SELECT to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US') "
        "|| '+00:00|' || id FROM claims_verdict WHERE status IN "
        f"('published', 'retracted') ORDER BY updated_at, id OFFSET {deep_at} LIMIT 1"
    )
    # The API's cursor token (factcheck/api/pagination.py cursor_encode): base64 of "iso-time|id".
    cursor = base64.urlsafe_b64encode(deep.encode()).decode().rstrip("=")
    ids = [
        int(x)
        for x in sql(
            "SELECT string_agg(id::text, ',') FROM (SELECT id FROM claims_verdict "
            "WHERE status = 'published' ORDER BY random() LIMIT 500) t"
        ).split(",")
    ]

    env = {
        **os.environ,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "API_ANON_RATE": "100000000/minute",
        "DATABASE_CONN_MAX_AGE": "600",
        "LOG_LEVEL": "WARNING",
    }
    servers = [
        serve("factcheck.wsgi:application", API_PORT, env),
        serve("bench.floor_app:app", FLOOR_PORT, env),
    ]
    try:
        api, floor = f"http://127.0.0.1:{API_PORT}", f"http://127.0.0.1:{FLOOR_PORT}"
        wait_ready(f"{api}/api/v1/ratings/")
        wait_ready(f"{floor}/")
        # The floor answers the very same page: same rows, same JSON (but the `next` cursor).
        with urllib.request.urlopen(f"{api}/api/v1/verdicts/?page_size=50") as r:
            ours = json.load(r)
        with urllib.request.urlopen(f"{floor}/api/v1/verdicts/?page_size=50") as r:
            theirs = json.load(r)
        ours["next"] = theirs["next"] = None
        assert json.dumps(ours, sort_keys=True).replace(str(API_PORT), "P") == json.dumps(
            theirs, sort_keys=True
        ).replace(str(FLOOR_PORT), "P"), "the floor's page differs from the API's"

        cases = {
            "list (50 items)": (api, ["/api/v1/verdicts/?page_size=50"]),
            f"deep cursor page (row {deep_at:,})": (
                api,
                [f"/api/v1/verdicts/?page_size=50&cursor={cursor}"],
            ),
            "floor (same page, raw psycopg + orjson)": (floor, ["/api/v1/verdicts/?page_size=50"]),
            "detail (random published)": (api, [f"/api/v1/verdicts/{pk}/" for pk in ids]),
            "full-text search (50 items)": (
                api,
                [
                    "/api/v1/verdicts/?page_size=50&language=en&q=" + q
                    for q in ("unemployment", "vaccines%20hospitals", "taxes%20cut", "inflation")
                ],
            ),
        }
        results = {}
        for name, (base, paths) in cases.items():
            results[name] = load(base, paths, duration=args.duration, connections=args.connections)
            r = results[name]
            print(
                f"{name:45} p50 {r['p50']:7.2f} ms  p95 {r['p95']:7.2f} ms  "
                f"p99 {r['p99']:7.2f} ms  {r['rps']:7.1f} req/s  errors {r['errors']}",
                flush=True,
            )
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait()

    names = list(results)
    # In run order: list, deep page, floor, detail, search (the two pages back to back, so a
    # change in the shared machine's load hits both alike).
    list_p95, deep_p95, floor_p95 = (results[n]["p95"] for n in names[:3])
    detail_p95, search_p95 = results[names[3]]["p95"], results[names[4]]["p95"]
    print(
        f"\n{claims:,} claims, {verdicts:,} published verdicts; gunicorn 2 workers; "
        f"wrk {args.connections} connections, {args.duration} s per endpoint; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    checks = [
        ("list p95 <= 25 ms", list_p95 <= 25, f"{list_p95:.2f} ms"),
        ("list <= 2.5x floor (p95)", list_p95 <= 2.5 * floor_p95, f"{list_p95 / floor_p95:.2f}x"),
        ("detail p95 <= 8 ms", detail_p95 <= 8, f"{detail_p95:.2f} ms"),
        ("search p95 <= 150 ms", search_p95 <= 150, f"{search_p95:.2f} ms"),
        (
            "deep page <= 1.2x first (p95)",
            deep_p95 <= 1.2 * list_p95,
            f"{deep_p95 / list_p95:.2f}x",
        ),
    ]
    for label, ok, figure in checks:
        print(f"{'PASS' if ok else 'MISS'}  {label:32} {figure}")


if __name__ == "__main__":
    random.seed(0)
    main()
