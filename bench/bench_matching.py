"""Benchmark: claim matching and the importer (scoring + matching) against many existing claims.

    .venv/bin/python bench/bench_matching.py [--claims 1000000] [--queries 200] [--docs 20]
                                             [--keep] [--verdicts N] [--vectors]
                                             [--posts FILE] [--vclaims FILE]

In a scratch database (Django's test database; `--keep` keeps it, and its claims, for the next
run), adds `--claims` demo claims with `generate_demo_data`'s `demo_data_generate` (1% of them
published, or `--verdicts`), then:
1. times `claim_match` (the function behind GET /api/v1/claims/match) for `--queries` texts:
   lightly edited existing claims and unseen sentences, as staff (all claims) and as anonymous
   (published only), and prints median and p95 latency; demo claims have no embeddings (they
   rank by words), and with `--vectors` every claim gets a stand-in vector and it is timed again;
   the demo texts are short sentences drawn from a small vocabulary, so when
   ../shared/datasets/ holds CheckThat! 2020 (or `--posts`/`--vclaims` name the files), its
   10,375 verified claims are added as what they are (one ClaimReview feed, matched and embedded
   as a worker would, once per kept database) and its dev tweets (~30 words, what a user pastes
   in) are timed as queries against them and the demo claims;
2. imports `--docs` generated documents (bench_import.py's sentences, ~100 statements each, plus
   one exact and one lightly edited copy of existing claims) with `source_import_paths` (split,
   score, COPY), runs the matching tasks the import queued, then the embedding tasks
   (embedding, suggestions, refined scores), as one worker would, and prints statements/s.

With `--existing`, it uses the database DATABASE_URL names as it is, read-only: no scratch
database, nothing added, only step 1's timings (against the vectors the database holds; the
real posts when it holds the CheckThat! feed). For a database filled once at scale, e.g.
`manage.py generate_demo_data --claims 10000000 --verdicts 2000000 --vectors`.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
from factcheck.localenv import local_environment_prepare  # noqa: E402

os.environ.setdefault("SECRET_KEY", "bench-only")
# The tasks an import queues are run here, in this process, and timed (see below).
os.environ["CELERY_BROKER_URL"] = "memory://localhost/"  # a host: no kombu warning
CHECKTHAT = ROOT.parent / "shared" / "datasets" / "checkthat2020-claim-retrieval"


def read_posts(path: Path) -> list[str]:
    """The texts of a TSV with a header row and the text in the second column (CheckThat!)."""
    import csv

    with path.open(encoding="utf-8", newline="") as handle:
        return [row[1] for row in list(csv.reader(handle, delimiter="\t"))[1:] if len(row) > 1]


def edit(rng: random.Random, text: str) -> str:
    words = text.split()
    if len(words) > 4:
        words.pop(rng.randrange(len(words)))
        words.insert(rng.randrange(len(words)), rng.choice(["really", "reportedly", "new"]))
    return " ".join(words)


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))]


def time_matching(samples: list[str], label: str) -> None:
    from claims.matching.search import claim_match

    for published_only in (False, True):
        times = []
        for text in samples:
            t0 = time.perf_counter()
            claim_match(text=text, limit=5, published_only=published_only)
            times.append((time.perf_counter() - t0) * 1000)
        who = "anonymous (published only)" if published_only else "staff (all claims)"
        print(
            f"claim_match {who}, {label}: {len(times)} queries, median "
            f"{statistics.median(times):.1f} ms, p95 {percentile(times, 0.95):.1f} ms, "
            f"max {max(times):.1f} ms"
        )


def add_fact_checks(path: Path) -> None:
    """CheckThat!'s verified claims as one ClaimReview feed (as eval_matching.py loads them),
    then embedded and matched as a worker would; once per database (`--keep`)."""
    from checkthat2020 import FEED_ORIGIN, VCLAIM_URL, claimreview_feed, read_tsv
    from django.db import connection

    from claims import tasks
    from claims.models import Claim
    from sources.imports.claimreview import source_import_claimreview

    if Claim.objects.filter(source__origin__startswith=VCLAIM_URL).exists():
        return
    t0 = time.perf_counter()
    before = Claim.objects.order_by("-id").values_list("id", flat=True).first() or 0
    source_import_claimreview(
        raw=claimreview_feed(read_tsv(path)), origin=FEED_ORIGIN, trusted=True
    )
    ids = list(Claim.objects.filter(id__gt=before).order_by("id").values_list("id", flat=True))
    for start in range(0, len(ids), tasks.MATCH_BATCH):
        chunk = ids[start : start + tasks.MATCH_BATCH]
        tasks.claims_match_new_task(chunk)
        tasks.claims_embed_task(chunk, True)  # what the matching task queues
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_claim")
    print(
        f"added {len(ids):,} CheckThat! fact-checks, matched and embedded them: "
        f"{time.perf_counter() - t0:.0f}s"
    )


def samples_pick(count: int) -> list[str]:
    """`count` query texts: half lightly edited existing claims, half unseen sentences."""
    from bench_import import sentence

    from claims.models import Claim

    rng = random.Random(6)
    max_id = Claim.objects.order_by("-id").values_list("id", flat=True).first()
    assert max_id is not None, "no claims to match against"
    samples: list[str] = []
    while len(samples) < count // 2:
        text = Claim.objects.filter(id=rng.randrange(1, max_id + 1)).values_list("text", flat=True)
        samples.extend(edit(rng, t) for t in text)
    return samples + [sentence(rng) for _ in range(count - len(samples))]


def existing_time(args: argparse.Namespace) -> None:
    """Step 1 against the database as it is, writing nothing."""
    from checkthat2020 import VCLAIM_URL

    from claims.matching.search import claim_match
    from claims.models import Claim, ClaimEmbedding

    claims = Claim.objects.count()
    vectors = ClaimEmbedding.objects.count()
    print(f"database as it is: {claims:,} claims, {vectors:,} with a vector")
    samples = samples_pick(args.queries)
    claim_match(text=samples[0], limit=5, published_only=False)  # warm up
    time_matching(samples, "demo claims" + (", with vectors" if vectors else ""))
    feed = Claim.objects.filter(source__origin__startswith=VCLAIM_URL).exists()
    if feed and args.posts.is_file():
        posts = read_posts(args.posts)
        words = statistics.median(len(post.split()) for post in posts)
        time_matching(posts, f"real posts ({args.posts.name}, median {words:.0f} words)")
    else:
        print("real posts skipped: the database holds no CheckThat! feed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--docs", type=int, default=20)
    parser.add_argument(
        "--verdicts", type=int, help="published verdicts among the new claims (default: 1%%)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument(
        "--existing",
        action="store_true",
        help="time claim_match against the database DATABASE_URL names, read-only (no scratch "
        "database, no writes, no import)",
    )
    parser.add_argument(
        "--vectors",
        action="store_true",
        help="give every claim without an embedding a stand-in vector, then time claim_match "
        "again (embedding 1,000,000 demo claims for real takes hours on two cores; the query "
        "does the same work whatever the vectors hold)",
    )
    parser.add_argument(
        "--posts",
        type=Path,
        default=CHECKTHAT / "dev" / "tweets.queries.tsv",
        help="a TSV of real posts (header row, text in the second column) to time as queries "
        "too; skipped when absent (default: the CheckThat! 2020 dev tweets)",
    )
    parser.add_argument(
        "--vclaims",
        type=Path,
        default=CHECKTHAT / "verified_claims.docs.tsv",
        help="the fact-checks the posts are about (CheckThat! verified_claims.docs.tsv)",
    )
    args = parser.parse_args()

    import django

    local_environment_prepare()
    django.setup()
    from bench_import import sentence
    from django.db import connection

    from claims import tasks
    from claims.demo import demo_data_generate
    from claims.embeddings import texts_embed, vector_to_bytes
    from claims.matching.search import claim_match
    from claims.models import Claim
    from sources.imports.documents import source_import_paths

    if args.existing:
        existing_time(args)
        return
    # Its own scratch database, so that it never collides with the test suite's.
    connection.settings_dict["TEST"]["NAME"] = connection.settings_dict["NAME"] + "_bench_matching"
    test_db = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, keepdb=args.keep, serialize=False
    )
    print(f"scratch database: {test_db}")
    try:
        have = Claim.objects.count()
        if have < args.claims:
            t0 = time.perf_counter()
            verdicts = (args.claims - have) // 100 if args.verdicts is None else args.verdicts
            demo_data_generate(claims=args.claims - have, verdicts=verdicts)
            print(f"generated {args.claims - have:,} claims in {time.perf_counter() - t0:.0f}s")
        with connection.cursor() as cursor:
            cursor.execute(
                "VACUUM ANALYZE claims_claim"
            ) if not connection.in_atomic_block else None
        total = Claim.objects.count()
        print(f"claims: {total:,}")

        samples = samples_pick(args.queries)
        claim_match(text=samples[0], limit=5, published_only=False)  # warm up
        time_matching(samples, "demo claims as generated")
        if args.vectors:
            t0 = time.perf_counter()
            with connection.cursor() as cursor:
                # A checked claim also carries its published verdict's headline vector.
                cursor.execute(
                    "INSERT INTO claims_claimembedding (claim_id, vector, headline,"
                    " headline_vector)"
                    " SELECT c.id, %(vector)s, coalesce(v.headline, ''),"
                    " CASE WHEN v.headline <> '' THEN %(vector)s END"
                    " FROM claims_claim AS c LEFT JOIN claims_verdict AS v"
                    " ON v.claim_id = c.id AND v.status = 'published'"
                    " ON CONFLICT (claim_id) DO NOTHING",
                    {"vector": vector_to_bytes(texts_embed(["a stand-in vector"])[0])},
                )
                cursor.execute("VACUUM ANALYZE claims_claimembedding")
            took = time.perf_counter() - t0
            print(f"stand-in vectors for every claim and published headline: {took:.0f}s")
            time_matching(samples, "every candidate with a vector")
        if args.posts.is_file() and args.vclaims.is_file():
            add_fact_checks(args.vclaims)
            posts = read_posts(args.posts)
            words = statistics.median(len(post.split()) for post in posts)
            time_matching(posts, f"real posts ({args.posts.name}, median {words:.0f} words)")
        else:
            print(f"real posts skipped: {args.posts} or {args.vclaims} not found")

        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            doc_rng = random.Random()  # fresh statements on every run (the database is kept)
            copies = list(
                Claim.objects.order_by("?").values_list("text", flat=True)[: args.docs * 2]
            )
            for i in range(args.docs):
                lines = [
                    " ".join(sentence(doc_rng) for _ in range(4)) + f" Ref {doc_rng.random()}."
                    for _ in range(20)
                ]
                # One exact copy and one lightly edited copy of existing claims per document.
                lines += [copies[2 * i], edit(doc_rng, copies[2 * i + 1])]
                (folder / f"doc_{i:05d}.txt").write_text("\n".join(lines) + "\n")
            # One-time loads of a worker (language identifier, check-worthiness model) first.
            from claims.checkworthiness import claim_scores
            from sources.parsers.text import detect_language

            claim_scores(["warm up"]), detect_language("warm up the language identifier")
            texts_embed(["warm up"])
            # The tasks the import queues after its commits, collected and then run here in
            # turn, as one worker would run them.
            queued: dict[str, list[tuple[list[int], bool]]] = {"match": [], "embed": []}
            tasks.claims_match_new_task.delay = lambda ids: queued["match"].append((ids, False))
            tasks.claims_embed_later = lambda *, claim_ids, match=False: queued["embed"].append(
                (claim_ids, match)
            )
            t0 = time.perf_counter()
            run = source_import_paths(paths=[folder])
            imported = time.perf_counter() - t0
            for claim_ids, _ in queued["match"]:
                tasks.claims_match_new_task(claim_ids)
            matched = time.perf_counter() - t0 - imported
            for claim_ids, match in queued["embed"]:
                tasks.claims_embed_task(claim_ids, match)
            embedded = time.perf_counter() - t0 - imported - matched
        assert run.items_failed == 0, run.items[:3]
        n = run.claims_created
        print(
            f"import with scoring + matching: {n:,} statements in {run.sources_created} "
            f"documents: import {imported:.2f}s + matching task {matched:.2f}s, "
            f"{n / (imported + matched):,.0f} statements/s"
        )
        print(
            f"  then the embedding task (embedding, suggestions, refined scores): {embedded:.2f}s"
            f" ({n / embedded:,.0f} statements/s); all three:"
            f" {n / (imported + matched + embedded):,.0f} statements/s"
        )
        from claims.models import ClaimMatch

        new = ClaimMatch.objects.filter(claim__source__import_run=run)
        print(
            f"  matches written: {new.filter(kind='duplicate').count()} duplicates, "
            f"{new.filter(kind='suggested').count()} suggestions"
        )
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(test_db, verbosity=0)


if __name__ == "__main__":
    main()
