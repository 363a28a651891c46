"""Importers of issue 5: tables (LIAR), ClaimReview, RSS feeds, the fetcher and the lock."""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

from claims.models import Claim, Claimant, ClaimEvent, Verdict
from factcheck.db import ImportBusy, import_lock
from sources.imports.claimreview import source_import_claimreview
from sources.imports.feeds import feed_poll
from sources.imports.ratings import RatingMapper
from sources.imports.reviewed import claims_create_imported
from sources.models import Feed, ImportRun, Source
from sources.parsers.fetch import FetchError, FetchUnavailable, fetch
from sources.parsers.reviewed import ImportedClaim
from tests.conftest import DATA

pytestmark = pytest.mark.django_db
ISSUE5 = DATA / "issue5"
LIAR = ISSUE5 / "liar_sample.tsv"


def command_json(name: str, *args: str) -> tuple[dict, int]:
    out = StringIO()
    code = 0
    try:
        call_command(name, *args, "--json", stdout=out, stderr=StringIO())
    except CommandError as exc:
        code = exc.returncode
    lines = [line for line in out.getvalue().splitlines() if line.startswith("{")]
    assert len(lines) == 1, out.getvalue()
    return json.loads(lines[0]), code


# --- tables ---------------------------------------------------------------------------------


def test_import_table_loads_liar_rows_as_published_claims_with_imported_verdicts() -> None:
    summary, code = command_json("import_table", str(LIAR), "--liar")

    assert code == 1  # the broken last row
    assert summary["claims_created"] == 40
    assert summary["failed"] == 1
    failed = [f for f in summary["files"] if f["status"] == "failed"]
    assert failed[0]["path"] == "liar_sample.tsv:41"
    assert "3 columns, expected 14" in failed[0]["error"]
    claim = Claim.objects.get(text__startswith="Says the Annies List political group")
    assert claim.status == Claim.Status.PUBLISHED
    assert 0 <= claim.score <= 1  # scored for check-worthiness like every imported claim
    assert claim.claimant.name == "dwayne-bohac"
    assert claim.source.origin == "a mailer"
    assert claim.source.body[claim.start : claim.end] == claim.text
    verdict = claim.verdicts.get()
    assert (verdict.origin, verdict.status) == ("imported", "published")
    assert (verdict.original_rating, verdict.rating.slug) == ("false", "false")
    assert verdict.publisher_name == "PolitiFact"
    assert ClaimEvent.objects.filter(claim=claim, code="claim.imported").count() == 1


def test_reimporting_a_table_creates_nothing() -> None:
    command_json("import_table", str(LIAR), "--liar")
    counts = (Source.objects.count(), Claim.objects.count(), Verdict.objects.count())

    summary, _ = command_json("import_table", str(LIAR), "--liar")

    assert summary["claims_created"] == 0
    assert ImportRun.objects.first().items_unchanged == 40
    assert (Source.objects.count(), Claim.objects.count(), Verdict.objects.count()) == counts


def test_import_table_with_a_header_and_a_column_map(tmp_path: Path) -> None:
    table = tmp_path / "checks.csv"
    table.write_text(
        "ref,who,said,verdict,when\n"
        'a1,Jane Doe,"Taxes doubled, she said.",Mostly False,2023-01-02\n'
        "a2,John Roe,Crime is down.,barely-true,02/03/2023\n"
        "a3,John Roe,,true,2023-01-01\n"
        "a4,Jane Doe,Bad date row.,true,someday\n"
    )
    summary, code = command_json(
        "import_table", str(table), "--column", "claim=said", "--column", "rating=verdict",
        "--column", "claimant=who", "--column", "id=ref", "--column", "date=when",
        "--publisher", "Checker",
    )  # fmt: skip

    assert code == 1
    assert summary["claims_created"] == 2
    errors = {f["path"]: f["error"] for f in summary["files"] if f["status"] == "failed"}
    assert errors == {
        "checks.csv:4": "line 4: the claim column is empty",
        "checks.csv:5": "line 5: date is not a date: 'someday'",
    }
    taxes = Claim.objects.get(text="Taxes doubled, she said.")
    assert str(taxes.claim_date) == "2023-01-02"
    assert taxes.verdicts.get().rating.slug == "mostly-false"
    assert Claimant.objects.filter(name="John Roe").count() == 1


