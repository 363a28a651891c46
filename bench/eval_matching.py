"""Evaluate "checked before?" matching on CLEF-2020 CheckThat! Task 2 (verified claim retrieval).

    .venv/bin/python bench/eval_matching.py [--split dev|train] [--tune] [--through-import]
        [--load claimreview|document] [--vclaims FILE --queries FILE --qrels FILE]
        [--run-out FILE]

Loads every verified claim through a real import path into a fresh scratch database (Django's
test database, created and dropped here). By default (`--load claimreview`) as what each one is,
a Snopes fact-check: one ClaimReview DataFeed (claimReviewed = the vclaim, headline = the
article's title) through `source_import_claimreview`, as another fact-checker's reviews are
imported, so each claim is published with an imported verdict whose headline is the title;
`--load document` imports each vclaim as a one-statement document titled with it
(`source_import_bytes`). The table is then analyzed, as autovacuum does after so many new rows.
Then what workers do after an import, in order: the matching task's exact duplicates (same
statements become duplicates of the earliest) and the embedding task's vectors (the claims' and
their published verdicts' headlines'); the suggestions among the fact-checks are left out, as
nothing here reads them. It matches every query (tweet) with
`claims.matching.search.claim_match` (the function behind GET /api/v1/claims/match), and prints
MAP@5, MAP@1 and MRR@5 as the set's SOURCE.md defines them (AP@k divided by all relevant
vclaims of the query), with a 95% bootstrap interval of MAP@5 over the queries (dev's 197 give
one about 9 points wide). `--run-out` writes a TREC run file
(`tweet_id Q0 vclaim_id rank score run`). `--through-import` then imports the split's tweets as
claims and scores their "Checked before?" panels (eval_through_import.py). Each step prints
what it did and how long it took. Defaults: the dev split in
../shared/datasets/checkthat2020-claim-retrieval/; skips cleanly, exit 0, when it is absent.
"""

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
from checkthat2020 import (  # noqa: E402
    DATA,
    FEED_ORIGIN,
    VCLAIM_URL,
    claimreview_feed,
    interval,
    metrics,
    read_qrels,
    read_tsv,
)

from factcheck.localenv import local_environment_prepare  # noqa: E402

os.environ.setdefault("SECRET_KEY", "bench-only")
# Import-time tasks are queued in memory and dropped: this script runs their matching and
# embedding itself, in order, as a worker would.
os.environ["CELERY_BROKER_URL"] = "memory://localhost/"  # a host: no kombu warning
DEPTH = 20  # claims asked from claim_match per query (a vclaim may be split into several)
FIRST_STAGE_DEPTH = 200  # first-stage rows kept per query for the recall figures and --tune
PROGRESS_EVERY = 100  # queries between progress lines

if TYPE_CHECKING:  # the functions import the app's modules once Django is set up
    import numpy as np

    from claims.matching.candidates import Candidate

    # Each query's first-stage rows and its embedding (_candidates).
    Fetched = list[tuple[list[Candidate], np.ndarray]]


def analyze() -> None:
    """ANALYZE, as autovacuum does after a table gains many rows, and make this process read the
    new lexeme statistics (candidates.term_stats trusts its copy for minutes): without them the
    first stage weighs every word alike and ORs them all, which is slow and ranks worse."""
    from django.db import connection

    from claims.matching.candidates import term_stats

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    term_stats.forget()


def evaluate(
    queries: list[list[str]],
    qrels: dict[str, set[str]],
    vclaim_of: dict[int, str],
    source_of: dict[int, int],
) -> tuple[str, list[float], list[str]]:
    """Match every query through claim_match; (figures, latencies, TREC run rows)."""
    from claims.matching.search import claim_match

    ap5, ap1, rr5, durations, run_rows = [], [], [], [], []
    started = time.perf_counter()
    for done, (tweet_id, tweet) in enumerate(queries, 1):
        t0 = time.perf_counter()
        results = claim_match(text=tweet, limit=DEPTH, published_only=False)
        durations.append(time.perf_counter() - t0)
        if done % PROGRESS_EVERY == 0:
            took = time.perf_counter() - started
            print(f"claim_match: {done}/{len(queries)} queries ({took:.0f}s)", flush=True)
        ranking: list[str] = []
        for result in results:  # best first; a vclaim split into claims counts once
            vclaim = vclaim_of[source_of[result.claim_id]]
            if vclaim not in ranking:
                ranking.append(vclaim)
                run_rows.append(
                    f"{tweet_id}\tQ0\t{vclaim}\t{len(ranking)}\t{result.score}\tfactcheck"
                )
        if tweet_id not in qrels:
            continue
        a5, r5 = metrics(ranking, qrels[tweet_id], 5)
        ap5.append(a5)
        rr5.append(r5)
        ap1.append(metrics(ranking, qrels[tweet_id], 1)[0])
    n = len(ap5)
    low, high = interval(ap5)
    figures = (
        f"queries scored: {n}  MAP@5 {sum(ap5) / n:.4f}  MAP@1 {sum(ap1) / n:.4f}"
        f"  MRR@5 {sum(rr5) / n:.4f}\n"
        f"MAP@5 95% bootstrap interval (the {n} queries resampled): {low:.4f}-{high:.4f}"
    )
    return figures, durations, run_rows


