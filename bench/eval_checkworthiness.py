"""Evaluate check-worthiness on CLEF-2019 CheckThat! Task 1 debates (MAP as its SOURCE.md says).

    .venv/bin/python bench/eval_checkworthiness.py [--debates FILE ...] [--scores-out FILE]

Scores every line of each debate with `claims.checkworthiness.claim_scores` (the function the
importer uses), ranks each debate's lines by score (stable sort), and prints per-debate AP and the
means of AP (MAP), RR, R-Precision and P@k over the debates. Without `--debates` it reads the 19
training debates in ../shared/datasets/checkthat2019-checkworthiness/training/ (the shipped model
never trains on them) and skips cleanly, exit 0, when they are absent.
"""

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEBATES = ROOT.parent / "shared" / "datasets" / "checkthat2019-checkworthiness" / "training"
KS = (1, 3, 5, 10, 20, 50)


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
    score_fn: Callable[[list[str]], Sequence[float]],
) -> dict[str, float]:
    """Mean metrics over `debates` with `score_fn(texts) -> scores` (used by training too)."""
    per = []
    for rows in debates.values():
        per.append(debate_metrics([r[2] for r in rows], score_fn([r[1] for r in rows])))
    return mean_metrics(per)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--debates", nargs="+", type=Path, help="CheckThat! 2019 .tsv files")
    parser.add_argument("--scores-out", type=Path, help="write file<TAB>line_number<TAB>score")
    args = parser.parse_args(argv)
    paths = args.debates or sorted(DEBATES.glob("*.tsv"))
    if not paths:
        print(f"skipped: no debates given and none found in {DEBATES}")
        return 0
    missing = [p for p in paths if not p.is_file()]
    if missing:
        print(f"skipped: not found: {', '.join(map(str, missing))}")
        return 0

    # The importer's scoring function is plain Python: no settings, no database.
    from claims.checkworthiness import claim_scores

    per = []
    out = args.scores_out.open("w", encoding="utf-8") if args.scores_out else None
    for path in paths:
        rows = read_debate(path)
        scores = claim_scores([r[1] for r in rows])
        metrics = debate_metrics([r[2] for r in rows], scores)
        per.append(metrics)
        print(f"{path.name:40} lines {len(rows):5}  AP {metrics['AP']:.4f}")
        if out is not None:
            for (line_number, _, _), score in zip(rows, scores, strict=True):
                out.write(f"{path.name}\t{line_number}\t{score:.6f}\n")
    if out is not None:
        out.close()
    mean = mean_metrics(per)
    print(f"debates: {len(per)}")
    print("  ".join(f"{k} {v:.4f}" for k, v in [("MAP", mean["AP"]), *list(mean.items())[1:]]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