def test_import_table_without_a_claim_column_fails_with_the_reason(tmp_path: Path) -> None:
    table = tmp_path / "x.csv"
    table.write_text("a,b\n1,2\n")
    summary, code = command_json("import_table", str(table))
    assert code == 1
    assert "no claim column" in summary["files"][0]["error"]
    assert Claim.objects.count() == 0


# --- ClaimReview ----------------------------------------------------------------------------


def test_import_claimreview_datafeed_tolerates_real_feed_quirks() -> None:
    summary, code = command_json("import_claimreview", str(ISSUE5 / "claimreview_datafeed.json"))

    assert code == 1
    assert summary["claims_created"] == 2
    errors = sorted(f["error"] for f in summary["files"] if f["status"] == "failed")
    assert errors == [
        "claimReviewed is missing or empty",
        "datePublished is not a date: 'not a date at all'",
    ]
    cheese = Verdict.objects.get(review_url="https://checker.example/reviews/1")
    assert cheese.rating.slug == "pants-on-fire"
    assert cheese.original_rating == "Pants on Fire!"
    assert (cheese.publisher_name, cheese.publisher_site) == ("Checker", "checker.example")
    assert cheese.claim.claimant.name == "Wallace"
    assert str(cheese.claim.claim_date) == "2024-03-01"
    assert cheese.claim.source.origin == "https://news.example/cheese"
    numeric = Verdict.objects.get(review_url="https://checker.example/reviews/2")
    assert numeric.original_rating == "2"
    assert numeric.rating.slug == "false"  # 2 of 1..5 scaled onto our 1..6
    assert numeric.claim.claimant.name == "Senator Smith"


def test_import_claimreview_from_html_json_ld_and_again_creates_nothing() -> None:
    raw = (ISSUE5 / "claimreview_page.html").read_bytes()
    run = source_import_claimreview(raw=raw, origin="page.html")
    assert run.claims_created == 1
    verdict = Verdict.objects.get()
    assert verdict.rating.slug == "false"
    assert verdict.claim.language == "es"

    again = source_import_claimreview(raw=raw, origin="page.html")
    assert (again.claims_created, again.items_unchanged) == (0, 1)
    assert Claim.objects.count() == 1


def test_import_claimreview_rejects_a_document_without_reviews(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"@type": "WebPage"}')
    summary, code = command_json("import_claimreview", str(path))
    assert code == 1
    assert summary["files"][0]["error"] == "no ClaimReview objects found"


def test_rating_mapper_uses_aliases_then_numbers() -> None:
    mapper = RatingMapper()
    slugs = {
        r: s for r, s in __import__("claims.models").models.Rating.objects.values_list("pk", "slug")
    }
    assert slugs[mapper.rating_id("PANTS ON FIRE!")] == "pants-on-fire"
    assert slugs[mapper.rating_id("falso")] == "false"
    assert slugs[mapper.rating_id("Mostly False")] == "mostly-false"
    assert slugs[mapper.rating_id("barely-true")] == "mostly-false"
    assert slugs[mapper.rating_id("", (1, 1, 5))] == "pants-on-fire"
    assert slugs[mapper.rating_id("", (5, 1, 5))] == "true"
    assert mapper.rating_id("who knows") is None
    assert mapper.rating_id("", (9, 1, 5)) is None


def test_claims_create_imported_is_idempotent_within_and_across_calls() -> None:
    item = ImportedClaim(key="k|1", text="A claim.", origin="x", original_rating="true")
    results = claims_create_imported(items=[item, item])
    assert [r.status for r in results] == ["imported", "unchanged"]
    assert claims_create_imported(items=[item])[0].status == "unchanged"
    assert Claim.objects.count() == Verdict.objects.count() == 1


