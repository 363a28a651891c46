"""Statement splitting: sentence rules, abbreviations, and line structure (no Django needed)."""

# The fixture and the rules use typographic quotes and dashes on purpose.
# ruff: noqa: RUF001

from pathlib import Path

import pytest

from sources.parsers.split import split_statements

SEED = Path("/work/shared/seeds/000_b52872a958dbdb28.txt")
SEED_DIRS = (SEED.parent, Path(__file__).resolve().parents[3] / "seeds")

SEED_STATEMENTS = [
    "The letter, which has not been released, was sent amid new U.S. sanctions as part of "
    "Trump's “maximum pressure” campaign.",
    "This approach signals the possibility of military action while also expressing hope for "
    "a new deal.",
    "China’s Vice Foreign Minister Ma Zhaoxu, reading from a joint statement, emphasized the need "
    "to lift all “unlawful unilateral sanctions.”",
    "He was joined by Russia’s Deputy Foreign Minister Sergey Ryabkov and Iran’s Deputy Foreign "
    "Minister Kazem Gharibabadi.",
    "The statement reinforced that diplomatic engagement and mutual respect remain the only "
    "viable path forward.",
    "Chinese Foreign Minister Wang Yi reiterated China's commitment to a peaceful resolution and "
    "its opposition to “illegal” sanctions, as reported by Xinhua News Agency.",
    "He also reaffirmed China’s support for the Joint Comprehensive Plan of Action (JCPOA), the "
    "2015 nuclear deal, as the basis for a new consensus.",
    "Iran’s Supreme Leader Ayatollah Ali Khamenei has dismissed Trump’s outreach, citing "
    'reluctance to negotiate with a "bullying government."',
    "However, Iranian officials have given mixed signals about the possibility of talks.",
    "Despite Khamenei’s dismissals, Trump’s 2019 letter to Khamenei had no significant impact on "
    "tensions.",
    "China and Russia, both permanent members of the U.N. Security Council, were part of the 2015 "
    "nuclear deal, which Trump withdrew from in 2018, leading to rising tensions.",
    "Both nations maintain close relations with Iran, particularly in energy deals, and have "
    "mutual interests in limiting U.S. influence globally.",
    "Iran insists its nuclear program is peaceful, but its increasing enrichment of uranium to "
    "near weapons-grade levels (60%) has raised concerns.",
    "Under the 2015 deal, Iran’s uranium enrichment was capped at 3.67%, with a stockpile limit "
    "of 300 kg.",
    "As of the last International Atomic Energy Agency report, Iran’s stockpile had surged to "
    "over 8,000 kg, with a significant portion enriched to 60%.",
    "While Iran insists it won’t negotiate under pressure, the country has suffered from severe "
    "economic challenges due to U.S. sanctions, alongside protests over women’s rights, economic "
    "issues, and government policies.",
    "China has also sought a more prominent role in Middle Eastern diplomacy, exemplified by its "
    "role in brokering the recent restoration of diplomatic ties between Saudi Arabia and Iran.",
]


def texts(text: str) -> list[str]:
    return [text[start:end] for start, end in split_statements(text)]


def assert_spans_valid(text: str) -> None:
    previous_end = 0
    for start, end in split_statements(text):
        piece = text[start:end]
        assert piece, (start, end)
        assert piece == piece.strip(), repr(piece)
        assert previous_end <= start < end <= len(text)
        previous_end = end


# --- acceptance fixture -------------------------------------------------------------------------


@pytest.mark.skipif(not SEED.exists(), reason="shared seed fixture not available")
def test_seed_fixture_splits_into_the_17_expected_statements() -> None:
    text = SEED.read_text(encoding="utf-8")
    spans = split_statements(text)
    assert [text[start:end] for start, end in spans] == SEED_STATEMENTS
    assert_spans_valid(text)


@pytest.mark.skipif(not SEED.exists(), reason="shared seed fixture not available")
def test_seed_fixture_statements_per_line() -> None:
    lines = SEED.read_text(encoding="utf-8").split("\n")
    per_line = [len(split_statements(line)) for line in lines if line.strip()]
    assert per_line == [2, 2, 3, 3, 2, 3, 1, 1]


