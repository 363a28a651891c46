"""Evaluate check-worthiness, before and after: across ClaimBuster debates and on CheckThat! 2019.

    var/train-venv/bin/python bench/eval_checkworthiness.py [--debates FILE ...]
        [--scores-out FILE] [--no-speed]

(the training venv of bench/train_checkworthiness.py: the cross-debate figures retrain models,
which needs scikit-learn). It prints, for the first shipped model ("before": words only,
uncalibrated, rebuilt with its own recipe) and for the shipped one ("after": words alone, as
scored at import, and words with the sentence vector, as refined once the vector exists):

1. Across ClaimBuster debates: each of 5 folds of whole debates scored by models trained on the
   other folds; the mean over the 33 debates of each debate's average precision. Then the
   reliability of the calibrated scores on held-out debates (predicted and observed rate of
   check-worthy sentences per decile) and the precision of the levels.
2. CLEF-2019 CheckThat! Task 1, the 19 training debates (or `--debates`): MAP, RR, R-Precision
   and P@k as that task defines them, scoring with `claims.checkworthiness.claim_scores`, the
   importer's own function. Nothing is ever trained on these debates (research use only).
3. Speed: `claim_scores` over every ClaimBuster sentence in this one process (one core).

Data sets are read from ../shared/datasets/; a part whose data is absent is skipped.
"""

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from train_checkworthiness import Corpus

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
DEBATES = ROOT.parent / "shared" / "datasets" / "checkthat2019-checkworthiness" / "training"
KS = (1, 3, 5, 10, 20, 50)
# The first shipped model's recipe: words, "<num>" and bigrams, no vector, no calibration.
BEFORE_C = 3.0
BEFORE_MIN_DF = 3


def read_debate(path: Path) -> list[tuple[int, str, int]]:
    """(line_number, text, label) per line; a malformed line stops with its file and line."""
    rows = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            parts = line.split("\t")
            if len(parts) != 4 or parts[3] not in ("0", "1"):
                raise SystemExit(f"{path}:{number}: expected 4 tab-separated columns, label 0/1")
            rows.append((int(parts[0]), parts[2], int(parts[3])))
    return rows


def debate_metrics(labels: Sequence[int], scores: Sequence[float]) -> dict[str, float]:
    """AP, RR, R-Precision and P@k of one debate (ranking: score descending, stable)."""
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    ranked = [labels[i] for i in order]
    positives = sum(labels)
    found = 0
    total = 0.0
    rr = 0.0
    for rank, label in enumerate(ranked, 1):
        if label:
            found += 1
            total += found / rank
            if rr == 0.0:
                rr = 1.0 / rank
    out = {"AP": total / positives if positives else 0.0, "RR": rr}
    out["R-P"] = sum(ranked[:positives]) / positives if positives else 0.0
    for k in KS:
        out[f"P@{k}"] = sum(ranked[:k]) / k
    return out


def mean_metrics(per_debate: Sequence[dict[str, float]]) -> dict[str, float]:
    keys = per_debate[0].keys()
    return {k: sum(m[k] for m in per_debate) / len(per_debate) for k in keys}


def evaluate(
    debates: dict[Path, list[tuple[int, str, int]]],
    score_fn: Callable[[Sequence[str]], Sequence[float]],
) -> dict[str, float]:
    """Mean metrics over `debates` with `score_fn(texts) -> scores`."""
    per = []
    for rows in debates.values():
        per.append(debate_metrics([r[2] for r in rows], score_fn([r[1] for r in rows])))
    return mean_metrics(per)


def print_metrics(name: str, mean: dict[str, float]) -> None:
    shown = ("AP", "RR", "R-P", "P@5", "P@10")
    print(f"  {name:44}" + "  ".join(f"{'MAP' if k == 'AP' else k} {mean[k]:.4f}" for k in shown))


