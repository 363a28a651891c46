"""Benchmark: other requests' latency while wrong passwords flood the token endpoint.

gunicorn (2 sync workers, as `make run`) serves DATABASE_URL; one client GETs /api/v1/ratings/
in a loop, first alone (the baseline), then while FLOODERS threads post wrong passwords to
/api/v1/auth/token/, each RATE posts a second (the finding this answers: four a second), each
post with another user name and another X-Forwarded-For (which is not believed). Twice: with
the sign-in limits as configured, and "unguarded" (many password-check slots, no lockout), so
the difference is theirs. Prints the reader's median and p95 in each phase and what the flood
was answered.

    DATABASE_URL=postgresql://.../scratch .venv/bin/python bench/bench_sign_ins.py
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def request(url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> int:
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as error:
        error.read()
        return int(error.code)


def read_latencies(base: str, seconds: float) -> list[float]:
    """Milliseconds of each GET /api/v1/ratings/ made one after another for `seconds`."""
    times: list[float] = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        start = time.perf_counter()
        request(f"{base}/api/v1/ratings/")
        times.append((time.perf_counter() - start) * 1000)
    return times


def flood(base: str, stop: threading.Event, answers: Counter[int], n: int, rate: float) -> None:
    i = 0
    start = time.monotonic()
    while not stop.is_set():
        i += 1
        stop.wait(max(0.0, start + i / rate - time.monotonic()))
        body = json.dumps({"username": f"guess{n}-{i}", "password": "wrong"}).encode()
        headers = {"Content-Type": "application/json", "X-Forwarded-For": f"198.51.{n}.{i % 250}"}
        answers[request(f"{base}/api/v1/auth/token/", body, headers)] += 1


def summary(times: list[float]) -> str:
    p95 = statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]
    return f"median {statistics.median(times):6.1f} ms, p95 {p95:6.1f} ms ({len(times)} requests)"


def run(label: str, env: dict[str, str], seconds: float, flooders: int, rate: float) -> None:
    # Each run starts with no failed sign-ins on record (an earlier run's lockout would last).
    subprocess.run(
        [sys.executable, "manage.py", "axes_reset"],
        cwd=REPO,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [GUNICORN, "factcheck.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                if request(f"{base}/api/v1/ratings/") == 200:
                    break
            except OSError:
                time.sleep(0.2)
        alone = read_latencies(base, seconds)
        stop = threading.Event()
        answers: Counter[int] = Counter()
        threads = [
            threading.Thread(target=flood, args=(base, stop, answers, n, rate))
            for n in range(flooders)
        ]
        for thread in threads:
            thread.start()
        time.sleep(0.5)
        flooded = read_latencies(base, seconds)
        stop.set()
        for thread in threads:
            thread.join()
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"{label}:")
    print(f"  alone:        {summary(alone)}")
    ratio = statistics.median(flooded) / statistics.median(alone)
    print(f"  under flood:  {summary(flooded)}  ({ratio:.1f}x)")
    print(f"  flood answered: {dict(sorted(answers.items()))}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="Per phase.")
    parser.add_argument("--flooders", type=int, default=4)
    parser.add_argument("--rate", type=float, default=1.0, help="Posts a second per flooder.")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        raise SystemExit("Set DATABASE_URL to a scratch database.")
    env = {
        **os.environ,
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-secret"),
        "DEBUG": "false",
        "API_ANON_RATE": "100000000/minute",
        "LOG_LEVEL": "WARNING",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v0"], cwd=REPO, env=env, check=True
    )
    run("guarded (as configured)", env, args.seconds, args.flooders, args.rate)
    unguarded = {**env, "LOGIN_CONCURRENCY": "64", "LOGIN_FAILURE_LIMIT": "100000000"}
    label = "unguarded (64 password checks at once, no lockout)"
    run(label, unguarded, args.seconds, args.flooders, args.rate)


if __name__ == "__main__":
    main()
