"""Decoding text that is not UTF-8: the legacy encoding whose reading reads as a language, never
mojibake; a file whose encoding is uncertain fails with the candidates named."""

from pathlib import Path

import pytest

from sources.imports.documents import source_import_bytes, source_import_paths
from sources.parsers.text import UnreadableInput, decode_text

# Short texts first (a name, a headline), then sentences as articles have them.
TEXTS = {
    "Spanish": [
        "España",
        "Año nuevo en España",
        "El niño comió piña y jamón.",
        "La señora Muñoz afirmó que el número de desempleados bajó un 12% en el último año, "
        "pero los datos oficiales no lo confirman.",
    ],
    "French": [
        "Noël à Paris",
        "Le garçon a mangé une crêpe.",
        "Le ministre a déclaré que la dépense publique avait baissé de 3 % l'année dernière, "
        "ce que la Cour des comptes conteste.",
    ],
    "German": [
        "Grüße aus München",
        "Die Straße ist schön.",
        "Laut Statistik ist die Zahl der Geschäftsgründungen in Österreich gegenüber dem "
        "Vorjahr deutlich gefallen.",
    ],
    "Portuguese": [
        "São Paulo",
        "Ação e coração",
        "O ministro afirmou que a produção de café no Brasil aumentou 15% no último ano, "
        "segundo dados da associação.",
    ],
    "Polish": [
        "Łódź",
        "Zażółć gęślą jaźń",
        "Według posła liczba uczniów w szkołach średnich zmniejszyła się o piętnaście procent.",
    ],
    "Czech": [
        "Příliš žluťoučký kůň",
        "Ministr řekl, že nezaměstnanost klesla.",
        "Podle premiéra se počet nezaměstnaných v České republice za poslední rok snížil.",
    ],
    "Russian": [
        "Москва",
        "Привет, мир!",
        "Министр заявил, что уровень безработицы в России снизился до исторического минимума.",
    ],
}
ENCODINGS = {
    "Spanish": ["latin-1", "cp1252"],
    "French": ["latin-1", "cp1252"],
    "German": ["latin-1", "cp1252"],
    "Portuguese": ["latin-1", "cp1252"],
    "Polish": ["cp1250"],
    "Czech": ["cp1250"],
    "Russian": ["cp1251", "koi8-r"],
}
CASES = [
    pytest.param(text, encoding, id=f"{language}-{encoding}-{text[:12]}")
    for language, texts in TEXTS.items()
    for encoding in ENCODINGS[language]
    for text in texts
]


@pytest.mark.parametrize(("text", "encoding"), CASES)
def test_a_legacy_encoding_is_read_as_the_language_it_was_written_in(
    text: str, encoding: str
) -> None:
    assert decode_text(text.encode(encoding)) == text


def test_espana_never_becomes_espana_with_an_acute_n() -> None:
    # 0xF1 is "ñ" in Latin-1 and Windows-1252, "ń" in Windows-1250 and ISO-8859-2.
    assert decode_text(b"Espa\xf1a") == "España"
    assert decode_text(b"Gda\xf1sk") == "Gdańsk"


def test_typographic_punctuation_of_windows_1252_is_kept() -> None:
    text = "He said “no” \u2013 twice… and paid €5."

    assert decode_text(text.encode("cp1252")) == text


def test_an_uncertain_encoding_fails_naming_the_candidates() -> None:
    # "Leč" (Czech, Windows-1250) or "Leè" (Windows-1252): nothing in three letters settles it.
    with pytest.raises(UnreadableInput) as unsure:
        decode_text(b"Le\xe8")

    message = str(unsure.value)
    assert "unsure of the text encoding" in message
    assert "Windows-1250" in message and "Windows-1252" in message
    assert "save the file as UTF-8" in message


def test_text_in_no_known_legacy_encoding_fails_naming_those_tried() -> None:
    # Greek letters look like Latin ones to ruff; here they are the point.
    greek = "Η κυβέρνηση ανακοίνωσε νέα μέτρα για την οικονομία.".encode("cp1253")  # noqa: RUF001

    with pytest.raises(UnreadableInput) as unreadable:
        decode_text(greek)

    assert "Windows-1252 (Latin-1)" in str(unreadable.value)
    assert "KOI8-R" in str(unreadable.value)


@pytest.mark.django_db
def test_a_polish_article_in_windows_1250_is_stored_as_written() -> None:
    text = (
        "Minister powiedział, że bezrobocie w Polsce spadło do najniższego poziomu od "
        "trzydziestu lat. Według posła liczba uczniów zmniejszyła się o piętnaście procent.\n"
    )

    source, created = source_import_bytes(raw=text.encode("cp1250"), origin="pl.txt")

    assert source.body == text
    assert source.language == "pl"
    assert created == 2


@pytest.mark.django_db
def test_an_import_fails_only_the_file_whose_encoding_is_uncertain(tmp_path: Path) -> None:
    (tmp_path / "unsure.txt").write_bytes(b"Le\xe8")
    (tmp_path / "fine.txt").write_bytes("Die Straße in München ist schön.\n".encode("cp1252"))

    run = source_import_paths(paths=[tmp_path])

    by_file = {Path(item["path"]).name: item for item in run.items}
    assert by_file["fine.txt"]["status"] == "imported"
    assert by_file["unsure.txt"]["status"] == "failed"
    assert "Windows-1250" in by_file["unsure.txt"]["error"]
