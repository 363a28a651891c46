import gzip
import json
import math
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command

from claims.checkworthiness import (
    ARTEFACT,
    HIGH_FROM,
    MEDIUM_FROM,
    Level,
    Model,
    _model,
    claim_scores,
    score_level,
    score_model_names,
    tokens,
)
from claims.embeddings import DIMENSIONS, vector_from_bytes, vector_to_bytes
from claims.models import Claim, ClaimEmbedding
from claims.services import claims_score
from sources.imports.documents import source_import_paths
from tests.factories import ClaimFactory

FIGURES = "Unemployment fell to 3.5 percent last year, the lowest rate in 50 years."
GREETING = "Thank you very much, it is great to be here tonight."


def unit_vector(seed: int) -> np.ndarray:
    """A made-up sentence vector, rounded to float16 as the database stores it."""
    vector = np.random.default_rng(seed).standard_normal(DIMENSIONS)
    return vector_from_bytes(vector_to_bytes(vector / np.linalg.norm(vector)))


def small_model() -> Model:
    """A model of three terms and a three-dimensional vector model, built in the test."""
    return Model(
        terms={"tax": (2.0, 1.5), "rose": (1.5, 1.0), "thanks": (1.0, -2.0)},
        bias=-0.5,
        vector_weights=[1.0, -1.0, 0.5],
        vector_bias=0.25,
        calibration_words=(2.0, -1.0),
        calibration_vector=(1.5, 0.5, -1.0),
        version="test",
    )


def test_scores_are_probabilities_and_rank_factual_claims_first() -> None:
    scores = claim_scores([FIGURES, GREETING, ""])
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert scores[0] > 0.5 > scores[1]


def test_a_sentence_vector_refines_a_score_on_the_same_scale() -> None:
    vector = unit_vector(1)
    refined = claim_scores([FIGURES, FIGURES, GREETING], [vector, None, unit_vector(2)])

    assert refined[1] == claim_scores([FIGURES])[0]  # no vector: the words alone
    assert refined[0] != refined[1]
    assert all(0.0 <= s <= 1.0 for s in refined)
    model = _model()
    assert refined[0] == model.score_with_vector(FIGURES, vector)


def test_the_small_model_scores_by_its_formula() -> None:
    model = small_model()
    # "tax" once, "rose" twice: sublinear tf, l2 norm, the linear model, the calibration.
    tax, rose = 2.0, (1.0 + math.log(2)) * 1.5
    logit = -0.5 + (tax * 1.5 + rose * 1.0) / math.sqrt(tax**2 + rose**2)
    assert model.word_logit("Tax rose, rose.") == pytest.approx(logit)
    assert model.score("Tax rose, rose.") == pytest.approx(1 / (1 + math.exp(-(2 * logit - 1))))
    vector = np.array([0.6, 0.0, 0.8])
    both = 1.5 * logit + 0.5 * (0.6 + 0.4 + 0.25) - 1.0
    assert model.score_with_vector("Tax rose, rose.", vector) == pytest.approx(
        1 / (1 + math.exp(-both))
    )
    assert model.score("Nothing known here") == pytest.approx(1 / (1 + math.exp(-(2 * -0.5 - 1))))


def test_calibration_keeps_the_order_of_the_models_log_odds() -> None:
    model = small_model()
    texts = ["thanks", "thanks tax", "nothing", "rose", "tax rose", "tax"]
    logits = [model.word_logit(t) for t in texts]
    scores = [model.score(t) for t in texts]
    assert sorted(range(6), key=logits.__getitem__) == sorted(range(6), key=scores.__getitem__)
    assert len(set(scores)) == 6  # strictly increasing: no ties made in the queue

    vector = np.array([0.6, 0.0, 0.8])
    worse, better = np.array([0.0, 0.6, 0.8]), np.array([0.8, 0.0, 0.6])
    assert model.vector_logit(worse) < model.vector_logit(vector)
    assert model.score_with_vector("tax", worse) < model.score_with_vector("tax", vector)
    assert model.score_with_vector("rose", vector) < model.score_with_vector("tax", vector)
    assert model.vector_logit(better) > model.vector_logit(vector)


def test_the_shipped_calibration_increases_with_each_models_log_odds() -> None:
    """A negative slope would turn the queue upside down; a retrained artefact must not."""
    model = _model()
    assert model.calibration_words[0] > 0
    assert model.calibration_vector[0] > 0 and model.calibration_vector[1] > 0


def test_scoring_is_fast_enough_for_the_importer() -> None:
    texts = [f"The deficit grew by {i} billion dollars in {1990 + i % 30}." for i in range(20000)]
    claim_scores(texts[:10])  # load the model
    # CPU time, not wall time: sentences per second of one core, however busy the machine.
    started = time.process_time()
    claim_scores(texts)
    assert len(texts) / (time.process_time() - started) >= 10000


