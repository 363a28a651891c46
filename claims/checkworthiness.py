"""Check-worthiness: the probability that annotators would call a sentence worth fact-checking.

Two steps, both calibrated to the same probability, so that the review queue's order means the
same thing before and after the second:
1. At import, in the import's own write: a logistic regression over TF-IDF word unigrams,
   bigrams and a few markers (numbers, years, percentages, money, comparisons, capitalised
   names, questions, length), in plain Python: a few dictionary look-ups per word.
2. Once the claim's sentence vector exists (claims.embeddings writes it after the import
   commits, for matching), a second logistic regression over that vector is stacked on the
   word model's output and the claim's score is refined.

Both are trained offline by `bench/train_checkworthiness.py` on ClaimBuster's crowdsourced
sentences (CC BY 4.0: Arslan, Hassan, Li and Tremayne, ICWSM 2020), calibrated by Platt scaling
on predictions for debates held out of training. The shipped artefact
`claims/data/checkworthiness.json.gz` holds per term its IDF and weight, the vector model's
weights and the calibration; nothing is downloaded at run time.
"""

# ruff: noqa: RUF001 (the typographic apostrophe is the point)

import gzip
import hashlib
import itertools
import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np
from django.db import models

ARTEFACT = Path(__file__).resolve().parent / "data" / "checkworthiness.json.gz"

_TOKEN = re.compile(r"[^\W_]+(?:['’.,][^\W_]+)*", re.UNICODE)
_DIGIT = re.compile(r"\d")
_YEAR = re.compile(r"\b(?:1[89]|20)\d\ds?\b")
_MONEY = frozenset(["dollar", "dollars", "dollar's", "million", "billion", "trillion"])
_CHANGE = frozenset(
    "increase increased decrease decreased double doubled triple tripled"
    " rose fell grew dropped cut".split()
)
_THAN = re.compile(r"\b(?:\w+er|more|less|fewer|most|least) than\b")
# A capitalised word that does not open the sentence: most often a name, a place or an
# institution, things a claim is about.
_NAME = re.compile(r"(?<![.!?] )(?<!^)\b[A-Z][a-z]+")
# Upper bounds of the length markers, in words.
_LENGTHS = (6, 12, 25)


def tokens(text: str) -> list[str]:
    """The features of one sentence: lower-cased words, markers ("<num>" for every word holding
    a digit, "<year>", "<money>" …, see _markers) and adjacent-word bigrams ("a b"). Training
    calls this; scoring reads the same features from _features, with bigrams as pairs."""
    return [f if isinstance(f, str) else " ".join(f) for f in _features(text)]


def _features(text: str) -> list[str | tuple[str, str]]:
    """The one tokeniser (see tokens), each bigram as a (word, word) pair: no string built per
    bigram on the scoring path."""
    folded = text.casefold()
    if "’" in folded:
        folded = folded.replace("’", "'")
    words: list[str] = _TOKEN.findall(folded)
    out: list[str | tuple[str, str]] = list(words)
    out.extend(_markers(text, folded, words))
    out.extend(itertools.pairwise(words))
    return out


def _markers(text: str, folded: str, words: list[str]) -> list[str]:
    """Markers of what check-worthy sentences hold, whatever the words: numbers, years,
    percentages, money, comparisons, names; and of what they rarely are: questions, a few
    words. Each is a feature like a word, so the model weighs it."""
    out: list[str] = []
    if _DIGIT.search(folded) is not None:  # a word of letters only holds no digit
        out.extend("<num>" for w in words if not w.isalpha() and _DIGIT.search(w))
        out.extend("<year>" for _ in _YEAR.finditer(folded))
    if "%" in folded or "percent" in folded or "per cent" in folded:
        out.append("<percent>")
    if "$" in folded or "£" in folded or "€" in folded or not _MONEY.isdisjoint(words):
        out.append("<money>")
    if not _CHANGE.isdisjoint(words) or (" than" in folded and _THAN.search(folded)):
        out.append("<comparison>")
    out.extend("<name>" for _ in _NAME.finditer(text))
    if text.rstrip().endswith("?"):
        out.append("<question>")
    out.append(f"<words:{sum(len(words) >= n for n in _LENGTHS)}>")
    return out


