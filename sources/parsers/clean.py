"""Text from outside made storable. PostgreSQL text cannot hold a NUL character, and a lone
surrogate (a JSON "\\ud800" escape) cannot be encoded as the UTF-8 psycopg sends: either one
would make the database, or the driver, refuse a whole batch of rows."""

import re

_SURROGATE = re.compile("[\ud800-\udfff]")


def nul_free(text: str) -> str:
    """`text` without NUL characters. Enough for text decoded from bytes: no codec yields a
    lone surrogate. (`in` scans at memory speed: a clean 50 MB corpus costs milliseconds.)"""
    return text.replace("\x00", "") if "\x00" in text else text


def storable(text: str) -> str:
    """`text` without NUL characters and with each lone surrogate replaced by U+FFFD: for
    strings a parser made (JSON escapes, feed entries) rather than a codec."""
    text = nul_free(text)
    if text.isascii():
        return text
    return _SURROGATE.sub("\ufffd", text)