# --- sentence boundaries ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It rained. We stayed in.", ["It rained.", "We stayed in."]),
        ("Is it true? Nobody knows.", ["Is it true?", "Nobody knows."]),
        ("Stop! Now.", ["Stop!", "Now."]),
        ("Really?! Yes.", ["Really?!", "Yes."]),
        ("It ended in 2015. 2016 was calmer.", ["It ended in 2015.", "2016 was calmer."]),
        ('He left. "Why?" she asked.', ["He left.", '"Why?" she asked.']),
        ("He left. (Nobody saw.)", ["He left.", "(Nobody saw.)"]),
        ("Es tarde. Ñandúes corren.", ["Es tarde.", "Ñandúes corren."]),
        ("Gut. Übermorgen geht es.", ["Gut.", "Übermorgen geht es."]),
        ("Да. Привет мир.", ["Да.", "Привет мир."]),
        ("C'est fini. Élise part.", ["C'est fini.", "Élise part."]),
    ],
)
def test_terminator_followed_by_sentence_start_ends_sentence(
    text: str, expected: list[str]
) -> None:
    assert texts(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "The value was 3.67% in v2.0 of the report.",
        "Over 8,000 kg and 1.5 million people.",
        "It ended. and then it went on.",
        "C'est fini. élise part.",
        "Why? because.",
        "The end.Next to nothing.",
    ],
)
def test_no_boundary_without_whitespace_and_sentence_start(text: str) -> None:
    assert texts(text) == [text]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("He called them “unlawful.” He left.", ["He called them “unlawful.”", "He left."]),
        ('A "bullying government." However, no.', ['A "bullying government."', "However, no."]),
        ("She said 'no.' Then left.", ["She said 'no.'", "Then left."]),
        ("Er sagte „nein.“ Dann ging er.", ["Er sagte „nein.“", "Dann ging er."]),
        ("Il dit «non.» Puis partit.", ["Il dit «non.»", "Puis partit."]),
        ("(It was over.) Then more.", ["(It was over.)", "Then more."]),
        ("[Sic.] Then more.", ["[Sic.]", "Then more."]),
    ],
)
def test_closing_quotes_and_brackets_belong_to_the_sentence_they_close(
    text: str, expected: list[str]
) -> None:
    assert texts(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Wait... The end.", ["Wait...", "The end."]),
        ("Wait… The end.", ["Wait…", "The end."]),
        ("And so... it goes on.", ["And so... it goes on."]),
        ("And so… it goes on.", ["And so… it goes on."]),
    ],
)
def test_ellipsis_ends_sentence_only_before_uppercase(text: str, expected: list[str]) -> None:
    assert texts(text) == expected


def test_spanish_inverted_marks_open_sentences() -> None:
    assert texts("¿Qué pasa? Nada.") == ["¿Qué pasa?", "Nada."]
    assert texts("Bien. ¡Hola! ¿Y tú?") == ["Bien.", "¡Hola!", "¿Y tú?"]


def test_german_abbreviation_z_b_does_not_end_sentence() -> None:
    assert texts("Das ist z.B. gut. Und so.") == ["Das ist z.B. gut.", "Und so."]


# --- abbreviations ------------------------------------------------------------------------------


def test_abbreviation_dr_does_not_end_sentence() -> None:
    assert texts("We met Dr. Jones today. It went well.") == [
        "We met Dr. Jones today.",
        "It went well.",
    ]


@pytest.mark.parametrize(
    "abbr",
    "Mr Mrs Ms Dr Prof Sr Jr St Gen Gov Sen Rep Rev Lt Col Capt Sgt Mt Sra Dra".split(),
)
def test_title_abbreviation_before_a_name_does_not_end_sentence(abbr: str) -> None:
    assert texts(f"They saw {abbr}. Garcia there. It rained.") == [
        f"They saw {abbr}. Garcia there.",
        "It rained.",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Apples vs. Oranges is a debate.",
        "Roe v. Wade was decided.",
        "Fruit, e.g. Apples, is healthy.",
        "One fruit, i.e. Apples, is healthy.",
        "It weighs approx. 5 kg.",
        "Das ist bzw. Mehr oder weniger.",
        "Use fruit etc. and vegetables.",
        "Smith et al. (2019) found it.",
    ],
)
def test_common_abbreviations_do_not_end_sentence(text: str) -> None:
    assert texts(text) == [text]


@pytest.mark.parametrize("abbr", ["No", "Nr", "Fig", "Vol", "pp", "Art", "Jan", "Aug", "Sept"])
def test_abbreviation_before_a_number_does_not_end_sentence(abbr: str) -> None:
    assert texts(f"See {abbr}. 10 here.") == [f"See {abbr}. 10 here."]


def test_no_before_number_is_abbreviation_but_no_before_word_ends_sentence() -> None:
    assert texts("He lives at No. 10 Downing Street.") == ["He lives at No. 10 Downing Street."]
    assert texts("The answer was No. Then he left.") == ["The answer was No.", "Then he left."]


def test_etc_before_uppercase_ends_sentence() -> None:
    assert texts("Apples, pears, etc. The rest.") == ["Apples, pears, etc.", "The rest."]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Apple Inc. Executives agreed.", ["Apple Inc. Executives agreed."]),
        ("He joined Apple Inc. The firm grew.", ["He joined Apple Inc.", "The firm grew."]),
        ("Acme Ltd. Board met.", ["Acme Ltd. Board met."]),
        ("Smith & Co. However, no.", ["Smith & Co.", "However, no."]),
        ("Martin Luther King Jr. He spoke.", ["Martin Luther King Jr.", "He spoke."]),
    ],
)
def test_company_and_name_suffixes_end_sentence_only_before_a_starter(
    text: str, expected: list[str]
) -> None:
    assert texts(text) == expected


@pytest.mark.parametrize("abbr", ["U.S.", "U.N.", "U.K.", "E.U.", "D.C.", "a.m.", "p.m."])
def test_dotted_initialism_before_a_capitalised_name_does_not_end_sentence(abbr: str) -> None:
    text = f"Officials at the {abbr} Security Council met."
    assert texts(text) == [text]


