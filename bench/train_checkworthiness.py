"""Train the shipped check-worthiness model on ClaimBuster's crowdsourced sentences.

    python3.11 -m venv var/train-venv   # a venv of its own: scikit-learn is no runtime need
    var/train-venv/bin/pip install -r requirements.txt -r bench/requirements.txt
    var/train-venv/bin/python bench/train_checkworthiness.py [--tune] [--out FILE.json.gz]

Data and licence: trains ONLY on ../shared/datasets/claimbuster/crowdsourced.csv, the ClaimBuster
dataset (Arslan, Hassan, Li and Tremayne, "A Benchmark Dataset of Check-worthy Factual Claims",
ICWSM 2020; Zenodo 10.5281/zenodo.3609356), licensed CC BY 4.0: the model is shipped with that
credit (docs/matching.md). Label 1 = a check-worthy factual sentence (CFS). The CheckThat! 2019
debates are for research use only: bench/eval_checkworthiness.py measures on them, nothing here
reads them.

What it does, deterministically (a fixed fold assignment, lbfgs solvers, no random state):
1. Sentence vectors of every sentence with claims.embeddings (the vectors the matching step
   stores), rounded to float16 as stored; cached under var/ (about two minutes on one core).
2. Out-of-fold predictions by debate: the 33 debates (File_id) are split into 5 folds, and each
   fold is scored by the word model and the vector model trained on the other four, so no
   debate is ever scored by a model that saw it. `--tune` chooses the hyper-parameters by the
   mean average precision over these held-out debates.
3. Calibration: Platt scaling fitted on the out-of-fold predictions, words alone and words with
   the vector. The levels' thresholds are chosen by precision on held-out folds (the calibration
   fitted on the other folds): High from the lowest score at which ≥ 80% of the sentences at or
   above it are check-worthy, Medium where ≥ 60% are.
4. The shipped models are fitted on all sentences, and written with the calibration as
   per-term [term, idf, weight], the vector model's weights and the intercepts.
"""

import argparse
import csv
import gzip
import hashlib
import json
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
CLAIMBUSTER = ROOT.parent / "shared" / "datasets" / "claimbuster" / "crowdsourced.csv"
CACHE = ROOT / "var" / "checkworthiness"
FOLDS = 5


@dataclass(frozen=True)
class Params:
    C: float  # the word model's inverse regularisation
    min_df: int  # the fewest sentences a term must appear in
    vector_C: float  # the vector model's inverse regularisation


# Chosen with --tune by the mean AP over held-out ClaimBuster debates.
DEFAULTS = Params(C=3.0, min_df=2, vector_C=10.0)
# The level thresholds' precision targets on held-out debates.
HIGH_PRECISION = 0.8
MEDIUM_PRECISION = 0.6


@dataclass
class Corpus:
    texts: list[str]
    debates: list[str]
    labels: np.ndarray  # 1: check-worthy factual sentence


def read_claimbuster(path: Path = CLAIMBUSTER) -> Corpus:
    texts, debates, labels = [], [], []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            texts.append(row["Text"])
            debates.append(row["File_id"])
            labels.append(1 if row["Verdict"] == "1" else 0)
    return Corpus(texts, debates, np.array(labels))


def debate_folds(debates: Sequence[str], k: int = FOLDS) -> np.ndarray:
    """The fold of each sentence: debates in name (date) order dealt round-robin, so that each
    fold holds debates of every era and no debate is in two folds."""
    fold_of = {name: i % k for i, name in enumerate(sorted(set(debates)))}
    return np.array([fold_of[name] for name in debates])


def sentence_vectors(texts: Sequence[str], *, name: str) -> np.ndarray:
    """claims.embeddings' vector of each text as the database stores it (float16), cached in
    var/ under a digest of the texts."""
    digest = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
    path = CACHE / f"{name}-{digest}.npy"
    if path.is_file():
        return np.load(path).astype(np.float32)
    from claims.embeddings import texts_embed

    print(f"embedding {len(texts):,} sentences of {name} (cached in {path})", flush=True)
    vectors = texts_embed(texts).astype(np.float16)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors.astype(np.float32)


def words_analyzer(markers: bool = True) -> Callable[[str], list[str]]:
    """The word model's features; without markers, those of the first shipped model (words,
    "<num>" and bigrams) for the before/after comparison."""
    from claims.checkworthiness import tokens

    if markers:
        return tokens
    return lambda text: [f for f in tokens(text) if not f.startswith("<") or f == "<num>"]


