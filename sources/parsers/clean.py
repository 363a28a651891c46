"""Text from outside made storable. PostgreSQL text cannot hold a NUL character, and a lone
surrogate (a JSON "\\ud800" escape) cannot be encoded as the UTF-8 psycopg sends: either one
would make the database, or the driver, refuse a whole batch of rows."""

import codecs
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


# UTF-16 and UTF-32 text is full of NUL bytes; with a byte order mark it says so.
_WIDE_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)  # UTF-32's start the same way


def stray_nul_bytes_dropped(raw: bytes) -> bytes:
    """`raw` without its NUL bytes when they are stray: a few (one in a thousand bytes at most)
    in bytes that do not start with a UTF-16/32 byte order mark. A NUL byte is never part of
    another character in UTF-8 or a single-byte encoding, so dropping it changes nothing else;
    bytes with more of them are left alone (UTF-16 without a mark, binary files) for the
    decoder to refuse."""
    if b"\x00" not in raw or raw.startswith(_WIDE_BOMS):
        return raw
    if raw.count(b"\x00") > len(raw) // 1000:
        return raw
    return raw.replace(b"\x00", b"")
