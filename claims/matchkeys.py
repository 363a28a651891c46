"""The `match_head` and `match_tail` keys of a claim's text (no Django imports: the model's
fields, the importers and the migration that backfilled them all call `match_keys`).

Hashes of the first and of the last five words of the normalised text (text_normalise, which
claim_fingerprint hashes too); NULL for statements under six
words. An edit in one half of a statement leaves the other half's key intact, and each key is
nearly unique, so `claims_match_new` reads a few B-tree entries per statement however many
claims share common words. Until migration 0010 PostgreSQL computed them as generated columns
(`hashtext` and two regular-expression passes per row: 16 of the ~57 µs each imported row cost
in the COPY); the values differ from `hashtext`'s, which is why 0010 recomputed every row.
"""

import hashlib
import re
import unicodedata

__all__ = ["MATCH_WORDS", "match_keys", "match_keys_normal", "text_normalise"]

MATCH_WORDS = 5
# Runs of anything but letters and digits (the underscore counts as punctuation).
_NOT_WORD = re.compile(r"[\W_]+")


def text_normalise(text: str) -> str:
    """The text's words, lower-cased and one space apart: compatibility forms (NFKC), case,
    punctuation, quotes and whitespace folded away. claim_fingerprint hashes it, the match keys
    are cut from it, and matching reads its words from it."""
    return _NOT_WORD.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


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
    normalised words, or (None, None) when it has fewer than six."""
    return match_keys_normal(text_normalise(text))