def test_markers_name_what_check_worthy_sentences_hold() -> None:
    features = tokens("In 2016 the Senate cut taxes by 5% more than Obama did, $3 billion.")
    assert {"<num>", "<year>", "<percent>", "<money>", "<comparison>", "<name>"} <= set(features)
    assert "<question>" not in features
    assert "<question>" in tokens("Why?") and "<words:0>" in tokens("Why?")
    assert "<name>" not in tokens("Taxes rose.")  # the sentence's first word is no name
    assert Counter(tokens("The tax cut. The tax cut."))["the tax"] == 2


@pytest.mark.django_db
def test_imported_seed_claims_carry_scores_in_the_queue_order(seed_folder: Path) -> None:
    source_import_paths(paths=[seed_folder])

    claims = list(Claim.objects.order_by("position"))
    assert len(claims) == 17
    assert all(c.score is not None and 0 <= c.score <= 1 for c in claims)
    assert [c.score for c in claims] == pytest.approx(claim_scores([c.text for c in claims]))
    # The opening anecdote ranks below the statement with the nuclear-deal figures.
    queue = list(Claim.objects.order_by("-score").values_list("text", flat=True))
    assert queue.index(claims[14].text) < queue.index(claims[8].text)


@pytest.mark.django_db
def test_a_claims_score_is_refined_once_its_vector_is_stored() -> None:
    claim = ClaimFactory.create(score=0.5)
    vector = unit_vector(3)
    ClaimEmbedding.objects.create(claim=claim, vector=vector_to_bytes(vector))

    assert claims_score(claim_ids=[claim.pk]) == 1

    claim.refresh_from_db()
    assert claim.score == pytest.approx(claim_scores([claim.text], [vector])[0])
    assert claim.score_model == score_model_names()[1]


@pytest.mark.django_db
def test_score_claims_rescores_what_the_shipped_model_did_not_score_with_all_it_has() -> None:
    words, with_vector = score_model_names()
    unscored = ClaimFactory.create_batch(3, score=None)
    at_import = ClaimFactory.create(score=0.2)  # score_model "": the import's own score
    older_model = ClaimFactory.create(score=0.3, score_model="0123456789ab")
    current = ClaimFactory.create(score=0.123, score_model=words)
    current_with_vector = ClaimFactory.create(score=0.456, score_model=with_vector)
    ClaimEmbedding.objects.create(claim=current_with_vector, vector=vector_to_bytes(unit_vector(4)))
    vector_since = ClaimFactory.create(score=0.789, score_model=words)
    ClaimEmbedding.objects.create(claim=vector_since, vector=vector_to_bytes(unit_vector(5)))

    call_command("score_claims", "--batch-size", "2")

    for claim in [*unscored, at_import, older_model]:
        claim.refresh_from_db()
        assert claim.score == pytest.approx(claim_scores([claim.text])[0])
        assert claim.score_model == words
    vector_since.refresh_from_db()
    assert vector_since.score == pytest.approx(
        claim_scores([vector_since.text], [unit_vector(5)])[0]
    )
    assert vector_since.score_model == with_vector
    current.refresh_from_db()
    current_with_vector.refresh_from_db()
    assert (current.score, current_with_vector.score) == (0.123, 0.456)


def test_word_scores_are_the_plain_tf_idf_formula_to_the_last_bit() -> None:
    """Model.word_logit (bigrams as word pairs, a term seen once from precomputed products)
    equals the formula over tokens() written out plainly, bit for bit."""
    model = _model()

    def plain(text: str) -> float:
        dot = norm = 0.0
        for term, count in Counter(tokens(text)).items():
            entry = model.terms.get(term)
            if entry is None:
                continue
            value = (1.0 + math.log(count)) * entry[0]
            norm += value * value
            dot += value * entry[1]
        return model.bias + (dot / math.sqrt(norm) if norm else 0.0)

    texts = [
        FIGURES,
        "The the tax tax cut cut: 3 3 billion, it\u2019s the U.S. budget\u2019s 1,000.5 dollars.",
        GREETING,
        "",
        "\u2019\u2019 ... !!!",
        "Ünïcödé İstanbul straße ﬁnance rose 12%.",
    ]
    assert [model.word_logit(t) for t in texts] == [plain(t) for t in texts]


def test_scores_read_as_three_levels_with_unscored_claims_left_out() -> None:
    assert score_level(None) is None
    assert score_level(1.0) == score_level(HIGH_FROM) == Level.HIGH
    assert score_level(HIGH_FROM - 0.01) == score_level(MEDIUM_FROM) == Level.MEDIUM
    assert score_level(MEDIUM_FROM - 0.01) == score_level(0.0) == Level.LOW
    assert [level.label for level in Level] == ["High", "Medium", "Low"]
    assert 0 < MEDIUM_FROM < HIGH_FROM < 1


def test_the_levels_are_the_thresholds_the_training_chose_for_the_shipped_model() -> None:
    with gzip.open(ARTEFACT, "rt", encoding="utf-8") as handle:
        levels = json.load(handle)["levels"]
    assert (levels["high"], levels["medium"]) == (HIGH_FROM, MEDIUM_FROM)
