"""Fixtures and helpers the import tests share: a local HTTP server and the commands' JSON."""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pytest_django.fixtures import Settings

from tests.conftest import DATA
from tests.sources.workers import REDIS, Processes, redis_purge

LIAR = DATA / "liar_sample.tsv"


def command_json(name: str, *args: str) -> tuple[dict[str, Any], int]:
    """Run the import command `name` with --json; return its one JSON object and exit status."""
    out = StringIO()
    code = 0
    try:
        call_command(name, *args, "--json", stdout=out, stderr=StringIO())
    except CommandError as exc:
        code = exc.returncode
    lines = [line for line in out.getvalue().splitlines() if line.startswith("{")]
    assert len(lines) == 1, out.getvalue()
    return json.loads(lines[0]), code


PAGE = (
    "<html><head><title>Budget</title></head><body><nav>Home | About</nav><article>"
    "<h1>The budget debate</h1>"
    + "".join(
        f"<p>The minister said spending rose by {n} percent in the last year. "
        f"Critics replied that the figure for region {n} was much lower than claimed.</p>"
        for n in range(1, 8)
    )
    + "</article><footer>Copyright</footer></body></html>"
)


class Handler(BaseHTTPRequestHandler):
    """Answers each path from `routes`: (status, content type, body); a redirect's body is its
    Location."""

    routes: dict[str, tuple[int, str, bytes]] = {}

    def do_GET(self) -> None:
        status, ctype, body = self.routes.get(self.path, (404, "text/plain", b"not found"))
        self.send_response(status)
        if status in (301, 302):
            self.send_header("Location", body.decode())
            body = b""
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server(settings: Settings) -> Iterator[str]:
    """The base URL of a local HTTP server answering Handler.routes."""
    settings.IMPORT_ALLOW_PRIVATE_NETWORKS = True
    Handler.routes = {}
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    """Worker and beat processes (tests/sources/workers.py), stopped after the test; a failing
    test's report shows their logs."""
    started = Processes(tmp_path)
    yield started
    started.stop_all()
    if REDIS.startswith("redis://"):
        redis_purge()  # tasks beat queued but nobody ran must not reach the next test's worker


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> pytest.TestReport:
    """A failing test that ran worker processes (the `processes` fixture) shows their logs."""
    report: pytest.TestReport = yield
    processes = getattr(item, "funcargs", {}).get("processes")
    if report.when == "call" and report.failed and processes is not None:
        report.sections.append(("worker logs", processes.report()))
    return report


def rss(base: str) -> bytes:
    """A feed of three entries: a teaser whose page is long, a short entry, a dead link."""
    return f"""<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>
<item><title>Budget</title><link>{base}/budget</link><description>Teaser.</description></item>
<item><title>Short</title><link>{base}/short</link>
<description>The river rose by two metres overnight. Officials closed it.</description></item>
<item><title>Gone</title><link>{base}/gone</link><description>x</description></item>
</channel></rss>""".encode()
