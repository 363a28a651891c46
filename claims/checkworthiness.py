"""Check-worthiness: how much a sentence is worth fact-checking, as a score in 0..1.

A logistic regression over TF-IDF word unigrams and bigrams, trained offline by
`bench/train_checkworthiness.py` on ClaimBuster's crowdsourced sentences (CC BY 4.0: Arslan et
al., ICWSM 2020). The shipped artefact `claims/data/checkworthiness.json.gz` holds, per term, its
IDF and its weight, so scoring is a few dictionary look-ups per token in plain Python: no
numerical library and no download at run time.
"""

# ruff: noqa: RUF001 (the typographic apostrophe is the point)

import gzip
import itertools
import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from functools import cache
from pathlib import Path

ARTEFACT = Path(__file__).resolve().parent / "data" / "checkworthiness.json.gz"

_TOKEN = re.compile(r"[^\W_]+(?:['’.,][^\W_]+)*", re.UNICODE)
_DIGIT = re.compile(r"\d")


def tokens(text: str) -> list[str]:
    """The features of one sentence: lower-cased words, a `<num>` marker for every word holding a
    digit, and adjacent-word bigrams. Training and scoring both call this function."""
    words = [w.replace("’", "'") for w in _TOKEN.findall(text.casefold())]
    out = list(words)
    out.extend("<num>" for w in words if _DIGIT.search(w))
    out.extend(f"{a} {b}" for a, b in itertools.pairwise(words))
    return out


class Model:
    """Per-term IDF and weight, and the intercept, as written by the training script."""

    def __init__(self, *, terms: dict[str, tuple[float, float]], bias: float) -> None:
        self.terms = terms
        self.bias = bias

    @classmethod
    def load(cls, path: Path = ARTEFACT) -> "Model":
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            data = json.load(handle)
        return cls(terms={t: (i, w) for t, i, w in data["terms"]}, bias=data["bias"])

    def score(self, text: str) -> float:
        # TF-IDF with sublinear tf and l2 normalisation (as scikit-learn's TfidfVectorizer with
        # sublinear_tf=True), then the linear model and a logistic link.
        terms = self.terms
        dot = 0.0
        norm = 0.0
        for term, count in Counter(tokens(text)).items():
            entry = terms.get(term)
            if entry is None:
                continue
            value = (1.0 + math.log(count)) * entry[0]
            norm += value * value
            dot += value * entry[1]
        z = self.bias + (dot / math.sqrt(norm) if norm else 0.0)
        return 1.0 / (1.0 + math.exp(-z))


@cache
def _model() -> Model:
    return Model.load()


def claim_scores(texts: Sequence[str]) -> list[float]:
    """Check-worthiness of each text, in 0..1 (higher: more worth checking)."""
    model = _model()
    return [model.score(text) for text in texts]