def cross_debate(corpus: "Corpus") -> None:
    """Part 1: held-out ClaimBuster debates, before and after; reliability; levels."""
    import train_checkworthiness as train

    from claims.checkworthiness import HIGH_FROM, MEDIUM_FROM, score_level

    vectors = train.sentence_vectors(corpus.texts, name="claimbuster")
    params = train.DEFAULTS
    before = train.out_of_fold_words(corpus, C=BEFORE_C, min_df=BEFORE_MIN_DF, markers=False)
    words = train.out_of_fold_words(corpus, C=params.C, min_df=params.min_df)
    vector = train.out_of_fold_vector(corpus, vectors, C=params.vector_C)
    words_calibrated = train.held_out_calibrated(words[:, None], corpus)
    both = train.held_out_calibrated(np.column_stack([words, vector]), corpus)
    print(
        f"ClaimBuster, 5 folds of whole debates ({len(set(corpus.debates))} debates, "
        f"{len(corpus.texts):,} sentences): mean AP over held-out debates"
    )
    for name, scores in (
        ("before: the first shipped model's recipe", before),
        ("after, at import: words", words_calibrated),
        ("after, refined: words and sentence vector", both),
    ):
        ap = train.mean_debate_ap(corpus.debates, corpus.labels, scores)
        print(f"  {name:44}MAP {ap:.4f}")
    words_aps = train.debate_aps(corpus.debates, corpus.labels, words_calibrated)
    both_aps = train.debate_aps(corpus.debates, corpus.labels, both)
    better = sum(both_aps[name] > ap for name, ap in words_aps.items())
    print(f"  the vector raises the AP of {better} of {len(words_aps)} held-out debates")
    changed = np.mean(
        [score_level(a) != score_level(b) for a, b in zip(words_calibrated, both, strict=True)]
    )
    print(f"  a sentence's level changes when its vector refines the score: {changed:.1%}")
    for name, scores in (("words and sentence vector", both), ("words alone", words_calibrated)):
        print(f"Reliability on held-out debates, {name} (calibration fitted on the other folds):")
        print("  decile  scores         sentences  predicted  observed")
        for i, (low, high, n, predicted, observed) in enumerate(
            train.reliability(scores, corpus.labels), 1
        ):
            print(f"  {i:6}  {low:.3f}-{high:.3f}  {n:9,}  {predicted:9.3f}  {observed:8.3f}")
        brier = float(np.mean((scores - corpus.labels) ** 2))
        print(f"  Brier score {brier:.4f}")
        for level, low, high in (("High", HIGH_FROM, 1.0), ("Medium", MEDIUM_FROM, HIGH_FROM)):
            band = (scores >= low) & (scores < high) if high < 1.0 else scores >= low
            above = scores >= low
            print(
                f"  {level:6} (score >= {low}): {band.mean():6.1%} of sentences, precision "
                f"{corpus.labels[band].mean():.3f}; at or above: {corpus.labels[above].mean():.3f}"
            )
        low = scores < MEDIUM_FROM
        print(
            f"  Low    (score <  {MEDIUM_FROM}): {low.mean():6.1%} of sentences, "
            f"precision {corpus.labels[low].mean():.3f}"
        )


def checkthat(paths: Sequence[Path], corpus: "Corpus | None", scores_out: Path | None) -> None:
    """Part 2: the CheckThat! 2019 debates, before and after."""
    from claims.checkworthiness import claim_scores

    debates = {path: read_debate(path) for path in paths}
    texts = [r[1] for rows in debates.values() for r in rows]
    print(f"CLEF-2019 CheckThat! Task 1, {len(debates)} debates ({len(texts):,} lines)")
    if corpus is not None:
        import train_checkworthiness as train

        predict, _ = train.fit_words(
            corpus.texts, corpus.labels, C=BEFORE_C, min_df=BEFORE_MIN_DF, markers=False
        )
        print_metrics(
            "before: the first shipped model's recipe",
            evaluate(debates, lambda ts: predict(ts).tolist()),
        )
    print_metrics("after, at import: words", evaluate(debates, claim_scores))
    vectors = None
    if corpus is not None:  # the vectors are cached by the training script's helper
        vectors = dict(zip(texts, train.sentence_vectors(texts, name="checkthat2019"), strict=True))
    else:
        from claims.embeddings import texts_embed

        vectors = dict(
            zip(texts, texts_embed(texts).astype(np.float16).astype(np.float32), strict=True)
        )

    def refined(ts: Sequence[str]) -> list[float]:
        return claim_scores(ts, [vectors[t] for t in ts])

    print_metrics("after, refined: words and sentence vector", evaluate(debates, refined))
    if scores_out is not None:
        with scores_out.open("w", encoding="utf-8") as out:
            for path, rows in debates.items():
                for (line_number, _, _), score in zip(
                    rows, refined([r[1] for r in rows]), strict=True
                ):
                    out.write(f"{path.name}\t{line_number}\t{score:.6f}\n")


def speed(texts: Sequence[str]) -> None:
    """Part 3: sentences scored per second of one core by claim_scores, as at import (the
    best of 5 runs, in CPU time: the figure holds on a busy machine)."""
    from claims.checkworthiness import claim_scores

    claim_scores(texts[:10])  # load the model
    best = min(_cpu_seconds(claim_scores, texts) for _ in range(5))
    print(
        f"Speed: claim_scores, {len(texts):,} ClaimBuster sentences: "
        f"{len(texts) / best:,.0f} sentences per CPU second"
    )


def _cpu_seconds(fn: Callable[[Sequence[str]], object], arg: Sequence[str]) -> float:
    started = time.process_time()
    fn(arg)
    return time.process_time() - started


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--debates", nargs="+", type=Path, help="CheckThat! 2019 .tsv files")
    parser.add_argument("--scores-out", type=Path, help="write file<TAB>line_number<TAB>score")
    parser.add_argument("--no-speed", action="store_true", help="skip the speed measurement")
    args = parser.parse_args(argv)

    import train_checkworthiness as train

    corpus = None
    if not train.CLAIMBUSTER.is_file():
        print(f"skipped across ClaimBuster debates: {train.CLAIMBUSTER} not found")
    else:
        try:
            import sklearn  # noqa: F401
        except ImportError:
            print("skipped across ClaimBuster debates: needs scikit-learn (bench/requirements.txt)")
        else:
            corpus = train.read_claimbuster()
            cross_debate(corpus)

    paths = args.debates or sorted(DEBATES.glob("*.tsv"))
    missing = [p for p in paths if not p.is_file()]
    if not paths or missing:
        print(f"skipped CheckThat!: not found: {', '.join(map(str, missing)) or DEBATES}")
    else:
        checkthat(paths, corpus, args.scores_out)

    if not args.no_speed and train.CLAIMBUSTER.is_file():
        speed((corpus or train.read_claimbuster()).texts)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
