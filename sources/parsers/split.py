"""Splitting decoded source text into statements, each of which becomes a claim to review.

Hand-written rather than borrowed: NLTK's punkt needs a model download at run time, which the
importer may not do; pysbd is unmaintained since 2021 and slow on large corpora; and neither
returns exact character spans under our structural rules (every line is its own statement, list
and heading markers are not part of it). The caller stores ``text[start:end]`` verbatim, so every
span here is exact and stripped.

How it works, for speed on 50 MB corpora: one regex walks the lines, one regex per line finds the
few candidate sentence ends (terminator, closing quotes, whitespace, then something that may start
a sentence), and only those candidates get Python-level checks for abbreviations.

The ambiguous case, decided by a simple documented rule: a dotted initialism (``U.S.``, ``D.C.``,
``p.m.``) or a name/company suffix (``Jr.``, ``Inc.``, ``St.``) followed by a capitalised word does
not end the sentence, unless that word is in ``_STARTERS``, a short stop-list of function words
that commonly open sentences ("The", "However", ...). Proper nouns are deliberately not listed:
``U.N. Security Council`` must stay whole.
"""

# Typographic quotes and dashes below are the point, not look-alike typos.
# ruff: noqa: RUF001

import re

__all__ = ["MAX_STATEMENT_CHARS", "split_statements"]

# Quotes and brackets that close a sentence belong to it; these may open the next one.
# German quotes open with „ and close with “, hence “ in both sets.
_CLOSERS = "\"'”’»)]“"
_OPENERS = "\"“‘'«([¿¡„"

# A line's content, stripped of surrounding whitespace (group 1); blank lines never match.
_LINE = re.compile(r"[^\S\n]*(\S(?:[^\n]*\S)?)")

# Conservative list/heading markers at the start of a line. "1." counts only before whitespace
# (or as the whole line) so "1.5 million" and "2015 was" are text; uppercase "A." is left alone
# because it is usually a name initial.
_MARKER = re.compile(
    r"(?:#{1,6}|[-*+•·–—]|\d{1,3}[.)]|\(\d{1,3}\)|\(?[A-Za-z]\)|\([ivx]{1,5}\)|[a-z]\.|[ivx]{1,5}\.)"
    r"(?:[^\S\n]+|\Z)"
)

# Candidate sentence end: terminator run (covers "?!", "..." and "…"), closers, same-line
# whitespace, then anything but an ASCII lowercase letter that could start a sentence. Non-ASCII
# lowercase ("é") is rejected afterwards with str.islower().
_CANDIDATE = re.compile(
    rf"(?P<term>[.!?…]+)(?P<close>[{re.escape(_CLOSERS)}]*)[^\S\n]+"
    rf"(?=[^\W_a-z]|[{re.escape(_OPENERS)}])"
)
_NEXT_WORD = re.compile(rf"[{re.escape(_OPENERS)}]*([^\W\d_]+)")
_INITIALISM = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]")  # "U.S", "a.m", "z.B" (final dot excluded)
_HAS_ALNUM = re.compile(r"[^\W_]")

# Never end a sentence: titles always precede a name; the rest are always mid-sentence.
_ALWAYS = frozenset(
    "Mr Mrs Ms Dr Prof Gen Gov Sen Rep Rev Lt Col Capt Sgt Sra Srta Dra Hr Fr "
    "vs v e.g i.e approx ca cf bzw z.B d.h u.a".split()
)
# Not a sentence end before a digit ("No. 10", "Aug. 5", "Fig. 3"); otherwise an ordinary word.
_NUMBERED = frozenset(
    "No Nos Nr Fig Figs Vol Vols Art pp p Ch Sec Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov "
    "Dec".split()
)
# Suffixes that can also close a sentence ("... Martin Luther King Jr. He ..."): like initialisms.
_SUFFIXES = frozenset("Jr Sr St Mt Inc Ltd Co Corp Bros al".split())
# Function words that open sentences; after an initialism or suffix they signal a real boundary.
_STARTERS = frozenset(
    "The This That These Those There Then Thus It Its He She They We I You His Her Their Our My "
    "In On At By For From To With Without But And Or So Yet Nor However Meanwhile Moreover "
    "Also A An As If When While After Before Since Because Although Though Both Each Some Many "
    "Most All No Not What Which Who Why How Where Despite During Under Such Other Another "
    "According Last Next Still Even Now Here "
    "El Los Las Pero En Es Este Esta Der Die Das Und Aber Er Sie Wir Ich Ein Eine".split()
)
# Longest statement, in characters: a longer run of text without a sentence end (a table, an
# encoded blob, a transcript without punctuation) is cut at spaces into statements this long.
# A claim is something a person checks; and PostgreSQL's full-text vector of a claim's text
# (claims.Claim.search_vector) cannot exceed 1 MB, which a few hundred thousand characters
# of words reach. Imported reviewed claims longer than this are refused (sources/parsers/
# reviewed.py).
MAX_STATEMENT_CHARS = 5000
# Longest token worth inspecting before a period; longer ones are never abbreviations.
_TOKEN_WINDOW = 32


def split_statements(text: str) -> list[tuple[int, int]]:
    """Return [start, end) character spans of the statements in `text`, in order."""
    spans: list[tuple[int, int]] = []
    for line in _LINE.finditer(text):
        start, end = line.span(1)
        marker = _MARKER.match(text, start, end)
        if marker:
            start = marker.end()
            if start >= end:  # a bare marker ("1.", "-") states nothing
                continue
        content_start = start
        for cand in _CANDIDATE.finditer(text, start, end):
            nxt = cand.end()
            if text[nxt].islower():
                continue
            dot = cand.start()
            if (
                cand.end("term") - dot == 1
                and text[dot] == "."
                and _is_abbreviation(text, content_start, dot, nxt)
            ):
                continue
            _add(spans, text, start, cand.end("close"))
            start = nxt
        _add(spans, text, start, end)
    return spans


def _add(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while end - start > MAX_STATEMENT_CHARS:  # cut at the last space that keeps it short enough
        limit = start + MAX_STATEMENT_CHARS
        space = text.rfind(" ", start + 1, limit + 1)
        cut = nxt = limit if space < 0 else space
        while text[cut - 1].isspace():
            cut -= 1
        while nxt < end and text[nxt].isspace():
            nxt += 1
        _add_one(spans, text, start, cut)
        start = nxt
    _add_one(spans, text, start, end)


def _add_one(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    # Lines like "***" or "---" carry no claim; spans are already stripped by construction.
    if _HAS_ALNUM.search(text, start, end):
        spans.append((start, end))


def _is_abbreviation(text: str, line_start: int, dot: int, nxt: int) -> bool:
    """Whether the single "." at `dot` belongs to an abbreviation rather than ending a sentence.

    `nxt` is where the following word (or its opening quote) begins.
    """
    lo = max(line_start, dot - _TOKEN_WINDOW)
    parts = text[lo:dot].rsplit(None, 1)
    if not parts or (len(parts) == 1 and lo > line_start):
        return False  # nothing before the dot, or a token too long to be an abbreviation
    core = parts[-1].lstrip(_OPENERS)
    if core in _ALWAYS:
        return True
    if core in _NUMBERED:
        return text[nxt].isdigit()
    if len(core) == 1:
        # Name initials ("George W. Bush", "J. R. R. Tolkien"); a lone lowercase letter is a word.
        return core.isupper()
    if core in _SUFFIXES or _INITIALISM.fullmatch(core):
        word = _NEXT_WORD.match(text, nxt)
        return word is None or word.group(1) not in _STARTERS
    return False