class Model:
    """The word model (per-term IDF and weight, intercept), the vector model (a weight per
    dimension, intercept) and their calibration, as written by the training script."""

    def __init__(
        self,
        *,
        terms: dict[str, tuple[float, float]],
        bias: float,
        vector_weights: Sequence[float] = (),
        vector_bias: float = 0.0,
        calibration_words: tuple[float, float] = (1.0, 0.0),
        calibration_vector: tuple[float, float, float] = (1.0, 0.0, 0.0),
        version: str = "",
    ) -> None:
        self.terms = terms
        self.bias = bias
        self.vector_weights = np.asarray(vector_weights, dtype=np.float64)
        self.vector_bias = vector_bias
        self.calibration_words = calibration_words
        self.calibration_vector = calibration_vector
        self.version = version
        # For word_logit(): the terms keyed as _features() yields them (a bigram "a b" as the
        # pair ("a", "b"): words hold no space, so the two keys name the same terms), each with
        # its idf, its weight, and what it adds to the squared norm and to the dot product
        # when seen once: idf² and idf·weight, the very products word_logit() would compute.
        self._by_feature: dict[str | tuple[str, ...], tuple[float, float, float, float]] = {
            (tuple(t.split(" ")) if " " in t else t): (i, w, i * i, i * w)
            for t, (i, w) in terms.items()
        }

    @classmethod
    def load(cls, path: Path = ARTEFACT) -> "Model":
        raw = path.read_bytes()
        data = json.loads(gzip.decompress(raw))
        calibration = data["calibration"]
        return cls(
            terms={t: (i, w) for t, i, w in data["terms"]},
            bias=data["bias"],
            vector_weights=data["vector"]["weights"],
            vector_bias=data["vector"]["bias"],
            calibration_words=tuple(calibration["words"]),
            calibration_vector=tuple(calibration["words_and_vector"]),
            # The artefact's own digest: a retrained model is a new version, and stored scores
            # of another version are rescored (claims.services.claims_score_stale).
            version=hashlib.sha256(raw).hexdigest()[:12],
        )

    def word_logit(self, text: str) -> float:
        """The word model's log-odds, before calibration."""
        # TF-IDF with sublinear tf and l2 normalisation (as scikit-learn's TfidfVectorizer with
        # sublinear_tf=True), then the linear model. The features are tokens(text) with bigrams
        # as word pairs (no string built per bigram), in the same order, so the sums run in the
        # same order and the logit is the same to the last bit.
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
        return self.bias + (dot / math.sqrt(norm) if norm else 0.0)

    def score(self, text: str) -> float:
        """Calibrated probability from the words alone."""
        a, b = self.calibration_words
        return _sigmoid(a * self.word_logit(text) + b)

    def vector_logit(self, vector: np.ndarray) -> float:
        """The vector model's log-odds, before calibration."""
        return float(vector @ self.vector_weights) + self.vector_bias

    def score_with_vector(self, text: str, vector: np.ndarray) -> float:
        """Calibrated probability from the words and the sentence vector together."""
        a, b, c = self.calibration_vector
        return _sigmoid(a * self.word_logit(text) + b * self.vector_logit(vector) + c)


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= -700 else 0.0


@cache
def _model() -> Model:
    return Model.load()


def score_model_names() -> tuple[str, str]:
    """What a claim's `score_model` holds when the shipped model scored it from its words alone,
    and from its words and vector: the model's version, with "+vector" for the second."""
    version = _model().version
    return version, f"{version}+vector"


def claim_scores(
    texts: Sequence[str], vectors: Sequence[np.ndarray | None] | None = None
) -> list[float]:
    """Check-worthiness of each text: the probability, in 0..1, that annotators would call it
    worth checking. With `vectors` (claims.embeddings' unit vector of each text, None where
    there is none yet) the words and the vector score together; otherwise the words alone.
    Both are calibrated to the same probability, so scores of either kind compare."""
    model = _model()
    if vectors is None:
        return [model.score(text) for text in texts]
    return [
        model.score(text) if vector is None else model.score_with_vector(text, vector)
        for text, vector in zip(texts, vectors, strict=True)
    ]


class Level(models.TextChoices):
    """How an editor reads a score: words, not a float."""

    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


# Lower bounds of the levels on the calibrated score, chosen by precision on ClaimBuster debates
# held out of training (bench/train_checkworthiness.py prints them and records them in the
# artefact; a test holds the two equal): at or above HIGH_FROM, at least 80% of sentences are
# check-worthy; at or above MEDIUM_FROM, at least 60% are.
HIGH_FROM = 0.58
MEDIUM_FROM = 0.25


def score_level(score: float | None) -> Level | None:
    """The level an editor sees for `score` (None: not scored)."""
    if score is None:
        return None
    if score >= HIGH_FROM:
        return Level.HIGH
    return Level.MEDIUM if score >= MEDIUM_FROM else Level.LOW
