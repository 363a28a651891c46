"""Train the shipped check-worthiness model on ClaimBuster's crowdsourced sentences.

    .venv/bin/pip install -r bench/requirements.txt
    .venv/bin/python bench/train_checkworthiness.py [--tune] [--out FILE.json.gz]

Trains ONLY on ../shared/datasets/claimbuster/crowdsourced.csv (CC BY 4.0; Arslan, Hassan, Li,
Tremayne, ICWSM 2020): TF-IDF (sublinear tf) over `claims.checkworthiness.tokens`, logistic
regression, label 1 for check-worthy factual sentences (CFS). The CheckThat! 2019 debates are
research-use only: `--tune` uses them to choose the hyper-parameters (MAP over the 19 training
debates), never as training data. Writes per-term [term, idf, weight] and the intercept.
"""

import argparse
import csv
import gzip
import json
import sys
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported in the functions, once ROOT is on the path
    from claims.checkworthiness import Model

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
CLAIMBUSTER = ROOT.parent / "shared" / "datasets" / "claimbuster" / "crowdsourced.csv"

# Chosen with --tune (MAP over the 19 CheckThat! 2019 training debates).
DEFAULTS = {"C": 3.0, "min_df": 3, "ufs": 0.0}


def read_claimbuster(path: Path) -> tuple[list[str], list[int], list[int]]:
    texts, verdicts = [], []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            texts.append(row["Text"])
            verdicts.append(int(row["Verdict"]))
    return texts, verdicts, [1 if v == 1 else 0 for v in verdicts]


def fit(
    texts: list[str], verdicts: list[int], *, C: float, min_df: int, ufs: float
) -> tuple[Any, Any]:
    """Fit; `ufs` > 0 adds the unimportant factual sentences as positives with that weight.
    Returns scikit-learn's fitted vectorizer and classifier."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from claims.checkworthiness import tokens

    vectorizer = TfidfVectorizer(analyzer=tokens, sublinear_tf=True, min_df=min_df)
    x = vectorizer.fit_transform(texts)
    y = [1 if v == 1 or (v == 0 and ufs > 0) else 0 for v in verdicts]
    weights = [ufs if v == 0 and ufs > 0 else 1.0 for v in verdicts]
    model = LogisticRegression(C=C, max_iter=2000)
    model.fit(x, y, sample_weight=weights)
    return vectorizer, model


def to_model(vectorizer: Any, model: Any) -> "Model":
    from claims.checkworthiness import Model

    idf = vectorizer.idf_
    coef = model.coef_[0]
    terms = {t: (float(idf[i]), float(coef[i])) for t, i in vectorizer.vocabulary_.items()}
    return Model(terms=terms, bias=float(model.intercept_[0]))


def score_all(model: "Model", texts: list[str]) -> list[float]:
    return [model.score(text) for text in texts]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tune", action="store_true", help="grid search on CheckThat! 2019")
    parser.add_argument("--out", type=Path, default=ROOT / "claims/data/checkworthiness.json.gz")
    args = parser.parse_args()
    if not CLAIMBUSTER.is_file():
        print(f"skipped: {CLAIMBUSTER} not found")
        return 0
    texts, verdicts, _ = read_claimbuster(CLAIMBUSTER)
    params: dict[str, Any] = dict(DEFAULTS)
    if args.tune:
        from eval_checkworthiness import DEBATES, evaluate, read_debate

        debates = {p: read_debate(p) for p in sorted(DEBATES.glob("*.tsv"))}
        best: tuple[float, dict[str, Any]] | None = None
        for C in (0.3, 1.0, 3.0, 10.0):
            for min_df in (1, 2, 3):
                for ufs in (0.0, 0.3):
                    m = to_model(*fit(texts, verdicts, C=C, min_df=min_df, ufs=ufs))
                    mean = evaluate(debates, partial(score_all, m))
                    print(f"C={C} min_df={min_df} ufs={ufs}: MAP {mean['AP']:.4f}", flush=True)
                    if best is None or mean["AP"] > best[0]:
                        best = (mean["AP"], {"C": C, "min_df": min_df, "ufs": ufs})
        assert best is not None
        print(f"best: {best}")
        params = best[1]
    vectorizer, model = fit(texts, verdicts, **params)
    m = to_model(vectorizer, model)
    terms = sorted([t, round(i, 5), round(w, 5)] for t, (i, w) in m.terms.items())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(args.out, "wt", encoding="utf-8", compresslevel=9) as handle:
        json.dump({"params": params, "bias": round(m.bias, 6), "terms": terms}, handle)
    print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes, {len(terms):,} terms) {params}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
