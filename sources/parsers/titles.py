"""Short text for people: titles of documents that give none, and text cut to fit a column.

Both cut at a word boundary, never inside a word, and say so with an ellipsis.
"""

import re

TITLE_CHARS = 100  # a document's first line or sentence up to this long is its title whole
CUT_TITLE_CHARS = 80  # a longer one is cut to this

_SPACE = re.compile(r"\s+")
# Punctuation a cut text should not end on before its ellipsis: commas, colons, dashes.
_TRAILING = " ,;:-\u2013\u2014"
# Words a cut text should not end on ("…sanctions as…"): short lowercase function words.
_DANGLING = frozenset(
    "a an and as at but by for from in into is of on or the to was were with".split()
)


def words_cut(text: str, limit: int) -> str:
    """`text` on one line, cut at the last word boundary within `limit` characters (ellipsis
    included) when longer, without a dangling short word or punctuation before the ellipsis."""
    text = _SPACE.sub(" ", text).strip()
    if len(text) <= limit:
        return text
    room = limit - 1  # for the ellipsis
    words = text[:room].split(" ")
    if len(words) > 1 and text[room] != " ":
        words.pop()  # the last word was cut through
    while len(words) > 1 and words[-1].strip(_TRAILING).lower() in _DANGLING:
        words.pop()
    head = " ".join(words).rstrip(_TRAILING)
    if len(head) > room:  # a single word longer than the limit
        head = head[:room]
    return head + "…"


def document_title(body: str, first_statement: tuple[int, int] | None) -> str:
    """The title of a document that gives itself none: its first line when that is short, like
    a headline; otherwise its first statement (a sentence), cut at a word boundary if long."""
    first_line = next((line.strip() for line in body.splitlines() if line.strip()), "")
    if len(first_line) <= TITLE_CHARS:
        return _SPACE.sub(" ", first_line)
    sentence = body[first_statement[0] : first_statement[1]] if first_statement else first_line
    sentence = _SPACE.sub(" ", sentence).strip()
    if len(sentence) <= TITLE_CHARS:
        return sentence
    return words_cut(sentence, CUT_TITLE_CHARS)
