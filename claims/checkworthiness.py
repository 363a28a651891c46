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

from django.db import models

ARTEFACT = Path(__file__).resolve().parent / "data" / "checkworthiness.json.gz"

_TOKEN = re.compile(r"[^\W_]+(?:['’.,][^\W_]+)*", re.UNICODE)
_DIGIT = re.compile(r"\d")


def tokens(text: str) -> list[str]:
    """The features of one sentence: lower-cased words, a `<num>` marker for every word holding a
    digit, and adjacent-word bigrams ("a b"). Training calls this; scoring reads the same
    features from _features, with bigrams as pairs."""
    return [f if isinstance(f, str) else " ".join(f) for f in _features(text)]


class Model:
    """Per-term IDF and weight, and the intercept, as written by the training script."""

    def __init__(self, *, terms: dict[str, tuple[float, float]], bias: float) -> None:
        self.terms = terms
        self.bias = bias
        # For score(): the terms keyed as _features() yields them (a bigram "a b" as the pair
        # ("a", "b"): words hold no space, so the two keys name the same terms), each with its
        # idf, its weight, and what it adds to the squared norm and to the dot product when
        # seen once: idf² and idf·weight, the very products score() would compute.
        self._by_feature: dict[str | tuple[str, ...], tuple[float, float, float, float]] = {
            (tuple(t.split(" ")) if " " in t else t): (i, w, i * i, i * w)
            for t, (i, w) in terms.items()
        }

    @classmethod
    def load(cls, path: Path = ARTEFACT) -> "Model":
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            data = json.load(handle)
        return cls(terms={t: (i, w) for t, i, w in data["terms"]}, bias=data["bias"])

    def score(self, text: str) -> float:
        # TF-IDF with sublinear tf and l2 normalisation (as scikit-learn's TfidfVectorizer with
        # sublinear_tf=True), then the linear model and a logistic link. The features are
        # tokens(text) with bigrams as word pairs (no string built per bigram), in the same
        # order, so the sums run in the same order and the score is the same to the last bit.
        found = self._by_feature
        dot = 0.0
        norm = 0.0
        for feature, count in Counter(_features(text)).items():
            entry = found.get(feature)
            if entry is None:
                continue
            if count == 1:  # the usual case: 1 + log(1) == 1.0
                norm += entry[2]
                dot += entry[3]
            else:
                value = (1.0 + math.log(count)) * entry[0]
                norm += value * value
                dot += value * entry[1]
        z = self.bias + (dot / math.sqrt(norm) if norm else 0.0)
        return 1.0 / (1.0 + math.exp(-z))


def _features(text: str) -> list[str | tuple[str, str]]:
    """The one tokeniser (see tokens), each bigram as a (word, word) pair: no string built per
    bigram on the scoring path."""
    folded = text.casefold()
    if "’" in folded:
        folded = folded.replace("’", "'")
    words: list[str] = _TOKEN.findall(folded)
    out: list[str | tuple[str, str]] = list(words)
    if _DIGIT.search(folded) is not None:  # a word of letters only holds no digit
        out.extend("<num>" for w in words if not w.isalpha() and _DIGIT.search(w))
    out.extend(itertools.pairwise(words))
    return out


@cache
def _model() -> Model:
    return Model.load()


def claim_scores(texts: Sequence[str]) -> list[float]:
    """Check-worthiness of each text, in 0..1 (higher: more worth checking)."""
    model = _model()
    return [model.score(text) for text in texts]


class Level(models.TextChoices):
    """How an editor reads a score: words, not a float."""

    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


# Lower bounds of the levels on the score. Provisional: chosen on the seed article and
# ClaimBuster's labels by eye, until the scores are calibrated on held-out folds.
HIGH_FROM = 0.7
MEDIUM_FROM = 0.4


def score_level(score: float | None) -> Level | None:
    """The level an editor sees for `score` (None: not scored)."""
    if score is None:
        return None
    if score >= HIGH_FROM:
        return Level.HIGH
    return Level.MEDIUM if score >= MEDIUM_FROM else Level.LOW