# A fitted model's log-odds for new inputs, and what was fitted (to be written out).
Predict = Callable[[Any], np.ndarray]


def fit_words(
    texts: Sequence[str], labels: np.ndarray, *, C: float, min_df: int, markers: bool = True
) -> tuple[Predict, tuple[Any, Any]]:
    """The word model (TF-IDF and logistic regression) fitted on `texts`."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(analyzer=words_analyzer(markers), sublinear_tf=True, min_df=min_df)
    model = LogisticRegression(C=C, max_iter=3000).fit(vectorizer.fit_transform(texts), labels)
    return lambda ts: model.decision_function(vectorizer.transform(ts)), (vectorizer, model)


def fit_vector(vectors: np.ndarray, labels: np.ndarray, *, C: float) -> tuple[Predict, Any]:
    """The vector model (logistic regression) fitted on `vectors`."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=C, max_iter=3000).fit(vectors, labels)
    return model.decision_function, model


def out_of_fold_words(corpus: Corpus, *, C: float, min_df: int, markers: bool = True) -> np.ndarray:
    """Log-odds of every sentence from the word model trained on the other folds' debates."""
    folds = debate_folds(corpus.debates)
    out = np.zeros(len(corpus.texts))
    for k in range(FOLDS):
        train = [t for t, f in zip(corpus.texts, folds, strict=True) if f != k]
        predict, _ = fit_words(
            train, corpus.labels[folds != k], C=C, min_df=min_df, markers=markers
        )
        out[folds == k] = predict([t for t, f in zip(corpus.texts, folds, strict=True) if f == k])
    return out


def out_of_fold_vector(corpus: Corpus, vectors: np.ndarray, *, C: float) -> np.ndarray:
    """Log-odds of every sentence from the vector model trained on the other folds' debates."""
    folds = debate_folds(corpus.debates)
    out = np.zeros(len(corpus.texts))
    for k in range(FOLDS):
        predict, _ = fit_vector(vectors[folds != k], corpus.labels[folds != k], C=C)
        out[folds == k] = predict(vectors[folds == k])
    return out


def platt(inputs: np.ndarray, labels: np.ndarray) -> tuple[float, ...]:
    """Coefficients (one per input column, then the intercept) of the logistic regression of
    the labels on `inputs` (log-odds): Platt scaling, with one input or two."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=1e6, max_iter=1000).fit(inputs, labels)
    return (*(float(c) for c in model.coef_[0]), float(model.intercept_[0]))


def calibrated(inputs: np.ndarray, coefficients: Sequence[float]) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(inputs @ np.asarray(coefficients[:-1]) + coefficients[-1])))


def held_out_calibrated(inputs: np.ndarray, corpus: Corpus) -> np.ndarray:
    """Calibrated probabilities of each fold with the calibration fitted on the other folds'
    out-of-fold predictions: what the reliability table and the thresholds are measured on."""
    folds = debate_folds(corpus.debates)
    out = np.zeros(len(inputs))
    for k in range(FOLDS):
        train, test = folds != k, folds == k
        out[test] = calibrated(inputs[test], platt(inputs[train], corpus.labels[train]))
    return out


def debate_aps(debates: Sequence[str], labels: np.ndarray, scores: np.ndarray) -> dict[str, float]:
    """Each debate's average precision (as CheckThat! computes it per debate)."""
    from eval_checkworthiness import debate_metrics

    rows = defaultdict(list)
    for i, name in enumerate(debates):
        rows[name].append(i)
    return {
        name: debate_metrics(labels[ix].tolist(), scores[ix].tolist())["AP"]
        for name, ix in rows.items()
    }


def mean_debate_ap(debates: Sequence[str], labels: np.ndarray, scores: np.ndarray) -> float:
    """Mean over debates of each debate's average precision (as CheckThat!'s MAP)."""
    return float(np.mean(list(debate_aps(debates, labels, scores).values())))


def precision_threshold(scores: np.ndarray, labels: np.ndarray, target: float) -> float:
    """The lowest score, rounded up to a hundredth, at which the sentences scoring at or above it
    are check-worthy at least `target` of the time, and stay so at every higher threshold."""
    candidates = [t / 100 for t in range(100, -1, -1)]
    chosen = 1.0
    for threshold in candidates:
        above = scores >= threshold
        if above.any() and labels[above].mean() < target:
            break
        chosen = threshold
    return chosen


