"""Benchmark: a CSV export of every public verdict through the export job, with a real worker.

    DATABASE_URL=... CELERY_BROKER_URL=redis://... .venv/bin/python bench/bench_export.py \
        [--verdicts 400000] [--stream]

Uses the database DATABASE_URL points at (migrated; `make bench-export` runs `migrate` first).
Tops it up to `--verdicts` published verdicts with `manage.py generate_demo_data` (one per new
claim) when it holds fewer, starts a Celery worker on the `default` queue, asks for an export
of every public verdict with POST /api/v1/exports/ (Django's test client) and waits for the
worker to finish it. Prints the rows, the file's size, the time from the request to the file
being ready and the worker's own time (started to finished), and rows per second. With
`--stream`, also times `GET /api/v1/verdicts/?format=csv` streaming the same rows in-process
with the row limit lifted: what one web request would have to do.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")

from factcheck.localenv import local_environment_prepare  # noqa: E402

CELERY = str(Path(sys.executable).parent / "celery")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--verdicts", type=int, default=400_000)
    parser.add_argument("--stream", action="store_true")
    args = parser.parse_args()

    media = Path(tempfile.mkdtemp(prefix="bench-export-"))
    os.environ["MEDIA_ROOT"] = str(media)
    os.environ["API_SYNC_LAG_SECONDS"] = "0"
    local_environment_prepare()
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from exports.models import Export

    settings.ALLOWED_HOSTS = ["*"]
    settings.API_ANON_RATE = ""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM claims_verdict WHERE status = 'published'")
        published = cursor.fetchone()[0]
    if published < args.verdicts:
        missing = args.verdicts - published
        print(f"Adding {missing:,} claims with a published verdict each…", file=sys.stderr)
        command = [sys.executable, str(ROOT / "manage.py"), "generate_demo_data"]
        options = ["--claims", str(missing), "--verdicts", str(missing), "--seed", str(published)]
        subprocess.run([*command, *options], check=True)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE claims_claim; ANALYZE sources_source; ANALYZE claims_verdict")

    log = media / "worker.log"
    worker = subprocess.Popen(
        [CELERY, "-A", "factcheck", "worker", "--pool", "solo", "--queues", "default",
         "--without-mingle", "--without-gossip", "--loglevel", "INFO", "-n", "bench-export@%h"],
        cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        while " ready." not in log.read_text(errors="replace"):
            if worker.poll() is not None:
                raise SystemExit(f"the worker exited:\n{log.read_text()}")
            time.sleep(0.2)
        client = Client()
        asked_at = time.perf_counter()
        response = client.post("/api/v1/exports/", {}, content_type="application/json")
        assert response.status_code == 202, response.content
        pk = response.json()["id"]
        while True:
            export = Export.objects.get(pk=pk)
            if export.status in ("done", "failed"):
                break
            time.sleep(0.05)
        ready = time.perf_counter() - asked_at
    finally:
        worker.terminate()
        worker.wait(30)
    if export.status != "done":
        print(f"The export failed: {export.error}\n{log.read_text()}", file=sys.stderr)
        return 1
    assert export.started_at is not None and export.finished_at is not None
    assert export.rows is not None and export.size is not None
    took = (export.finished_at - export.started_at).total_seconds()
    print(f"Export of {export.rows:,} public verdicts ({export.size / 1e6:,.1f} MB of CSV)")
    print(f"  request to file ready: {ready:6.1f} s")
    print(f"  worker, start to done: {took:6.1f} s  {export.rows / took:,.0f} rows/s")

    if args.stream:
        settings.EXPORTS_STREAM_MAX_ROWS = 10**9
        started = time.perf_counter()
        streamed = client.get("/api/v1/verdicts/?format=csv")
        size = 0
        for chunk in streamed.streaming_content:  # type: ignore[attr-defined]
            size += len(chunk)
        took = time.perf_counter() - started
        print(f"  streamed in one request: {took:6.1f} s  {export.rows / took:,.0f} rows/s "
              f"({size / 1e6:,.1f} MB)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
