"""A small factcheck cluster on this machine, out of network namespaces it makes itself; what it
does when a worker host is lost in the middle of an import, and when the replica stops.

Run as root from the repository: `make cluster` (.venv/bin/python ops/cluster.py). Each step
prints a line with the seconds since the start; everything the script made is removed at the
end, also when a step fails or on Ctrl-C. docs/operations.md ("A cluster on one machine") shows
a run and says what each part proves.

Hosts, one network namespace each on the bridge fcl-br0 (10.213.0.0/24, no route beyond it):

    db1    .2   PostgreSQL primary          db2    .3   streaming replica (pg_basebackup)
    redis  .4   broker and shared cache     lb     .10  round-robin TCP proxy (roundrobin.py)
    web1   .11  gunicorn factcheck.wsgi     web2   .12  gunicorn factcheck.wsgi
    work1  .21  Celery workers (make run's) work2  .22  Celery workers (make run's)
    beat   .30  Celery beat

The script itself is the operator's machine at .1: it migrates, queues the import, watches the
database and pulls verdicts through the proxy.
"""

import argparse
import csv
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path
from types import FrameType

from hosts import TEMP_PREFIX, Network, leftovers_remove, lock
from probe import START, say
from services import ROOT, Cluster


def table_write(path: Path, rows: int) -> None:
    """A CSV table of `rows` reviewed claims, distinct and shaped like a fact-checker's export
    (header row; id, claim, claimant, rating, publisher, date)."""
    rng = random.Random(20)
    subjects = "the mayor|the governor|the senator|the ministry|the council|the union".split("|")
    verbs = "cut|doubled|raised|halved|froze|tripled|spent|lost|created|closed".split("|")
    things = (
        "school funding|police budgets|hospital beds|bus fares|housing permits|water prices|"
        "teacher salaries|road repairs|youth programs|energy subsidies|park budgets|rent caps"
    ).split("|")
    ratings = "True|Mostly True|Half True|Mostly False|False|Pants on Fire!".split("|")
    with path.open("w", newline="") as out:
        table = csv.writer(out)
        table.writerow(["id", "claim", "claimant", "rating", "publisher", "date"])
        for n in range(1, rows + 1):
            claim = (
                f"{rng.choice(subjects).capitalize()} {rng.choice(verbs)} "
                f"{rng.choice(things)} by {rng.randint(2, 95)} percent in "
                f"{rng.choice(['the north', 'the city', 'rural areas', 'the capital'])} "
                f"between {rng.randint(1990, 2010)} and {rng.randint(2011, 2025)}, "
                f"affecting {n * 7 + rng.randint(0, 6):,} residents."
            )
            day = f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            table.writerow(
                [
                    f"c{n:06d}",
                    claim,
                    f"Speaker {n % 400}",
                    rng.choice(ratings),
                    "Cluster Check",
                    day,
                ]
            )


def _interrupted(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000, help="rows of the table imported")
    parser.add_argument("--task-rows", type=int, default=2_500, help="rows per import task")
    parser.add_argument(
        "--lose-host",
        action="store_true",
        help="cut the worker host's link before the kill: a machine that vanishes, whose "
        "connections are never closed, rather than processes that die",
    )
    parser.add_argument("--logs", type=Path, help="copy the hosts' logs here before teardown")
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("ops/cluster.py makes network namespaces: run it as root.")
    held = lock()
    signal.signal(signal.SIGTERM, _interrupted)
    signal.signal(signal.SIGHUP, _interrupted)
    temp_root = Path(tempfile.gettempdir())
    left = leftovers_remove(temp_root)
    if left:
        say(f"removed what an earlier run left: {', '.join(left)}")
    tmp = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=temp_root))
    tmp.chmod(0o755)  # PostgreSQL and Redis run as their own users below it
    (tmp / "logs").mkdir()
    (tmp / "var").mkdir()
    net = Network()
    cluster = Cluster(net, tmp, args.task_rows)
    os.environ.update(cluster.env)  # this process talks to the cluster too
    sys.path.insert(0, str(ROOT))
    ok = False
    try:
        cluster.network()
        cluster.postgres()
        cluster.redis()
        table = tmp / "var" / f"claims-{args.rows}.csv"
        started = time.monotonic()
        table_write(table, args.rows)
        say(
            f"generated {table.name}: {args.rows:,} rows, "
            f"{table.stat().st_size / 1e6:.1f} MB ({time.monotonic() - started:.1f}s)"
        )
        cluster.migrate()
        import django

        django.setup()
        from scenario import Scenario  # it imports Django's models

        worker_logs = cluster.services()
        scenario = Scenario(cluster, table, args.rows, worker_logs, lose_host=args.lose_host)
        scenario.run()
        ok = True
    except KeyboardInterrupt as exc:
        say(f"interrupted ({str(exc) or 'Ctrl-C'}): tearing down")
    except Exception:
        traceback.print_exc()
        _log_tails(tmp / "logs")
        say("FAILED: tearing down")
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not stop the teardown
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        started = time.monotonic()
        if args.logs:
            shutil.copytree(tmp / "logs", args.logs, dirs_exist_ok=True)
        done = net.teardown(gentle={"db1": signal.SIGINT, "db2": signal.SIGINT})
        subprocess.run(["rm", "-rf", str(tmp)], check=False)
        say(
            f"torn down: {', '.join(done)}, every process, {tmp} "
            f"({time.monotonic() - started:.1f}s)"
        )
        held.close()
    say(f"{'done' if ok else 'FAILED'} in {time.monotonic() - START:.0f}s")
    return 0 if ok else 1


def _log_tails(folder: Path, lines: int = 15) -> None:
    for log in sorted(folder.glob("*.log")):
        tail = log.read_text(errors="replace").splitlines()[-lines:]
        print(f"--- {log.name} (last {len(tail)} lines)", *tail, sep="\n", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