def _candidates(queries: list[list[str]], depth: int) -> "Fetched":
    """Each query's first-stage rows (`depth` of them) and its embedding."""
    from claims.embeddings import texts_embed
    from claims.matching import candidates
    from claims.matching.text import match_clean

    kept = candidates.CANDIDATES
    candidates.CANDIDATES = depth
    rows, started = [], time.perf_counter()
    try:
        for done, (_, text) in enumerate(queries, 1):
            rows.append(candidates.match_candidates(text=text, published_only=False))
            if done % PROGRESS_EVERY == 0:
                took = time.perf_counter() - started
                print(f"first stage: {done}/{len(queries)} queries ({took:.0f}s)", flush=True)
    finally:
        candidates.CANDIDATES = kept
    vectors = texts_embed([match_clean(text) for _, text in queries])
    return list(zip(rows, vectors, strict=True))


def first_stage_recall(
    queries: list[list[str]],
    qrels: dict[str, set[str]],
    vclaim_of: dict[int, str],
    source_of: dict[int, int],
    fetched: "Fetched",
) -> str:
    """Share of relevant vclaims among claim_match's first-stage (PostgreSQL) candidates
    (`fetched`: _candidates at FIRST_STAGE_DEPTH)."""
    depths = (20, 50, 100, FIRST_STAGE_DEPTH)
    found = dict.fromkeys(depths, 0.0)
    n, ap5 = 0, 0.0
    for (tweet_id, _), (rows, _) in zip(queries, fetched, strict=True):
        if tweet_id not in qrels:
            continue
        n += 1
        for depth in depths:
            got = {vclaim_of[source_of[row.claim_id]] for row in rows[:depth]}
            found[depth] += len(got & qrels[tweet_id]) / len(qrels[tweet_id])
        ranking = list(dict.fromkeys(vclaim_of[source_of[row.claim_id]] for row in rows))
        ap5 += metrics(ranking, qrels[tweet_id], 5)[0]
    return f"first stage alone (BM25 order): MAP@5 {ap5 / n:.4f}; recall " + "  ".join(
        f"@{d} {found[d] / n:.4f}" for d in depths
    )


def tune(
    queries: list[list[str]],
    qrels: dict[str, set[str]],
    vclaim_of: dict[int, str],
    source_of: dict[int, int],
    fetched: "Fetched",
) -> None:
    """MAP@5 over a grid of CANDIDATES x LEXICAL_WEIGHT (the first stage runs once per query,
    `fetched`: its rows are ordered by lexical score, so a prefix is what a smaller CANDIDATES
    fetches)."""
    from claims.matching import rerank

    kept = rerank.LEXICAL_WEIGHT
    try:
        for depth in (50, 100, 150, 200):
            for weight in (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 1.0):
                rerank.LEXICAL_WEIGHT = weight
                ap5 = []
                for (tweet_id, text), (rows, vector) in zip(queries, fetched, strict=True):
                    if tweet_id not in qrels:
                        continue
                    ranked = rerank.match_rerank(rows=rows[:depth], text=text, query_vector=vector)
                    ranking: list[str] = []
                    for r in ranked:
                        if vclaim_of[source_of[r.claim_id]] not in ranking:
                            ranking.append(vclaim_of[source_of[r.claim_id]])
                    ap5.append(metrics(ranking, qrels[tweet_id], 5)[0])
                print(
                    f"candidates {depth} lexical weight {weight}: MAP@5 {sum(ap5) / len(ap5):.4f}"
                )
    finally:
        rerank.LEXICAL_WEIGHT = kept


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vclaims", type=Path, default=DATA / "verified_claims.docs.tsv")
    parser.add_argument(
        "--split", choices=["dev", "train"], default="dev", help="default queries and qrels"
    )
    parser.add_argument("--queries", type=Path)
    parser.add_argument("--qrels", type=Path)
    parser.add_argument("--run-out", type=Path, help="write a TREC run file")
    parser.add_argument(
        "--load",
        choices=["claimreview", "document"],
        default="claimreview",
        help="import each vclaim as a ClaimReview (claimReviewed = vclaim, headline = title;"
        " default) or as a one-statement document titled with the title",
    )
    parser.add_argument(
        "--tune",
        action="store_true",
        help="also score a grid of CANDIDATES x LEXICAL_WEIGHT (use with --split train), and"
        " with --through-import, of suggestion thresholds",
    )
    parser.add_argument(
        "--through-import",
        action="store_true",
        help='also import the tweets as claims and score their "Checked before?" panels',
    )
    args = parser.parse_args(argv)
    args.queries = args.queries or DATA / args.split / "tweets.queries.tsv"
    args.qrels = args.qrels or DATA / args.split / "tweet-vclaim-pairs.qrels"
    missing = [p for p in (args.vclaims, args.queries, args.qrels) if not p.is_file()]
    if missing:
        print(f"skipped: not found: {', '.join(map(str, missing))}")
        return 0

    import django

    local_environment_prepare()
    django.setup()
    from django.db import connection

    from claims import tasks

    # The embedding task the matching task queues runs here, at once, as a worker would take it.
    def embed_now(*, claim_ids: list[int], match: bool = False) -> None:
        tasks.claims_embed_task(claim_ids, match)

    tasks.claims_embed_later = embed_now
    vclaims = read_tsv(args.vclaims)
    queries = read_tsv(args.queries)
    qrels = read_qrels(args.qrels)
    # Its own scratch database, so that it never collides with the test suite's.
    connection.settings_dict["TEST"]["NAME"] = connection.settings_dict["NAME"] + "_eval_matching"
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    print(f"scratch database: {test_db}", flush=True)
    try:
        vclaim_of, source_of = load(vclaims, args.load)
        t0 = time.perf_counter()
        # Each query's first stage once, for the grid and for the recall figures.
        fetched = _candidates(queries, FIRST_STAGE_DEPTH)
        print(f"first stage of {len(queries)} queries: {time.perf_counter() - t0:.1f}s", flush=True)
        if args.tune:
            tune(queries, qrels, vclaim_of, source_of, fetched)
        figures, durations, run_rows = evaluate(queries, qrels, vclaim_of, source_of)
        recall = first_stage_recall(queries, qrels, vclaim_of, source_of, fetched)
        # Printed before the import of the tweets, so that those figures stand on their own.
        print(figures)
        print(recall, flush=True)
        panels = ""
        if args.through_import:
            from eval_through_import import through_import

            panels = through_import(queries, qrels, vclaim_of, args.tune)
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)
    if args.run_out:
        args.run_out.write_text("\n".join(run_rows) + "\n", encoding="utf-8")
    durations.sort()
    if panels:
        print(panels)
    print(
        f"claim_match latency over {len(vclaims):,} claims: median "
        f"{durations[len(durations) // 2] * 1000:.1f} ms, p95 "
        f"{durations[int(len(durations) * 0.95)] * 1000:.1f} ms"
    )
    return 0


