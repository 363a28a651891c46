"""Small helpers ops/cluster.py's steps share: progress lines, waiting, plain HTTP GETs."""

import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import TypeVar

START = time.monotonic()
T = TypeVar("T")

# Never an environment proxy: requests go straight to the cluster's own addresses.
_HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def say(message: str) -> None:
    """One progress line, with the seconds since the script started."""
    print(f"[{time.monotonic() - START:5.0f}s] {message}", flush=True)


def wait_for(probe: Callable[[], T | None], what: str, timeout: float, every: float = 0.3) -> T:
    """Call `probe` until it returns something true, and return that; raise after `timeout`
    seconds."""
    deadline = time.monotonic() + timeout
    while not (found := probe()):
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: not there after {timeout:.0f}s")
        time.sleep(every)
    return found


def http_get(url: str, timeout: float = 60) -> tuple[int, bytes]:
    """GET `url`: (status, body); status 0 with the error when nothing answered."""
    try:
        with _HTTP.open(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except OSError as exc:  # URLError, refused, reset, timed out
        return 0, str(exc).encode()
