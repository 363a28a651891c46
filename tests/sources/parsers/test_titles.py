"""Titles of documents that give none, and text cut to fit: at word boundaries, never inside a
word, never a dangling "as…"."""

from pathlib import Path

import pytest
from django.core.management import call_command

from sources.models import Source
from sources.parsers.split import split_statements
from sources.parsers.titles import document_title, words_cut

SEED = Path(__file__).resolve().parents[3] / "seeds" / "000_b52872a958dbdb28.txt"


def test_words_cut_keeps_whole_words_and_marks_the_cut() -> None:
    text = "Wang Yi reiterated China's commitment to a peaceful resolution of the dispute"
    cut = words_cut(text, 40)
    assert cut == "Wang Yi reiterated China's commitment…"
    assert len(cut) <= 40
    assert words_cut("Short enough.", 40) == "Short enough."
    assert words_cut("It was sent amid new U.S. sanctions as part of it", 40) == (
        "It was sent amid new U.S. sanctions…"
    )
    assert words_cut("Supercalifragilistic", 10) == "Supercali…"  # one word longer than all


def test_a_short_first_line_is_the_title() -> None:
    body = "Budget vote delayed\n\nThe council said on Monday that it would vote later."
    assert document_title(body, split_statements(body)[0]) == "Budget vote delayed"


def test_a_long_first_line_gives_its_first_sentence_cut_at_a_word() -> None:
    body = SEED.read_text(encoding="utf-8")
    title = document_title(body, split_statements(body)[0])
    assert title == "The letter, which has not been released, was sent amid new U.S. sanctions…"


@pytest.mark.django_db
def test_the_seed_article_is_imported_with_a_sensible_title(seed_folder: Path) -> None:
    call_command("import_seeds", str(seed_folder), "--json")
    title = Source.objects.get().title
    assert title.startswith("The letter, which has not been released")
    assert len(title) <= 80 and title.endswith("sanctions…")
