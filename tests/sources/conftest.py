"""Helpers the import tests share: the commands' JSON, a sample page and feed."""

import json
from collections.abc import Generator, Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

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
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
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
