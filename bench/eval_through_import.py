"""eval_matching.py --through-import: the split's tweets imported as claims awaiting review, matched
by the import-time tasks as a worker would, and scored by what each tweet claim's "Checked
before?" panel lists (claim_checked_before), best first. The other tweets a panel may list are
left out of its ranking: the qrels know only the fact-checks. With `--tune`, the tweets are
matched with no suggestion threshold and MAP@5 is scored at a grid of thresholds."""

import csv
import io
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from checkthat2020 import metrics

if TYPE_CHECKING:  # the functions import the app's modules once Django is set up
    from claims.models import Claim

__all__ = ["THRESHOLDS", "through_import", "tweets_table"]

# The suggestion thresholds --tune scores (on_import.SUGGEST_THRESHOLD is chosen among them).
THRESHOLDS = (0.0, 0.3, 0.35, 0.4, 0.42, 0.44, 0.46, 0.48, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8)

# One panel: the tweet's id and the fact-checks it lists, best first, with their scores.
Panel = tuple[str, list[tuple[float, str]]]


def tweets_table(queries: Sequence[Sequence[str]]) -> bytes:
    """The tweets as a CSV table of claims, one row each (id, claim): no rating, no verdict."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "claim"])
    writer.writerows([tweet_id, text] for tweet_id, text in queries)
    return out.getvalue().encode("utf-8")


def through_import(
    queries: list[list[str]],
    qrels: dict[str, set[str]],
    vclaim_of: dict[int, str],
    tune: bool,
) -> str:
    """Import the tweets, run their matching tasks, read their panels; print the threshold grid
    with `tune`; return the figures at the threshold the matching ran with."""
    from claims import tasks
    from claims.matching import on_import
    from claims.models import Claim
    from sources.imports.tables import source_import_table

    kept = on_import.SUGGEST_THRESHOLD
    if tune:
        on_import.SUGGEST_THRESHOLD = 0.0
    try:
        t0 = time.perf_counter()
        # The statistics stay those of the fact-checks: a few hundred rows added to ten
        # thousand are below what makes autovacuum analyze a table (50 + 10%).
        run = source_import_table(raw=tweets_table(queries), name="tweets.csv", trusted=False)
        if run.items_failed:
            raise SystemExit(f"{run.items_failed} tweets failed to import")
        claims = list(Claim.objects.filter(source__import_run=run).order_by("pk"))
        imported = time.perf_counter() - t0
        print(f"through import: {len(claims)} tweets imported in {imported:.1f}s", flush=True)
        ids = [c.pk for c in claims]
        t0 = time.perf_counter()
        for start in range(0, len(ids), tasks.MATCH_BATCH):
            tasks.claims_match_new_task(ids[start : start + tasks.MATCH_BATCH])
        matched = time.perf_counter() - t0
    finally:
        on_import.SUGGEST_THRESHOLD = kept
    print(f"through import: matched, embedded, suggested in {matched:.1f}s", flush=True)
    t0 = time.perf_counter()
    panels, listed = _panels(claims, queries, vclaim_of)
    print(f"through import: {len(panels)} panels read in {time.perf_counter() - t0:.1f}s")
    if tune:
        print("suggestion threshold: MAP@5, MAP@1; fact-checks listed per tweet, relevant share")
        for threshold in THRESHOLDS:
            n, map5, map1, _, shown, right = _scored(panels, qrels, threshold)
            print(
                f"  {threshold:.2f}: MAP@5 {map5:.4f}  MAP@1 {map1:.4f};"
                f"  {shown / n:.2f} listed, {right / max(shown, 1):.3f} relevant"
            )
    n, map5, map1, mrr5, _, _ = _scored(panels, qrels, 0.0)
    floor = "no threshold (--tune)" if tune else f"threshold {kept}"
    return (
        f"through import ({len(claims)} tweets imported in {imported:.1f}s, matched in"
        f" {matched:.1f}s; {floor}; {listed / len(claims):.2f} matches listed per panel):"
        f" queries scored: {n}  MAP@5 {map5:.4f}  MAP@1 {map1:.4f}  MRR@5 {mrr5:.4f}"
    )


def _panels(
    claims: Sequence["Claim"], queries: Sequence[Sequence[str]], vclaim_of: dict[int, str]
) -> tuple[list[Panel], int]:
    """Each tweet claim's panel as fact-checks (vclaims), best first; and how many matches the
    panels list in all (tweets included)."""
    from claims.matching.checked_before import claim_checked_before
    from claims.matching.text import text_normalise
    from claims.models import Claim

    # A claim's text is its tweet's as the table importer stores it (cleaned of what a database
    # cannot hold, its spacing tidied): matched on the words.
    tweet_of: dict[str, list[str]] = {}
    for tweet_id, text in queries:
        tweet_of.setdefault(text_normalise(text), []).append(tweet_id)
    source_of = dict(Claim.objects.values_list("pk", "source_id"))
    panels: list[Panel] = []
    listed = 0
    for claim in claims:
        tweet_id = tweet_of[text_normalise(claim.text)].pop(0)
        shown = claim_checked_before(claim=claim)
        matches = shown.checked + shown.suggested + shown.unchecked
        listed += len(matches)
        panel: list[tuple[float, str]] = []
        for match in matches:
            vclaim = vclaim_of.get(source_of[match.other.pk])
            if vclaim is not None and vclaim not in [v for _, v in panel]:
                panel.append((match.score, vclaim))
        panels.append((tweet_id, panel))
    return panels, listed


def _scored(
    panels: Sequence[Panel], qrels: dict[str, set[str]], threshold: float
) -> tuple[int, float, float, float, int, int]:
    """(queries, MAP@5, MAP@1, MRR@5, fact-checks listed, relevant ones among them) of the
    panels' first five fact-checks scoring `threshold` or more."""
    ap5, ap1, rr5, shown, right = [], [], [], 0, 0
    for tweet_id, panel in panels:
        if tweet_id not in qrels:
            continue
        ranking = [vclaim for score, vclaim in panel if score >= threshold][:5]
        shown += len(ranking)
        right += len(set(ranking) & qrels[tweet_id])
        a5, r5 = metrics(ranking, qrels[tweet_id], 5)
        ap5.append(a5)
        rr5.append(r5)
        ap1.append(metrics(ranking, qrels[tweet_id], 1)[0])
    n = len(ap5)
    return n, sum(ap5) / n, sum(ap1) / n, sum(rr5) / n, shown, right
