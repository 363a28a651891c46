"""What ops/cluster.py does with the cluster once it runs: the seed import from beat's schedule,
a table import through the broker with one worker host removed half-way, a verdict sync through
the round-robin proxy, and reads while the replica stops. Every check compares exact counts and
raises when they differ.

Runs in the script's own process, with Django set up against the cluster (the same environment
as its hosts): it queues tasks on the cluster's broker and reads the cluster's database.
"""

import json
import re
import signal
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
from django.conf import settings
from django.db import connection
from hosts import Host, ip
from probe import http_get, say, wait_for

if TYPE_CHECKING:
    from services import Cluster

    from sources.models import ImportRun

# Celery's worker log lines, e.g. "[2026-12-06 21:00:00,123: INFO/MainProcess] Task
# sources.tasks.table_import_chunk_task[<id>] received" (then "... succeeded in 3.1s: 7").
_TASK_LINE = re.compile(
    r"^\[(?P<at>[\d-]+ [\d:]+),\d+: INFO/[^\]]+\] Task (?P<task>[\w.]+)\[(?P<id>[\w-]+)\] "
    r"(?P<what>received|succeeded)"
)
CHUNK_TASK = "sources.tasks.table_import_chunk_task"


@dataclass
class TaskSeen:
    received: datetime
    succeeded: bool = False