# --- fetcher, feeds, lock -------------------------------------------------------------------

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
def server(settings) -> Iterator[str]:  # type: ignore[no-untyped-def]
    settings.IMPORT_ALLOW_PRIVATE_NETWORKS = True
    Handler.routes = {}
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def rss(base: str) -> bytes:
    return f"""<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>
<item><title>Budget</title><link>{base}/budget</link><description>Teaser.</description></item>
<item><title>Short</title><link>{base}/short</link>
<description>The river rose by two metres overnight. Officials closed it.</description></item>
<item><title>Gone</title><link>{base}/gone</link><description>x</description></item>
</channel></rss>""".encode()


def test_feed_poll_imports_entries_and_linked_pages_and_records_the_outcome(server: str) -> None:
    Handler.routes = {
        "/feed.xml": (200, "application/rss+xml", rss(server)),
        "/budget": (200, "text/html", PAGE.encode()),
        "/short": (200, "text/html", b"<html><body><p>Short page.</p></body></html>"),
    }
    feed = Feed.objects.create(url=f"{server}/feed.xml", language="en")

    run = feed_poll(feed=feed)

    budget = Source.objects.get(url=f"{server}/budget")
    assert "spending rose by 3 percent" in budget.body
    assert "Copyright" not in budget.body and "Home | About" not in budget.body
    assert budget.claims.count() >= 7
    assert Source.objects.filter(url=f"{server}/short").exists()
    gone = [i for i in run.items if i["status"] == "failed"]
    assert gone[0]["path"] == f"{server}/gone" and "HTTP 404" in gone[0]["error"]
    feed.refresh_from_db()
    assert feed.last_success_at is not None and feed.consecutive_failures == 0

    claims = Claim.objects.count()
    again = feed_poll(feed=feed)
    assert Claim.objects.count() == claims
    assert again.items_unchanged == 2


def test_feed_poll_counts_consecutive_failures(server: str) -> None:
    Handler.routes = {"/feed.xml": (503, "text/plain", b"down")}
    feed = Feed.objects.create(url=f"{server}/feed.xml")
    for expected in (1, 2):
        with pytest.raises(FetchUnavailable):
            feed_poll(feed=feed)
        assert feed.consecutive_failures == expected
    assert "HTTP 503" in feed.last_error
    Handler.routes = {"/feed.xml": (200, "text/html", b"<html>not a feed</html>")}
    run = feed_poll(feed=feed)
    assert run.status == ImportRun.Status.FAILED
    assert feed.consecutive_failures == 3


def test_fetch_refuses_loopback_unless_allowed_and_other_schemes(server: str, settings) -> None:  # type: ignore[no-untyped-def]
    Handler.routes = {"/ok": (200, "text/plain", b"fine")}
    assert fetch(f"{server}/ok").body == b"fine"
    settings.IMPORT_ALLOW_PRIVATE_NETWORKS = False
    with pytest.raises(FetchError, match="private or loopback"):
        fetch(f"{server}/ok")
    with pytest.raises(FetchError, match="only http and https"):
        fetch("file:///etc/passwd")


def test_fetch_bounds_size_and_redirects(server: str, settings) -> None:  # type: ignore[no-untyped-def]
    settings.IMPORT_FETCH_MAX_BYTES = 100
    settings.IMPORT_FETCH_MAX_REDIRECTS = 2
    Handler.routes = {
        "/big": (200, "text/plain", b"x" * 101),
        "/a": (302, "", b"/b"),
        "/b": (302, "", b"/c"),
        "/c": (302, "", b"/big"),
        "/r": (302, "", b"/small"),
        "/small": (200, "text/plain", b"ok"),
    }
    with pytest.raises(FetchError, match="101 bytes, over 100"):
        fetch(f"{server}/big")
    with pytest.raises(FetchError, match="more than 2 redirects"):
        fetch(f"{server}/a")
    assert fetch(f"{server}/r").body == b"ok"


