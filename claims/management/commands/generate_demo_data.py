import json
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from claims.demo import demo_data_generate


class Command(BaseCommand):
    help = "Add synthetic sources, claims and published verdicts in bulk (benchmarks and demos)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--claims", type=int, required=True, help="How many claims to add.")
        parser.add_argument(
            "--verdicts", type=int, default=0, help="How many of them get a published verdict."
        )
        parser.add_argument("--seed", type=int, default=0, help="Random seed (repeatable data).")
        parser.add_argument(
            "--vectors",
            action="store_true",
            help="Give each new claim a stand-in embedding (matching benchmarks at scale).",
        )
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print one JSON summary object."
        )

    def handle(
        self,
        *args: Any,
        claims: int,
        verdicts: int,
        seed: int,
        vectors: bool,
        as_json: bool,
        **options: Any,
    ) -> None:
        if claims < 0:
            raise CommandError("--claims must be 0 or more")
        if not 0 <= verdicts <= claims:
            raise CommandError("--verdicts must be between 0 and --claims")
        started = time.monotonic()

        def progress(stage: str, done: int, total: int) -> None:
            if not as_json:
                elapsed = time.monotonic() - started
                print(f"{stage}: {done:,}/{total:,} ({elapsed:.0f} s)", file=sys.stderr)

        counts: dict[str, float] = {
            **demo_data_generate(
                claims=claims, verdicts=verdicts, seed=seed, vectors=vectors, progress=progress
            ),
            "seconds": round(time.monotonic() - started, 1),
        }
        if as_json:
            self.stdout.write(json.dumps(counts))
        else:
            self.stdout.write(
                f"Added {counts['sources']:,} sources, {counts['claims']:,} claims and "
                f"{counts['verdicts']:,} published verdicts in {counts['seconds']} s."
            )