def load(vclaims: list[list[str]], how: str) -> tuple[dict[int, str], dict[int, int]]:
    """Import the vclaims (`how`: claimreview or document), analyze, and run what workers do
    after the import; return each source's vclaim id and each claim's source."""
    from claims import tasks
    from claims.embeddings import claims_embed, claims_embed_missing
    from claims.matching.on_import import claims_match_new
    from claims.models import Claim
    from sources.imports.claimreview import source_import_claimreview
    from sources.imports.documents import source_import_bytes
    from sources.models import Source

    t0 = time.perf_counter()
    if how == "claimreview":
        # What they are: Snopes fact-checks, each a ClaimReview of the vclaim under the
        # article's title, imported as another fact-checker's reviews are.
        run = source_import_claimreview(
            raw=claimreview_feed(vclaims), origin=FEED_ORIGIN, trusted=True
        )
        if run.items_failed:
            raise SystemExit(f"{run.items_failed} verified claims failed to import")
    else:
        for vclaim_id, text, title in vclaims:
            source_import_bytes(
                raw=text.encode("utf-8"), origin=f"{VCLAIM_URL}{vclaim_id}", title=title
            )
    analyze()
    print(
        f"imported {len(vclaims):,} verified claims ({how}) in {time.perf_counter() - t0:.1f}s",
        flush=True,
    )
    vclaim_of = {
        pk: origin.removeprefix(VCLAIM_URL)
        for pk, origin in Source.objects.values_list("pk", "origin")
    }
    source_of = dict(Claim.objects.values_list("pk", "source_id"))

    # What workers do after the import commits, but for the suggestions among the fact-checks,
    # which nothing here reads (a tweet's panel lists its own matches): the matching task's
    # exact duplicates get `duplicate_of` their earliest twin, which claim_match folds into it;
    # the embedding task stores the claims' and their headlines' vectors.
    t0 = time.perf_counter()
    claim_ids = sorted(source_of)
    for start in range(0, len(claim_ids), tasks.MATCH_BATCH):
        chunk = claim_ids[start : start + tasks.MATCH_BATCH]
        claims_match_new(claim_ids=chunk, similar=False)
        claims_embed(claim_ids=chunk)
        took = time.perf_counter() - t0
        print(
            f"matched and embedded {start + len(chunk):,}/{len(claim_ids):,} ({took:.0f}s)",
            flush=True,
        )
    duplicates = Claim.objects.filter(duplicate_of__isnull=False).count()
    unembedded = claims_embed_missing()  # none: the task embedded every one
    if unembedded:
        raise SystemExit(f"{unembedded} claims were left without a vector")
    analyze()
    print(f"{duplicates:,} marked duplicates", flush=True)
    return vclaim_of, source_of


if __name__ == "__main__":
    raise SystemExit(main())