@pytest.mark.django_db(transaction=True)
def test_import_lock_lets_one_run_at_a_time() -> None:
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            import hashlib

            key = int.from_bytes(hashlib.sha256(b"table:x").digest()[:8], "big", signed=True)
            cursor.execute("SELECT pg_advisory_lock(%s)", [key])
        with pytest.raises(ImportBusy):
            with import_lock("table:x"):
                pass
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        with import_lock("table:x"):
            pass
    finally:
        other.close()


def test_claimreview_feed_is_fetched_and_a_busy_table_run_records_nothing(server: str) -> None:
    Handler.routes = {
        "/reviews.html": (200, "text/html", (ISSUE5 / "claimreview_page.html").read_bytes())
    }
    feed = Feed.objects.create(url=f"{server}/reviews.html", kind=Feed.Kind.CLAIMREVIEW)
    run = feed_poll(feed=feed)
    assert (run.kind, run.claims_created) == ("claimreview", 1)
    assert feed.last_success_at is not None

    from sources.imports.tables import source_import_table

    with import_lock("table:busy.tsv"):
        other = connections.create_connection("default")
        try:
            # Another worker (another connection) sees the lock and stops at once.
            runs = ImportRun.objects.count()
            connections["default"], saved = other, connections["default"]
            try:
                with pytest.raises(ImportBusy):
                    source_import_table(raw=b"claim\nx\n", name="busy.tsv")
            finally:
                connections["default"] = saved
        finally:
            other.close()
    assert ImportRun.objects.count() == runs


def test_a_table_row_naming_an_imported_review_is_the_same_item(tmp_path: Path) -> None:
    source_import_claimreview(
        raw=(ISSUE5 / "claimreview_page.html").read_bytes(), origin="page.html"
    )
    table = tmp_path / "reviews.csv"
    table.write_text(
        "claim,rating,publisher,review_url\n"
        "El agua hierve a 50 grados.,falso,verificador.example,"
        "https://verificador.example/chequeo/9\n"
    )
    summary, code = command_json("import_table", str(table))
    assert (code, summary["claims_created"]) == (0, 0)
    assert Claim.objects.count() == Verdict.objects.count() == 1


def test_import_feed_command_registers_schedules_and_polls(server: str) -> None:
    from django_celery_beat.models import PeriodicTask

    Handler.routes = {
        "/feed.xml": (200, "application/rss+xml", rss(server)),
        "/budget": (200, "text/html", PAGE.encode()),
        "/short": (200, "text/html", b"<html><body><p>Short page.</p></body></html>"),
    }
    summary, code = command_json("import_feed", f"{server}/feed.xml", "--interval", "600")

    assert code == 1  # /gone is a 404
    assert summary["sources_created"] == 2
    feed = Feed.objects.get()
    assert PeriodicTask.objects.get(args=f"[{feed.pk}]").interval.every == 600


def test_imported_reviewed_claims_are_matched_with_earlier_claims_after_the_commit(
    seed_folder: Path, django_capture_on_commit_callbacks: object, monkeypatch: object
) -> None:
    from claims import tasks
    from claims.models import ClaimMatch
    from sources.imports.documents import source_import_paths

    source_import_paths(paths=[seed_folder])
    earlier = Claim.objects.order_by("position")[3]
    # Run the queued task in this process instead of through a broker.
    monkeypatch.setattr(tasks.claims_match_new_task, "delay", tasks.claims_match_new_task)
    item = ImportedClaim(key="test|1", text=earlier.text, origin="elsewhere", language="en")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        [result] = claims_create_imported(items=[item])

    assert len(callbacks) == 1
    match = ClaimMatch.objects.get(claim_id=result.claim)
    assert (match.matched_id, match.kind) == (earlier.pk, "duplicate")


# --- a large table shared by several workers (issue 5 performance) ---------------------------