@pytest.mark.parametrize("abbr", ["U.S.", "U.N.", "U.K.", "E.U.", "D.C.", "a.m.", "p.m."])
@pytest.mark.parametrize("starter", ["The", "However,", "In", "It", "They"])
def test_dotted_initialism_before_a_sentence_starter_ends_sentence(abbr: str, starter: str) -> None:
    assert texts(f"It happened in the {abbr} {starter} next one came.") == [
        f"It happened in the {abbr}",
        f"{starter} next one came.",
    ]


def test_dotted_initialism_before_lowercase_does_not_end_sentence() -> None:
    text = "New U.S. sanctions and U.N. talks at 5 p.m. today."
    assert texts(text) == [text]


@pytest.mark.parametrize(
    "text",
    ["J. R. R. Tolkien wrote books.", "George W. Bush spoke.", "John F. Kennedy was shot."],
)
def test_single_letter_name_initials_never_end_sentence(text: str) -> None:
    assert texts(text) == [text]


# --- line structure -----------------------------------------------------------------------------


def test_single_newline_ends_statement_even_without_punctuation() -> None:
    assert texts("First line\nSecond line.") == ["First line", "Second line."]


def test_blank_lines_end_statements() -> None:
    assert texts("One\n\n\nTwo.\n  \n\tThree") == ["One", "Two.", "Three"]


def test_heading_without_punctuation_is_its_own_statement() -> None:
    assert texts("Iran talks\nThe talks failed. Nobody came.") == [
        "Iran talks",
        "The talks failed.",
        "Nobody came.",
    ]


@pytest.mark.parametrize("marker", ["#", "##", "######"])
def test_markdown_heading_marker_is_excluded(marker: str) -> None:
    text = f"{marker} Sanctions news\nBody text."
    assert texts(text) == ["Sanctions news", "Body text."]
    assert split_statements(text)[0][0] == len(marker) + 1


@pytest.mark.parametrize("marker", ["-", "*", "•", "·", "–", "—", "+"])
def test_bulleted_list_items_are_separate_statements(marker: str) -> None:
    text = f"{marker} Iran enriched uranium\n{marker} Russia objected.\n  {marker}   China too"
    assert texts(text) == ["Iran enriched uranium", "Russia objected.", "China too"]


@pytest.mark.parametrize("marker", ["1.", "1)", "(1)", "(a)", "a)", "a.", "i.", "iv.", "(ii)"])
def test_numbered_list_marker_is_excluded_from_the_span(marker: str) -> None:
    text = f"{marker} Iran enriched uranium. It was 60%.\n{marker} Russia objected"
    assert texts(text) == ["Iran enriched uranium.", "It was 60%.", "Russia objected"]
    assert split_statements(text)[0][0] == len(marker) + 1


@pytest.mark.parametrize(
    "text",
    [
        "2015 was a year of talks.",
        "1.5 million people came.",
        "10% of voters agreed.",
        "A. Smith wrote it.",
        "-5 degrees was the low.",
        "#hashtag trends today.",
        "**Bold** claim here.",
    ],
)
def test_line_start_that_is_not_a_marker_is_kept(text: str) -> None:
    assert texts(text) == [text]


@pytest.mark.parametrize("line", ["***", "---", "- - -", "* * *", "...", "#", "1.", "—", "“”"])
def test_lines_without_letters_or_digits_are_dropped(line: str) -> None:
    assert texts(f"Before.\n{line}\nAfter.") == ["Before.", "After."]


def test_leading_and_trailing_whitespace_is_excluded() -> None:
    text = "  \n\t  Padded statement.   Another one.  \t\n\n   "
    assert texts(text) == ["Padded statement.", "Another one."]


def test_stray_carriage_return_is_treated_as_whitespace() -> None:
    # Input is normalised to LF upstream; a leftover CR must still never end up inside a span.
    assert texts("One.\r\nTwo.\r\n") == ["One.", "Two."]


@pytest.mark.parametrize("text", ["", " ", "\n", "\n\n \t\n"])
def test_empty_or_blank_input_gives_no_statements(text: str) -> None:
    assert split_statements(text) == []


# --- invariants ---------------------------------------------------------------------------------

SAMPLES = [
    "  - Mr. Smith met Dr. Jones at 5 p.m. The end...  \n\n1. U.S. A\n(a) “Quoted.” (Aside.) Yes?!",
    "Ellipsis… Then. ¿Qué? ¡Sí! z.B. Nr. 5 bzw.\n***\n# Heading\n  \t\n…\n. . .\nlast",
    "Tabs\tand\u00a0nbsp. Here.\u00a0 There.\nNo. 10. Then. e.g. X. i.e. Y.",
]


def _fixture_texts() -> list[str]:
    files = sorted({p for d in SEED_DIRS if d.is_dir() for p in d.glob("*.txt")})
    return SAMPLES + [p.read_text(encoding="utf-8") for p in files]


@pytest.mark.parametrize("text", _fixture_texts())
def test_spans_are_stripped_non_empty_and_increasing(text: str) -> None:
    assert_spans_valid(text)