class Scenario:
    def __init__(
        self,
        cluster: "Cluster",
        table: Path,
        rows: int,
        worker_logs: list[Path],
        *,
        lose_host: bool = False,
    ) -> None:
        self.cluster, self.table, self.rows = cluster, table, rows
        self.lose_host = lose_host
        self.worker_logs = worker_logs
        self.lb = f"http://{cluster.host('lb').address}:8000"
        self.verdict_ids: list[int] = []

    def run(self) -> None:
        self.seeds()
        self.table_import()
        self.verdict_sync()
        self.replica_stop()

    # --- Seeds -----------------------------------------------------------------------------

    def seeds(self) -> None:
        """Beat's watched-folder schedule (every SEEDS_IMPORT_INTERVAL s) imports seeds/."""
        from sources.models import ImportRun

        started = time.monotonic()
        run = wait_for(
            lambda: ImportRun.objects.filter(
                kind=ImportRun.Kind.FILES, finished_at__isnull=False
            ).first(),
            "the watched-folder import beat schedules",
            timeout=120,
        )
        say(
            f"seeds: beat queued the watched-folder import, {self.task_host(run.task_id)} ran "
            f"it: run #{run.pk} {run.status}, {run.sources_created} source(s), "
            f"{run.claims_created} claims (waited {time.monotonic() - started:.1f}s)"
        )

    # --- The table import, one worker host lost mid-way ------------------------------------------

    def table_import(self) -> None:
        from sources.models import ImportRun
        from sources.tasks import table_import_task

        started = time.monotonic()
        # From a trusted fact-checker: its verdicts publish on import, for the sync below.
        table_import_task.delay(str(self.table), "header", trusted=True)
        run = wait_for(
            lambda: ImportRun.objects.filter(
                kind=ImportRun.Kind.TABLE, origin=self.table.name
            ).first(),
            "the table's import run",
            timeout=60,
        )
        chunks = run.chunks.count()
        say(
            f"table: table_import_task (trusted) queued from .1; run #{run.pk} shares "
            f"{self.rows:,} rows out in {chunks} tasks of {settings.IMPORT_TABLE_TASK_ROWS:,} rows"
        )
        victim = wait_for(lambda: self.mid_chunk(run), "a worker host mid-chunk", timeout=180)
        before = self.progress(run)
        killed_at, kill_clock = time.monotonic(), datetime.now()
        if self.lose_host:  # the cable pulled first: no FIN or RST ever leaves the host
            ip("link", "set", victim.netns, "down")
        killed = self.cluster.net.remove(victim)
        say(
            f"{victim.name}: {'link cut, then ' if self.lose_host else ''}kill -9 of its "
            f"{killed} processes and its namespace deleted while it imported a chunk; {before} "
            f"at that moment"
        )
        timeout = settings.CELERY_BROKER_VISIBILITY_TIMEOUT + 300
        last_line = time.monotonic()
        while True:
            run.refresh_from_db()
            if run.finished_at is not None:
                break
            if time.monotonic() - killed_at > timeout:
                raise RuntimeError(f"run #{run.pk} not finished {timeout}s after the kill")
            if time.monotonic() - last_line >= 30:
                say(f"  {self.progress(run)}, {time.monotonic() - killed_at:.0f}s after the kill")
                last_line = time.monotonic()
            time.sleep(1)
        say(
            f"run #{run.pk} {run.status}, {time.monotonic() - started:.0f}s after it was "
            f"queued, {time.monotonic() - killed_at:.0f}s after the kill"
        )
        self.chunk_report(victim, kill_clock)
        self.count_check(run)

    def mid_chunk(self, run: "ImportRun") -> Host | None:
        """A worker host that has finished a chunk task and is running another while holding
        an advisory lock; None while there is none."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT DISTINCT host(a.client_addr) FROM pg_locks AS l JOIN pg_stat_activity AS a"
                " ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted"
            )
            holding = {row[0] for row in cursor.fetchall()}
        for name in ("work1", "work2"):
            host = self.cluster.net.hosts.get(name)
            if host is None or host.address not in holding:
                continue
            tasks = self.tasks_seen(name, CHUNK_TASK).values()
            if any(seen.succeeded for seen in tasks) and any(not s.succeeded for s in tasks):
                return host
        return None

    def progress(self, run: "ImportRun") -> str:
        from claims.models import Claim

        done = run.chunks.filter(finished_at__isnull=False).count()
        stored = Claim.objects.filter(source__import_run=run).count()
        return f"{done}/{run.chunks.count()} chunks finished, {stored:,} claims stored"

    def chunk_report(self, victim: Host, killed: datetime) -> None:
        """Which host ran which chunk task, from the workers' logs."""
        survivor = "work2" if victim.name == "work1" else "work1"
        lost = self.tasks_seen(victim.name, CHUNK_TASK)
        held = [task_id for task_id, seen in lost.items() if not seen.succeeded]
        done = self.tasks_seen(survivor, CHUNK_TASK)
        again = [done[task_id] for task_id in held if task_id in done]
        if not held or len(again) != len(held) or not all(seen.succeeded for seen in again):
            raise RuntimeError(f"the chunk task {victim.name} held was not finished by {survivor}")
        after = max((seen.received - killed).total_seconds() for seen in again)
        say(
            f"chunk tasks: {victim.name} finished {len(lost) - len(held)} and held {len(held)} "
            f"when killed; {survivor} finished {sum(s.succeeded for s in done.values())}, with "
            f"the held one redelivered to it {after:.0f}s after the kill (broker visibility "
            f"timeout {settings.CELERY_BROKER_VISIBILITY_TIMEOUT}s from its first delivery)"
        )

    def count_check(self, run: "ImportRun") -> None:
        """Rows in = claims stored, each once: by the run's totals and by what is stored."""
        from claims.models import Claim, ClaimEvent, Verdict

        claims = Claim.objects.filter(source__import_run=run)
        counts = {
            "claims stored": claims.count(),
            "distinct rows (content hashes)": claims.values("source__content_hash")
            .distinct()
            .count(),
            "claim.imported events": ClaimEvent.objects.filter(
                claim__source__import_run=run, code="claim.imported"
            ).count(),
            "verdicts": Verdict.objects.filter(claim__source__import_run=run).count(),
            "run: created + unchanged": run.claims_created + run.items_unchanged,
        }
        unchanged = f"{run.items_unchanged:,} unchanged"
        if run.items_unchanged:  # a batch the killed task committed, found by its redelivery
            unchanged += " (committed by the killed host's task before it died)"
        say(
            f"run #{run.pk}: {run.claims_created:,} claims created, {unchanged}, "
            f"{run.items_failed} failed"
        )
        say(f"rows in {self.rows:,} = " + " = ".join(f"{v:,} {k}" for k, v in counts.items()))
        if run.items_failed or any(value != self.rows for value in counts.values()):
            raise RuntimeError("the counts differ from the rows imported")

    # --- Reads through the proxy ---------------------------------------------------------------

    def verdict_sync(self) -> None:
        """A consumer's full sync of /api/v1/verdicts/ through the proxy: every page, every
        verdict once."""
        from claims.selectors import verdict_public_queryset

        time.sleep(settings.API_SYNC_LAG_SECONDS + 1)  # lists show a change this much later
        started, served = time.monotonic(), self.served()
        url: str | None = f"{self.lb}/api/v1/verdicts/?page_size=500"
        pages, seen = 0, []
        while url:
            status, body = http_get(url)
            if status != 200:
                raise RuntimeError(f"GET {url}: {status} {body[:300]!r}")
            page = json.loads(body)
            seen += [verdict["id"] for verdict in page["results"]]
            pages, url = pages + 1, page["next"]
        self.verdict_ids = sorted(set(seen))
        answered = self.answered(since=served, requests=pages)
        public = verdict_public_queryset().count()
        say(
            f"verdict sync through lb: {pages} pages, {len(seen):,} verdicts, "
            f"{len(self.verdict_ids):,} distinct, of {public:,} public; web1 answered "
            f"{answered['web1']} requests, web2 {answered['web2']} "
            f"({time.monotonic() - started:.1f}s)"
        )
        if not (len(seen) == len(self.verdict_ids) == public) or min(answered.values()) == 0:
            raise RuntimeError("the sync missed or repeated verdicts, or a web host never answered")

    def replica_stop(self) -> None:
        """Reads through the proxy with the replica streaming, then with it stopped."""
        primary, replica = self.cluster.host("db1"), self.cluster.host("db2")
        with psycopg.connect(host=primary.address, user="postgres", dbname="factcheck") as conn:
            state, behind = conn.execute(
                "SELECT state, pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)"
                " FROM pg_stat_replication"
            ).fetchone() or ("absent", None)
            on_primary = conn.execute("SELECT count(*) FROM claims_claim").fetchone()
        with psycopg.connect(host=replica.address, user="postgres", dbname="factcheck") as conn:
            on_replica = conn.execute("SELECT count(*) FROM claims_claim").fetchone()
        say(
            f"db2: replication {state}, {behind} bytes behind db1; claims on db1 "
            f"{(on_primary or (0,))[0]:,}, on db2 {(on_replica or (0,))[0]:,}"
        )
        self.reads("with the replica up")
        if not self.web_connections().get("db2"):
            raise RuntimeError("the web hosts read nothing from the replica while it was up")
        replica.stop(signal.SIGINT, timeout=15)
        say("db2: replica stopped (fast shutdown); its namespace stays, nothing listens there")
        statuses = self.reads("with the replica stopped")
        if set(statuses) != {200}:
            raise RuntimeError(f"reads failed after the replica stopped: {dict(statuses)}")

    def reads(self, when: str, count: int = 40) -> Counter[int]:
        """`count` public reads through the proxy (lists, details, ClaimReview, the public
        page); print their statuses, who answered them and where the web hosts' database
        connections are."""
        ids = self.verdict_ids[:: max(1, len(self.verdict_ids) // count)] or [0]
        paths = [
            "/api/v1/verdicts/?page_size=50",
            "/api/v1/verdicts/{}/",
            "/api/v1/verdicts/{}/claimreview",
            "/verdicts/{}/",
        ]
        started, served = time.monotonic(), self.served()
        statuses: Counter[int] = Counter()
        for n in range(count):
            statuses[http_get(self.lb + paths[n % len(paths)].format(ids[n % len(ids)]))[0]] += 1
        answered = self.answered(since=served, requests=count)
        say(
            f"reads {when}: {count} GETs through lb, statuses {dict(statuses)}; web1 answered "
            f"{answered['web1']}, web2 {answered['web2']} ({time.monotonic() - started:.1f}s); "
            "web hosts' database connections: "
            + ", ".join(
                f"{name} {'down' if count is None else count}"
                for name, count in self.web_connections().items()
            )
        )
        return statuses

    # --- What the hosts say -------------------------------------------------------------------

    def served(self, since: dict[str, int] | None = None) -> dict[str, int]:
        """Requests each web host has logged (gunicorn's access log), minus `since`."""
        counts = {}
        for name in ("web1", "web2"):
            log = self.cluster.logs / f"{name}-access.log"
            lines = log.read_text().count("\n") if log.exists() else 0
            counts[name] = lines - (since or {}).get(name, 0)
        return counts

    def answered(self, *, since: dict[str, int], requests: int) -> dict[str, int]:
        """served(since=...) once the access logs hold all `requests` (gunicorn writes a
        request's line after its response)."""
        deadline = time.monotonic() + 10
        while sum((counts := self.served(since=since)).values()) < requests:
            if time.monotonic() > deadline:
                break  # reported as found: the caller's counts show the shortfall
            time.sleep(0.1)
        return counts

    def web_connections(self) -> dict[str, int | None]:
        """How many connections web1 and web2 hold to each database server (None: down)."""
        webs = [self.cluster.host(name).address for name in ("web1", "web2")]
        found: dict[str, int | None] = {}
        for name in ("db1", "db2"):
            try:
                with psycopg.connect(
                    host=self.cluster.host(name).address, user="postgres", connect_timeout=3
                ) as conn:
                    row = conn.execute(
                        "SELECT count(*) FROM pg_stat_activity"
                        " WHERE datname = 'factcheck' AND host(client_addr) = ANY(%s)",
                        [webs],
                    ).fetchone()
                found[name] = row[0] if row else 0
            except psycopg.OperationalError:
                found[name] = None
        return found

    def tasks_seen(self, host: str, task: str) -> dict[str, TaskSeen]:
        """The `task` tasks in the logs of `host`'s workers: when each was received, and
        whether it succeeded there."""
        seen: dict[str, TaskSeen] = {}
        for log in self.worker_logs:
            if not log.name.startswith(f"{host}-"):
                continue
            for line in log.read_text(errors="replace").splitlines():
                match = _TASK_LINE.match(line)
                if not match or match["task"] != task:
                    continue
                if match["what"] == "received":
                    at = datetime.strptime(match["at"], "%Y-%m-%d %H:%M:%S")
                    seen.setdefault(match["id"], TaskSeen(at))
                elif match["id"] in seen:
                    seen[match["id"]].succeeded = True
        return seen

    def task_host(self, task_id: str) -> str:
        """The worker host whose logs name `task_id`."""
        for log in self.worker_logs:
            if task_id and task_id in log.read_text(errors="replace"):
                return log.name.split("-")[0]
        return "a worker"