def test_a_table_split_across_tasks_imports_every_row_once(settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from factcheck.celery import app
    from sources.tasks import table_import_chunk_task, table_import_task

    settings.IMPORT_TABLE_TASK_ROWS = 10  # 41 lines: ranges of rows 1-10, ..., 41-end
    monkeypatch.setitem(app.conf, "task_always_eager", True)  # the range tasks run inline

    run_id = table_import_task.apply(args=[str(LIAR), "liar"]).get()

    run = ImportRun.objects.get()
    assert run.pk == run_id
    assert run.finished_at is not None
    assert run.status == ImportRun.Status.PARTIAL  # the broken last row
    assert (run.claims_created, run.items_unchanged, run.items_failed) == (40, 0, 1)
    ranges = [i["path"] for i in run.items if " rows " in i["path"]]
    spans = ("1-10", "11-20", "21-30", "31-40", "41-end")
    assert ranges == [f"liar_sample.tsv rows {span}" for span in spans]
    failed = [i for i in run.items if i["status"] == "failed" and i["path"].endswith(":41")]
    assert "3 columns, expected 14" in failed[0]["error"]
    assert Claim.objects.count() == Claim.objects.values("text").distinct().count() == 40
    assert Source.objects.count() == Verdict.objects.count() == 40

    # A range delivered again (its worker was lost after storing it) changes nothing.
    assert (
        table_import_chunk_task.apply(args=[run.pk, str(LIAR), 10, 20, 5, "liar"]).get() == run.pk
    )
    again = ImportRun.objects.get()
    assert (again.claims_created, again.items_unchanged, again.items_failed) == (40, 0, 1)
    assert again.items == run.items
    assert Claim.objects.count() == 40


def test_a_table_at_most_import_table_task_rows_long_is_one_task(settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from factcheck.celery import app
    from sources.tasks import table_import_task

    settings.IMPORT_TABLE_TASK_ROWS = 41
    monkeypatch.setitem(app.conf, "task_always_eager", True)

    table_import_task.apply(args=[str(LIAR), "liar"]).get()

    run = ImportRun.objects.get()
    assert [i["path"] for i in run.items] == ["liar_sample.tsv", "liar_sample.tsv:41"]
    assert run.claims_created == 40


def test_a_split_table_without_a_claim_column_fails_once_per_range(
    settings, monkeypatch, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from factcheck.celery import app
    from sources.tasks import table_import_task

    table = tmp_path / "x.csv"
    table.write_text("a,b\n" + "".join(f"{n},{n}\n" for n in range(5)))
    settings.IMPORT_TABLE_TASK_ROWS = 3  # 6 lines: two ranges
    monkeypatch.setitem(app.conf, "task_always_eager", True)

    table_import_task.apply(args=[str(table)]).get()

    run = ImportRun.objects.get()
    assert run.finished_at is not None
    assert run.status == ImportRun.Status.FAILED
    assert [i["path"] for i in run.items if " rows " in i["path"]] == [
        "x.csv rows 1-3", "x.csv rows 4-end",
    ]  # fmt: skip
    assert all("no claim column" in i["error"] for i in run.items if i["path"] == "x.csv")
    assert Claim.objects.count() == 0


@pytest.mark.parametrize(("first", "last"), [(0, None), (0, 10), (10, 20), (35, None), (50, 60)])
def test_a_range_of_table_rows_is_the_same_rows_as_a_slice_of_all(
    first: int, last: int | None
) -> None:
    """parse_table(first=, last=) skips the rows before the range without building them, and
    yields what slicing every row would (blank lines are not rows; a short row is one)."""
    from itertools import islice

    from sources.parsers.table import TableFormat, TableLayout, parse_table

    raw = LIAR.read_bytes().replace(b"\n", b"\n\n", 3)  # a few blank lines too
    liar = TableFormat(layout=TableLayout.LIAR)
    every = parse_table(raw, name=LIAR.name, table_format=liar)
    ranged = parse_table(raw, name=LIAR.name, table_format=liar, first=first, last=last)
    assert list(ranged) == list(islice(every, first, last))
