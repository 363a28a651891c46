"""What the benchmarks that need a large database share: filling it up to a number of claims."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def demo_top_up(claims: int, *, verdicts_per_claim: float) -> None:
    """Add demo claims (generate_demo_data, in a process of its own) until the database holds
    `claims`, with published verdicts for that share of the added ones; then ANALYZE the tables
    the benchmarks read."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM claims_claim")  # once, outside the measurement
        existing = cursor.fetchone()[0]
    if existing < claims:
        missing = claims - existing
        print(f"Adding {missing:,} claims with generate_demo_data…", file=sys.stderr)
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "generate_demo_data",
                "--claims",
                str(missing),
                "--verdicts",
                str(int(missing * verdicts_per_claim)),
                "--seed",
                str(existing),
            ],
            check=True,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_claim; ANALYZE sources_source; ANALYZE claims_verdict")
