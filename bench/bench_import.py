"""Benchmark: the seed importer end to end on a large generated corpus, against a COPY floor.

    .venv/bin/python bench/bench_import.py [--docs 1000] [--mb 50] [--liar]

Generates `--docs` documents totalling `--mb` MB of English prose (with abbreviations, numbers,
quotes, headings and bullet lists, like real articles) in a temporary folder, imports them with
`source_import_paths` (read, decode, detect language, split, bulk insert) into a scratch
database (Django's test database, created and dropped here), then, in the same run, times a
`COPY` of the very same claim rows into the same table: the floor for writing those rows.
`--liar` instead writes the LIAR statements (../shared/datasets/liar/train.tsv) out as one
document per speaker; it is skipped when the data set is absent.
"""

import argparse
import csv
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
from factcheck.localenv import local_environment_prepare  # noqa: E402

os.environ.setdefault("SECRET_KEY", "bench-only")
LIAR = ROOT.parent / "shared" / "datasets" / "liar" / "train.tsv"

SUBJECTS = [
    "The U.S. economy",
    "Dr. Smith's clinic",
    "The U.N. Security Council",
    "Unemployment",
    "The governor's budget",
    "Mr. Jones",
    "The city council",
    "Inflation",
    "The No. 10 policy unit",
    "Gov. Brown",
]
VERBS = ["grew by", "fell by", "rose to", "dropped to", "reached", "cost", "saved", "exceeded"]
AMOUNTS = ["3.67%", "8,000 jobs", "$1.2 billion", "12 percent", "300 kg", "2.5 million people"]
TAILS = [
    "last year",
    "since 2015",
    "according to the report",
    "in the first quarter",
    "as officials said",
    "despite “unlawful” sanctions",
]


def sentence(rng: random.Random) -> str:
    s = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(AMOUNTS)} {rng.choice(TAILS)}."
    roll = rng.random()
    if roll < 0.05:
        return s[:-1] + "?"
    if roll < 0.10:
        return f"“{s}” he said."
    return s


def document(rng: random.Random, size: int) -> str:
    parts: list[str] = [f"# Report {rng.randrange(10**6)}", ""]
    length = 0
    while length < size:
        if rng.random() < 0.1:
            items = [f"- {sentence(rng)}" for _ in range(rng.randint(2, 5))]
            para = "\n".join(items)
        else:
            para = " ".join(sentence(rng) for _ in range(rng.randint(3, 8)))
        parts += [para, ""]
        length += len(para) + 1
    return "\n".join(parts)


def write_generated(folder: Path, docs: int, megabytes: float) -> int:
    rng = random.Random(20261128)
    per_doc = int(megabytes * 1024 * 1024 / docs)
    total = 0
    for i in range(docs):
        raw = document(rng, per_doc).encode("utf-8")
        (folder / f"doc_{i:05d}.txt").write_bytes(raw)
        total += len(raw)
    return total


def write_liar(folder: Path) -> int:
    by_speaker: dict[str, list[str]] = {}
    with LIAR.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            if len(row) >= 5:
                by_speaker.setdefault(row[4] or "unknown", []).append(row[2].strip())
    total = 0
    for i, (_speaker, statements) in enumerate(sorted(by_speaker.items())):
        raw = "\n".join(statements).encode("utf-8")
        (folder / f"liar_{i:05d}.txt").write_bytes(raw)
        total += len(raw)
    return total


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of process `pid` so far, 0 if it is gone (the database server
    runs on this machine)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--mb", type=float, default=50.0)
    parser.add_argument("--liar", action="store_true", help="use LIAR statements as documents")
    args = parser.parse_args()
    if args.liar and not LIAR.exists():
        print(f"skipped: {LIAR} is absent")
        return

    import django

    local_environment_prepare()
    django.setup()
    from django.db import connection

    from claims.models import Claim
    from sources.imports.documents import source_import_paths

    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    print(f"scratch database: {test_db}")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            t0 = time.perf_counter()
            if args.liar:
                nbytes = write_liar(folder)
            else:
                nbytes = write_generated(folder, args.docs, args.mb)
            nfiles = len(list(folder.iterdir()))
            took = time.perf_counter() - t0
            print(f"corpus: {nfiles} files, {nbytes / 1e6:.1f} MB ({took:.1f}s)")

            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                (backend,) = cursor.fetchone()
            load = os.getloadavg()[0]
            python0, backend0 = process_cpu(os.getpid()), process_cpu(backend)
            t0 = time.perf_counter()
            run = source_import_paths(paths=[folder])
            elapsed = time.perf_counter() - t0
            python, backend = process_cpu(os.getpid()) - python0, process_cpu(backend) - backend0
        assert run.items_failed == 0, run.items[:3]
        statements = run.claims_created
        print(
            f"import: {elapsed:.2f}s  {nbytes / 1e6 / elapsed:.2f} MB/s  "
            f"{statements / elapsed:,.0f} statements/s  ({statements:,} statements)"
        )
        print(
            f"  CPU: this process {python:.2f}s, its PostgreSQL backend {backend:.2f}s "
            f"({(python + backend) / elapsed:.2f} of {os.cpu_count()} cores); load average "
            f"{load:.1f} -> {os.getloadavg()[0]:.1f}"
        )

        # The floor: COPY the same rows into the same table (its columns wrapped as a row, like
        # claims/demo.py's COPY columns, rather than one name a line).
        columns = [
            "source_id", "text", "start", "end", "position", "language", "status",
            "fingerprint", "created_at", "updated_at", "match_head", "match_tail",
        ]  # fmt: skip
        rows = list(Claim.objects.values_list(*columns))
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE claims_claim CASCADE")
        quoted = ", ".join(f'"{c}"' for c in columns)
        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            with cursor.connection.cursor().copy(
                f"COPY claims_claim ({quoted}) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row(row)
        copy_elapsed = time.perf_counter() - t0
        print(
            f"COPY of the same {len(rows):,} rows: {copy_elapsed:.2f}s "
            f"({len(rows) / copy_elapsed:,.0f} rows/s); import/COPY = {elapsed / copy_elapsed:.1f}x"
        )
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)


if __name__ == "__main__":
    main()
