import time
from pathlib import Path

import pytest
from django.core.management import call_command

from claims.checkworthiness import HIGH_FROM, MEDIUM_FROM, Level, claim_scores, score_level
from claims.models import Claim
from sources.imports.documents import source_import_paths
from tests.factories import ClaimFactory


def test_scores_are_probabilities_and_rank_factual_claims_first() -> None:
    scores = claim_scores(
        [
            "Unemployment fell to 3.5 percent last year, the lowest rate in 50 years.",
            "Thank you very much, it is great to be here tonight.",
            "",
        ]
    )
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert scores[0] > 0.5 > scores[1]


def test_scoring_is_fast_enough_for_the_importer() -> None:
    texts = [f"The deficit grew by {i} billion dollars in {1990 + i % 30}." for i in range(20000)]
    claim_scores(texts[:10])  # load the model
    started = time.perf_counter()
    claim_scores(texts)
    assert len(texts) / (time.perf_counter() - started) >= 10000


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
def test_score_claims_backfills_missing_scores_only() -> None:
    unscored = ClaimFactory.create_batch(3, score=None)
    kept = ClaimFactory.create(score=0.123)

    call_command("score_claims", "--batch-size", "2")

    for claim in unscored:
        claim.refresh_from_db()
        assert claim.score == pytest.approx(claim_scores([claim.text])[0])
    kept.refresh_from_db()
    assert kept.score == 0.123


def test_scores_are_the_plain_tf_idf_formula_to_the_last_bit() -> None:
    """Model.score (bigrams as word pairs, a term seen once from precomputed products) equals
    the formula over tokens() written out plainly, bit for bit."""
    import math
    from collections import Counter

    from claims.checkworthiness import _model, tokens

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
        z = model.bias + (dot / math.sqrt(norm) if norm else 0.0)
        return 1.0 / (1.0 + math.exp(-z))

    texts = [
        "Unemployment fell to 3.5 percent last year, the lowest rate in 50 years.",
        "The the tax tax cut cut: 3 3 billion, it\u2019s the U.S. budget\u2019s 1,000.5 dollars.",
        "Thank you very much, it is great to be here tonight.",
        "",
        "\u2019\u2019 ... !!!",
        "Ünïcödé İstanbul straße ﬁnance rose 12%.",
    ]
    assert [model.score(t) for t in texts] == [plain(t) for t in texts]


def test_scores_read_as_three_levels_with_unscored_claims_left_out() -> None:
    assert score_level(None) is None
    assert score_level(1.0) == score_level(HIGH_FROM) == Level.HIGH
    assert score_level(HIGH_FROM - 0.01) == score_level(MEDIUM_FROM) == Level.MEDIUM
    assert score_level(MEDIUM_FROM - 0.01) == score_level(0.0) == Level.LOW
    assert [level.label for level in Level] == ["High", "Medium", "Low"]
