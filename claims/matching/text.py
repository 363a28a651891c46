"""How matching reads a text: every normalisation a claim or a query goes through, in one place.

Plain Python, no Django imports: the model's fields, the importers, the demo data and a
migration call `match_keys` and `claim_fingerprint` when they write a claim.

- `text_normalise`: the words, lower-cased, one space apart. Its SHA-256 is the claim's
  `fingerprint` (the same statement, exactly); its first and last five words hash to the
  `match_head` and `match_tail` keys (an edited copy keeps one of them).
- `match_clean`: what claim_match reads of a text a user brings (a post, a tweet).
- `content_words`, `word_stems`, `text_similarity`: the words that carry a claim and how much
  two texts share them, for suggestions on import and for candidates without an embedding.
"""

import hashlib
import html
import re
import unicodedata
from collections.abc import Iterable

__all__ = [
    "MATCH_WORDS",
    "claim_fingerprint",
    "content_words",
    "fingerprint_normal",
    "match_clean",
    "match_keys",
    "match_keys_normal",
    "match_normalise",
    "query_text",
    "text_normalise",
    "text_similarity",
    "word_stems",
]

MATCH_WORDS = 5
# Runs of anything but letters and digits (the underscore counts as punctuation).
_NOT_WORD = re.compile(r"[\W_]+")

_URL = re.compile(r"(?:https?://|www\.|pic\.twitter\.com/)\S*", re.IGNORECASE)
_HANDLE = re.compile(r"@\w+")
_HASHTAG = re.compile(r"#(\w+)")
# Word boundaries inside a hashtag: lower to upper case, an acronym's end, letters to digits.
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=\d)")
# Emoji, pictographs and dingbats, variation selectors, zero-width and bidirectional marks.
_SYMBOLS = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\ufe00-\ufe0f\u200b-\u200f\u202a-\u202e\u2060-\u206f]"
)
_RETWEET = re.compile(r"^\s*RT\b:?")
# English function words (PostgreSQL's english stop words drop them too; listing them here keeps
# them out of the Dice overlap and out of the tsquery groups).
_STOP = frozenset(
    """a about above after again against all am an and any are as at be because been before being
    below between both but by can did do does doing down during each few for from further had has
    have having he her here hers herself him himself his how i if in into is it its itself just me
    more most my myself no nor not now of off on once only or other our ours ourselves out over own
    same she should so some such than that the their theirs them themselves then there these they
    this those through to too under until up very was we were what when where which while who whom
    why will with you your yours yourself yourselves s t don""".split()
)


def text_normalise(text: str) -> str:
    """The text's words, lower-cased and one space apart: compatibility forms (NFKC), case,
    punctuation, quotes and whitespace folded away. claim_fingerprint hashes it, the match keys
    are cut from it, and matching reads its words from it."""
    return _NOT_WORD.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def fingerprint_normal(normal: str) -> str:
    """claim_fingerprint of a text already passed through text_normalise."""
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()


def claim_fingerprint(text: str) -> str:
    """SHA-256 of the text with case, accents' compatibility forms, punctuation, quotes and
    whitespace normalised away: two statements that differ only in those share a fingerprint."""
    return fingerprint_normal(text_normalise(text))


def _key(words: list[str]) -> int:
    # A stable hash (the same in every process, unlike hash()) fitting the integer column.
    digest = hashlib.blake2b(" ".join(words).encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big", signed=True)


def match_keys_normal(normal: str) -> tuple[int | None, int | None]:
    """match_keys of a text already passed through text_normalise."""
    words = normal.split()
    if len(words) <= MATCH_WORDS:
        return None, None
    return _key(words[:MATCH_WORDS]), _key(words[-MATCH_WORDS:])


def match_keys(text: str) -> tuple[int | None, int | None]:
    """(match_head, match_tail) of `text`: signed 32-bit hashes of its first and last five
    normalised words, or (None, None) when it has fewer than six.

    An edit in one half of a statement leaves the other half's key intact, and each key is
    nearly unique, so import-time matching reads a few B-tree entries per statement however
    many claims share common words. Computed here rather than by the database, since a
    generated column's regular expressions would cost every imported row in the COPY."""
    return match_keys_normal(text_normalise(text))


def match_clean(text: str) -> str:
    """What claim_match reads of a text a user brings (a post, a tweet, a sentence): HTML
    entities decoded, compatibility forms folded (NFKC), links dropped, hashtags split into
    their words (#JeffreyEpstein: Jeffrey Epstein), emoji and invisible marks dropped, and a
    leading retweet mark. Names and @handles stay: a claim often names who said it."""
    text = _URL.sub(" ", unicodedata.normalize("NFKC", html.unescape(text)))
    text = _HASHTAG.sub(lambda m: " " + _CAMEL.sub(" ", m.group(1)) + " ", text)
    return " ".join(_RETWEET.sub(" ", _SYMBOLS.sub(" ", text)).split())


def query_text(text: str) -> str:
    """The text PostgreSQL parses for a query's lexemes: links and @handles carry no claim;
    punctuation stays for PostgreSQL's parser (numbers)."""
    return _HANDLE.sub(" ", _URL.sub(" ", unicodedata.normalize("NFKC", text)))


def match_normalise(text: str) -> str:
    """Lower-case words only: compatibility forms, case, punctuation, quotes, URLs and @handles
    normalised away (text_normalise, as for `claim_fingerprint`, without the links and
    handles)."""
    return text_normalise(query_text(text))


def content_words(text: str) -> list[str]:
    """The words of `text` (match_normalise) that are not English function words, in order."""
    return [w for w in match_normalise(text).split() if w not in _STOP]


def _stem(word: str) -> str:
    # Crude plural folding for the Dice overlap ("taxes" ~ "tax"); PostgreSQL stems the search.
    if len(word) > 4 and word.endswith("es"):
        return word[:-2]
    if len(word) > 3 and word.endswith("s"):
        return word[:-1]
    return word


def word_stems(words: Iterable[str]) -> set[str]:
    """The words with plurals folded, as text_similarity compares them."""
    return {_stem(w) for w in words}


def text_similarity(query_stems: set[str], text: str, trigram: float) -> float:
    """How alike `text` is to a query whose content words stem to `query_stems`: the mean of
    the Dice overlap of their content words and `trigram` (pg_trgm's similarity of the two)."""
    words = word_stems(content_words(text))
    if not query_stems or not words:
        return trigram
    dice = 2 * len(query_stems & words) / (len(query_stems) + len(words))
    return (dice + trigram) / 2
