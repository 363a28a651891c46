"""How matching reads a text: normalisation, query cleaning and the match keys."""

import pytest

from claims.matching.text import match_clean, match_keys, match_normalise

STATEMENT = "Unemployment in the state fell by half in four years, the governor said."


def test_normalising_drops_case_punctuation_quotes_links_and_handles() -> None:
    assert match_normalise("“Taxes” ROSE, by 5% — see https://t.co/x @bob") == "taxes rose by 5 see"


def test_a_query_is_read_without_links_emoji_or_retweet_marks_and_with_hashtags_split() -> None:
    tweet = (
        "RT Wiped ⁦@BillClinton⁩ &amp; #JeffreyEpstein pics 😀✊🏽 #COVID19"
        " pic.twitter.com/ISkE https://t.co/33Vj — Ann (@ann) May 1, 2019"
    )

    assert match_clean(tweet) == (
        "Wiped @BillClinton & Jeffrey Epstein pics COVID 19 — Ann (@ann) May 1, 2019"
    )


def test_keys_hash_the_first_and_last_five_words_ignoring_case_and_punctuation() -> None:
    head, tail = match_keys(STATEMENT)
    assert isinstance(head, int) and isinstance(tail, int)
    assert -(2**31) <= head < 2**31 and -(2**31) <= tail < 2**31
    assert head != tail
    assert match_keys(
        "  UNEMPLOYMENT in the state -- fell by half in four years; the governor said"
    )
    assert match_keys(
        "“Unemployment” in_the STATE fell by half in four years... the governor said!"
    ) == (
        head,
        tail,
    )
    # An edit in one half keeps the other half's key.
    edited_tail = match_keys("Unemployment in the state fell by a third, the opposition said.")
    edited_head = match_keys(
        "Jobs data show unemployment fell by half in four years, the governor said"
    )
    assert edited_tail[0] == head and edited_tail[1] != tail
    assert edited_head[1] == tail and edited_head[0] != head
    # Stable across processes and releases: the stored keys depend on it.
    assert match_keys("one two three four five six") == (1832028233, -680242323)


@pytest.mark.parametrize(
    "text", ["", "...", "Taxes rose.", "one two three four five", "One, two, three. Four? Five!"]
)
def test_statements_under_six_words_have_no_keys(text: str) -> None:
    assert match_keys(text) == (None, None)