def reliability(scores: np.ndarray, labels: np.ndarray, bins: int = 10) -> list[tuple]:
    """Per decile of the scores: (lowest, highest, sentences, mean predicted, observed rate)."""
    order = np.argsort(scores, kind="stable")
    out = []
    for part in np.array_split(order, bins):
        out.append(
            (
                scores[part].min(),
                scores[part].max(),
                len(part),
                scores[part].mean(),
                labels[part].mean(),
            )
        )
    return out


def write_artefact(path: Path, payload: dict) -> None:
    """gzip with no timestamp and no file name, keys sorted: the same model gives the same bytes
    wherever it is written, so the same version (claims.checkworthiness.Model.load)."""
    body = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(body, compresslevel=9, mtime=0))


def tune(corpus: Corpus, vectors: np.ndarray) -> Params:
    """The hyper-parameters with the best mean AP over held-out debates: the word model's
    first, then the vector model's with the words stacked on it."""
    tried = []
    for C in (1.0, 3.0, 10.0):
        for min_df in (2, 3):
            words = out_of_fold_words(corpus, C=C, min_df=min_df)
            ap = mean_debate_ap(corpus.debates, corpus.labels, words)
            print(f"words C={C} min_df={min_df}: held-out debates MAP {ap:.4f}", flush=True)
            tried.append((ap, C, min_df, words))
    _, C, min_df, words = max(tried, key=lambda t: t[0])
    stacked_tried = []
    for vector_C in (1.0, 3.0, 10.0):
        vector = out_of_fold_vector(corpus, vectors, C=vector_C)
        stacked = held_out_calibrated(np.column_stack([words, vector]), corpus)
        ap = mean_debate_ap(corpus.debates, corpus.labels, stacked)
        print(f"vector C={vector_C}: words and vector, held-out debates MAP {ap:.4f}", flush=True)
        stacked_tried.append((ap, vector_C))
    params = Params(C=C, min_df=min_df, vector_C=max(stacked_tried)[1])
    print(f"best: {params}")
    return params


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tune", action="store_true", help="grid search, held-out debates")
    parser.add_argument("--out", type=Path, default=ROOT / "claims/data/checkworthiness.json.gz")
    args = parser.parse_args()
    if not CLAIMBUSTER.is_file():
        print(f"skipped: {CLAIMBUSTER} not found")
        return 0
    corpus = read_claimbuster()
    vectors = sentence_vectors(corpus.texts, name="claimbuster")
    params = tune(corpus, vectors) if args.tune else DEFAULTS

    words = out_of_fold_words(corpus, C=params.C, min_df=params.min_df)
    vector = out_of_fold_vector(corpus, vectors, C=params.vector_C)
    inputs = np.column_stack([words, vector])
    calibration = {
        "words": platt(words[:, None], corpus.labels),
        "words_and_vector": platt(inputs, corpus.labels),
    }
    held_out = held_out_calibrated(inputs, corpus)
    high = precision_threshold(held_out, corpus.labels, HIGH_PRECISION)
    medium = precision_threshold(held_out, corpus.labels, MEDIUM_PRECISION)
    print(
        f"held-out debates MAP: words {mean_debate_ap(corpus.debates, corpus.labels, words):.4f}"
        f", words and vector {mean_debate_ap(corpus.debates, corpus.labels, held_out):.4f}"
    )
    print(f"levels: High from {high}, Medium from {medium}")

    _, (vectorizer, word_model) = fit_words(
        corpus.texts, corpus.labels, C=params.C, min_df=params.min_df
    )
    _, vector_model = fit_vector(vectors, corpus.labels, C=params.vector_C)
    idf, coef = vectorizer.idf_, word_model.coef_[0]
    terms = sorted(
        [t, round(float(idf[i]), 5), round(float(coef[i]), 5)]
        for t, i in vectorizer.vocabulary_.items()
    )
    write_artefact(
        args.out,
        {
            "params": asdict(params),
            "bias": round(float(word_model.intercept_[0]), 6),
            "terms": terms,
            "vector": {
                "weights": [round(float(w), 6) for w in vector_model.coef_[0]],
                "bias": round(float(vector_model.intercept_[0]), 6),
            },
            "calibration": {k: [round(c, 6) for c in v] for k, v in calibration.items()},
            "levels": {"high": high, "medium": medium},
            "credit": "Trained on ClaimBuster (Arslan, Hassan, Li, Tremayne, ICWSM 2020; "
            "doi:10.5281/zenodo.3609356), CC BY 4.0.",
        },
    )
    print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes, {len(terms):,} terms) {params}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
