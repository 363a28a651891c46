"""Turning bytes into text we can store: decoding, line endings, language.

Text that is not UTF-8 is read in each legacy single-byte encoding it may come in, and the
reading kept is the one that reads as a language: its letters are letters of that language,
written in one script and in plausible case, and its words, where the readings differ, look like
the language's words (py3langid's byte n-gram model). When two readings are about as plausible
("España" or "Espańa"?), the file fails with an error naming both rather than storing mojibake.
"""

import codecs
import functools
import itertools
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

import charset_normalizer
import py3langid


class UnreadableInput(ValueError):
    """The input cannot become a source; the message says why, for the person who supplied it."""


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16: its BOM starts the same way
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# C0 control characters other than tab, LF, FF and CR: text files do not contain them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_NEWLINES = re.compile(r"\r\n?")


def decode_text(raw: bytes) -> str:
    """Decode `raw` as text: UTF-8 (BOM dropped) or a legacy encoding that reads as a language;
    LF line endings.

    Raises UnreadableInput for empty, binary or undecodable input, and for text whose legacy
    encoding is uncertain (the message names the candidates).
    """
    if not raw.strip():
        raise UnreadableInput("the file is empty")
    text = _decode(raw)
    if len(_CONTROL.findall(text[:65536])) > max(2, len(text[:65536]) // 1000):
        raise UnreadableInput("binary file: it contains control bytes, not text")
    text = _NEWLINES.sub("\n", text)
    if not text.strip():
        raise UnreadableInput("the file contains no text")
    return text


def _decode(raw: bytes) -> str:
    if raw.startswith(codecs.BOM_UTF8):
        try:
            return raw[len(codecs.BOM_UTF8) :].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UnreadableInput(f"invalid UTF-8 at byte {exc.start} after a UTF-8 BOM") from None
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError as exc:
                raise UnreadableInput(f"invalid {encoding} at byte {exc.start}") from None
    if b"\x00" in raw:
        raise UnreadableInput("binary file: it contains NUL bytes")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    return _decode_legacy(raw)


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language (py3langid, on the first 3,000 characters: a few
    hundred words settle it, and py3langid took 16 ms for 10,000 characters against 0.9 ms for
    3,000, a third of a worker's time on a folder of articles)."""
    sample = text[:3000]
    if not any(ch.isalpha() for ch in sample):
        return ""
    language, _score = py3langid.classify(sample)
    return language


# ---------------------------------------------------------------------------------------------
# Legacy encodings

# The single-byte encodings a text that is not UTF-8 may be in, with their names in messages.
# Latin-1 (ISO-8859-1) is read as Windows-1252, which is the same for every letter.
LEGACY_ENCODINGS = {
    "cp1252": "Windows-1252 (Latin-1)",
    "iso-8859-15": "ISO-8859-15",
    "cp1250": "Windows-1250",
    "iso-8859-2": "ISO-8859-2",
    "cp1254": "Windows-1254",
    "cp1251": "Windows-1251",
    "koi8-r": "KOI8-R",
    "koi8-u": "KOI8-U",
}

_CYRILLIC = "абвгдежзийклмнопрстуфхцчшщъыьэюя"
# The letters beyond ASCII that each language written in those encodings uses (lower case), by
# its py3langid code, with its name. English uses none: a name like "Muñoz" in an English text
# is allowed for by the share of letters a language may borrow (_BORROWED).
LANGUAGES: dict[str, tuple[str, str]] = {
    "en": ("English", ""),
    "es": ("Spanish", "áéíóúüñ"),
    "pt": ("Portuguese", "áâãàçéêíóôõúü"),
    "fr": ("French", "àâæçéèêëîïôœùûüÿ"),
    "de": ("German", "äöüß"),
    "it": ("Italian", "àèéìíîòóùú"),
    "ca": ("Catalan", "àçèéíïòóúü"),
    "gl": ("Galician", "áéíóúñü"),
    "eu": ("Basque", "ñç"),
    "nl": ("Dutch", "áäéëèêíïóöôúüç"),
    "sv": ("Swedish", "åäöé"),
    "da": ("Danish", "æøåé"),
    "no": ("Norwegian", "æøåéèêóòô"),
    "nn": ("Norwegian Nynorsk", "æøåéèêóòô"),
    "fi": ("Finnish", "äöåšž"),
    "is": ("Icelandic", "áðéíóúýþæö"),
    "ga": ("Irish", "áéíóú"),
    "et": ("Estonian", "äöõüšž"),
    "pl": ("Polish", "ąćęłńóśźż"),
    "cs": ("Czech", "áčďéěíňóřšťúůýž"),
    "sk": ("Slovak", "áäčďéíĺľňóôŕšťúýž"),
    "hu": ("Hungarian", "áéíóöőúüű"),
    "sl": ("Slovenian", "čšžćđ"),
    "hr": ("Croatian", "čćđšž"),
    "bs": ("Bosnian", "čćđšž"),
    "ro": ("Romanian", "ăâîșşțţ"),
    "sq": ("Albanian", "çë"),
    "tr": ("Turkish", "çğıöşüâîû\u0307"),  # "İ".lower() is "i" and a combining dot
    "ru": ("Russian", _CYRILLIC + "ё"),
    "uk": ("Ukrainian", _CYRILLIC.replace("ъ", "").replace("ы", "").replace("э", "") + "ґєії"),
    "be": ("Belarusian", _CYRILLIC.replace("и", "").replace("щ", "").replace("ъ", "") + "ёіў"),
    "bg": ("Bulgarian", _CYRILLIC.replace("ы", "").replace("э", "")),
    "mk": ("Macedonian", "абвгдѓежзѕијклљмнњопрстќуфхцчџш"),
    "sr": ("Serbian", "абвгдђежзијклљмнњопрстћуфхцчџш"),
}
# A language may borrow a few letters (names, loanwords): up to this share of a text's letters
# beyond ASCII.
_BORROWED = 0.1
# Non-ASCII characters other than letters that legacy-encoded text holds: Latin-1's signs
# (U+00A0 to U+00BF, the multiplication and division signs) and the typographic quotes, dashes,
# ellipsis, bullet, euro, trade mark and numero signs. Any other one (C1 controls, box drawing,
# ...) is a sign of a wrong reading.
_PLAIN_SYMBOLS = frozenset(
    [chr(code) for code in range(0xA0, 0xC0)]
    + list("\u00d7\u00f7\u2013\u2014\u2018\u2019\u201a\u201b\u201c\u201d\u201e")
    + list("\u2020\u2021\u2022\u2026\u2030\u2039\u203a\u20ac\u2116\u2122")
)
# Of those, the ones that stand between two letters of a word (the typographic apostrophe of
# French "l'été", the middle dot of Catalan "col·lecció", a soft hyphen), and the accents that
# never touch a letter (a diaeresis, acute, cedilla or macron standing for itself).
_IN_WORD = frozenset("\u2019\u00b7\u00ad")
_LONE_ACCENTS = frozenset("\u00a8\u00b4\u00b8\u00af")
# Characters of a reading looked at for odd ones and for its letters.
_LOOKED_AT = 65536
_WORD = re.compile(r"[^\W\d_]+")
# A reading is chosen over another when its language is this many times more probable in it
# than the other's is in the other (py3langid's probabilities, over LANGUAGES)...
_RATIO = 3.0
# ...or, when both read as the same language, when its words are this much more plausible in
# that language (mean log-probability per n-gram, in nats) where the readings differ.
_MARGIN = 0.3
# Characters of a reading that py3langid weighs (it needs a few hundred words, not a book).
_SAMPLE = 5000


@dataclass(frozen=True)
class _Reading:
    text: str
    encodings: tuple[str, ...]
    language: str
    probability: float  # of `language`, in the reading

    def describe(self) -> str:
        name = LANGUAGES[self.language][0]
        return f"{name} in {' or '.join(LEGACY_ENCODINGS[e] for e in self.encodings)}"


class _Model:
    """py3langid's model, restricted to LANGUAGES: which language a text reads as, and how
    plausible a text is in a language (the mean log-probability of its byte n-grams)."""

    def __init__(self) -> None:
        self.identifier = py3langid.langid.LanguageIdentifier.from_model_file(
            py3langid.langid.MODEL_FILE, norm_probs=True
        )
        self.identifier.set_languages(list(LANGUAGES))
        self.rowbase = [row << 8 for row in self.identifier.tk_row]
        self.column = {code: i for i, code in enumerate(self.identifier.nb_classes)}

    def ranked(self, text: str) -> list[tuple[str, float]]:
        return self.identifier.rank(text)

    def plausibility(self, text: str, language: str) -> float:
        if text.isupper():  # as py3langid reads it
            text = text.lower()
        encoded = unicodedata.normalize("NFC", text).encode("utf-8")
        ident = self.identifier
        counts = py3langid.langid.visit_counts(
            ident.tk_nextmove, self.rowbase, ident.tk_output, encoded
        )
        if not counts:
            return -math.inf
        column = self.column[language]
        weights = {feature: math.log1p(n) for feature, n in counts.items()}
        total = sum(w * float(ident.nb_ptc[f, column]) for f, w in weights.items())
        return total / sum(weights.values())


@functools.cache
def _model() -> _Model:
    return _Model()


def _odd(text: str) -> int:
    """How many things in `text` no language writes: control and drawing characters, a symbol
    inside a word, a word mixing scripts, a word whose case goes from lower to upper."""
    odd = 0
    for i, ch in enumerate(text):
        if ch.isascii() or ch.isalpha() or ch.isspace():
            continue
        before, after = text[i - 1 : i].isalpha(), text[i + 1 : i + 2].isalpha()
        if ch not in _PLAIN_SYMBOLS:
            odd += 1
        elif ch in _LONE_ACCENTS and (before or after):
            odd += 1
        elif ch not in _IN_WORD and before and after:
            odd += 1
    for word in _WORD.findall(text):
        if word.isascii():
            continue
        if len({unicodedata.name(ch, "?").split(" ")[0] for ch in word}) > 1:
            odd += 1
        elif any(a.islower() and b.isupper() for a, b in itertools.pairwise(word)):
            odd += 1
    return odd


def _letters(text: str) -> Counter[str]:
    """The letters beyond ASCII in `text`, lower case, counted."""
    found: Counter[str] = Counter()
    for ch in text:
        if not ch.isascii() and ch.isalpha():
            found.update(c for c in ch.lower() if not c.isascii())
    return found


def _language(text: str) -> tuple[str, float] | None:
    """The most probable language whose alphabet holds the text's letters (all but a few),
    with its probability."""
    letters = _letters(text)
    total = sum(letters.values())
    for language, probability in _model().ranked(text[:_SAMPLE]):
        alphabet = LANGUAGES[language][1]
        foreign = sum(n for letter, n in letters.items() if letter not in alphabet)
        if foreign <= total * _BORROWED:
            return language, probability
    return None


def _readings(raw: bytes) -> list[_Reading]:
    """Each distinct text `raw` reads as in LEGACY_ENCODINGS that reads as a language, the
    most probable first."""
    texts: dict[str, list[str]] = {}
    for encoding in LEGACY_ENCODINGS:
        try:
            texts.setdefault(raw.decode(encoding), []).append(encoding)
        except UnicodeDecodeError:
            continue
    readings = []
    for text, encodings in texts.items():
        looked_at = text[:_LOOKED_AT]
        beyond_ascii = sum(1 for ch in looked_at if not ch.isascii())
        if _odd(looked_at) > beyond_ascii // 100:
            continue
        found = _language(looked_at)
        if found is not None:
            readings.append(_Reading(text, tuple(encodings), *found))
    return sorted(readings, key=lambda r: r.probability, reverse=True)


def _differing_words(raw: bytes, readings: list[_Reading]) -> list[_Reading]:
    """`readings` of `raw` cut down to the words where they differ (a single-byte reading has a
    character for each byte, and ASCII bytes read alike), each read again."""
    first = readings[0].text
    differ = [
        i
        for i, byte in enumerate(raw[:_LOOKED_AT])
        if byte >= 0x80 and any(r.text[i] != first[i] for r in readings[1:])
    ]
    cut = []
    for reading in readings:
        text, words, end = reading.text, [], -1
        for i in differ:
            if i < end:
                continue
            start = i
            while start > 0 and not text[start - 1].isspace():
                start -= 1
            end = i
            while end < len(text) and not text[end].isspace():
                end += 1
            words.append(text[start:end])
            if sum(map(len, words)) > _SAMPLE:
                break
        found = _language(" ".join(words))
        if found is not None:
            cut.append(_Reading(" ".join(words), reading.encodings, *found))
    return sorted(cut, key=lambda r: r.probability, reverse=True)


def _clearly_best(readings: list[_Reading]) -> int | None:
    """The index of the reading that is clearly the best of `readings` (most probable first),
    or None: its language is _RATIO times as probable in it as the next reading's in that one,
    or its words are _MARGIN more plausible than the next reading's in both their languages."""
    best, second = readings[0], readings[1]
    if best.probability >= _RATIO * second.probability:
        return 0
    model = _model()
    winners = set()
    for language in {best.language, second.language}:
        first, other = (model.plausibility(r.text, language) for r in (best, second))
        if abs(first - other) < _MARGIN:
            return None
        winners.add(0 if first > other else 1)
    return winners.pop() if len(winners) == 1 else None


def _decode_legacy(raw: bytes) -> str:
    """The one reading of `raw` in a legacy encoding that reads as a language, or the clearly
    best of several (over the whole text, then over the words where they differ);
    UnreadableInput naming the candidates when unsure."""
    readings = _readings(raw)
    if len(readings) == 1:
        return readings[0].text
    if not readings:
        return _decode_other(raw)
    chosen = _clearly_best(readings)
    if chosen is None:
        words = _differing_words(raw, readings)
        if len(words) == 1:
            chosen = next(i for i, r in enumerate(readings) if r.encodings == words[0].encodings)
        elif len(words) > 1 and (best := _clearly_best(words)) is not None:
            chosen = next(i for i, r in enumerate(readings) if r.encodings == words[best].encodings)
    if chosen is not None:
        return readings[chosen].text
    raise UnreadableInput(
        f"unsure of the text encoding: it reads as {readings[0].describe()} or as "
        f"{readings[1].describe()}; save the file as UTF-8 and import it again"
    )


def _decode_other(raw: bytes) -> str:
    """An encoding beyond the legacy ones (a multi-byte one, UTF-16 without a BOM, ...), as
    charset-normalizer finds it; never a single-byte one like LEGACY_ENCODINGS, whose readings
    were refused."""
    tried = ", ".join(LEGACY_ENCODINGS.values())
    best = charset_normalizer.from_bytes(raw).best()
    if best is None or _single_byte(best.encoding):
        raise UnreadableInput(
            f"undecodable: not UTF-8, and no reading in {tried} reads as a language; "
            "save the file as UTF-8 and import it again"
        )
    return str(best)


def _single_byte(encoding: str) -> bool:
    """Whether `encoding` (a Python codec name) is a single-byte code page."""
    return len(bytes(range(256)).decode(encoding, errors="replace")) == 256
