"""The `match_head` and `match_tail` keys of a claim's text (no Django imports: the model's
fields, the importers and the migration that backfilled them all call `match_keys`).

Hashes of the first and of the last five words of the lower-cased text with every run of
characters other than letters and digits folded to one space; NULL for statements under six
words. An edit in one half of a statement leaves the other half's key intact, and each key is
nearly unique, so `claims_match_new` reads a few B-tree entries per statement however many
claims share common words. Until migration 0010 PostgreSQL computed them as generated columns
(`hashtext` and two regular-expression passes per row: 16 of the ~57 µs each imported row cost
in the COPY); the values differ from `hashtext`'s, which is why 0010 recomputed every row.
"""

import hashlib
import re

__all__ = ["MATCH_WORDS", "match_keys"]

MATCH_WORDS = 5
# A run of letters and digits (PostgreSQL's [[:alnum:]]+; Python's \w adds only the underscore):
# the words left when every other run of characters is folded to one space and the ends trimmed.
_WORD = re.compile(r"[^\W_]+")


def _key(words: list[str]) -> int:
    # A stable hash (the same in every process, unlike hash()) fitting the integer column.
    digest = hashlib.blake2b(" ".join(words).encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big", signed=True)


def match_keys(text: str) -> tuple[int | None, int | None]:
    """(match_head, match_tail) of `text`: signed 32-bit hashes of its first and last five
    normalised words, or (None, None) when it has fewer than six."""
    words = _WORD.findall(text.lower())
    if len(words) <= MATCH_WORDS:
        return None, None
    return _key(words[:MATCH_WORDS]), _key(words[-MATCH_WORDS:])
