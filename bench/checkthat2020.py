"""CLEF-2020 CheckThat! Task 2 (verified claim retrieval): reading the data set and scoring a
ranking as its SOURCE.md defines the figures. eval_matching.py, eval_through_import.py and
bench_matching.py read it from ../shared/datasets/ (research use only: nothing of it is in the
repository)."""

import csv
import json
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "datasets" / "checkthat2020-claim-retrieval"
# Where each vclaim's review is said to be read (its source's origin): no real address.
VCLAIM_URL = "https://checkthat.invalid/vclaim/"
FEED_ORIGIN = "checkthat2020-verified-claims"

__all__ = [
    "DATA",
    "FEED_ORIGIN",
    "VCLAIM_URL",
    "claimreview_feed",
    "interval",
    "metrics",
    "read_qrels",
    "read_tsv",
]


def claimreview_feed(vclaims: Sequence[Sequence[str]]) -> bytes:
    """The verified claims as one schema.org DataFeed of ClaimReview items: claimReviewed is the
    vclaim, headline the Snopes article's title. The set has no ratings: "Unrated"."""
    items = [
        {
            "@type": "DataFeedItem",
            "item": [
                {
                    "@type": "ClaimReview",
                    "url": f"{VCLAIM_URL}{vclaim_id}",
                    "claimReviewed": text,
                    "headline": title,
                    "author": {"@type": "Organization", "name": "Snopes"},
                    "reviewRating": {"@type": "Rating", "alternateName": "Unrated"},
                }
            ],
        }
        for vclaim_id, text, title in vclaims
    ]
    feed = {"@context": "https://schema.org", "@type": "DataFeed", "dataFeedElement": items}
    return json.dumps(feed).encode("utf-8")


def read_tsv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t", quotechar='"'))
    return rows[1:]  # header row


def read_qrels(path: Path) -> dict[str, set[str]]:
    qrels: dict[str, set[str]] = {}
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) != 4:
                raise SystemExit(f"{path}:{number}: expected 4 columns (TREC qrels)")
            if parts[3] != "0":
                qrels.setdefault(parts[0], set()).add(parts[2])
    return qrels


def metrics(ranking: Sequence[str], relevant: set[str], k: int) -> tuple[float, float]:
    """(AP@k, RR@k) of one query; AP@k is divided by all relevant items (SOURCE.md)."""
    found, total, rr = 0, 0.0, 0.0
    for rank, item in enumerate(ranking[:k], 1):
        if item in relevant:
            found += 1
            total += found / rank
            rr = rr or 1.0 / rank
    return total / len(relevant), rr


def interval(values: Sequence[float], resamples: int = 5000) -> tuple[float, float]:
    """95% percentile bootstrap interval of the mean of `values` (queries drawn with
    replacement; a fixed seed, so the same run prints the same interval)."""
    import numpy as np

    data = np.asarray(values)
    draws = np.random.default_rng(0).integers(0, len(data), (resamples, len(data)))
    means = data[draws].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))
