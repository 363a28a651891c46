"""The API's JSON body parser: strict, and bounded in depth.

DRF's own parser hands a body nested some thousands of levels deep to `json`, whose
RecursionError became a 500, and lets a lone surrogate (`"\\ud800"`) through to PostgreSQL,
which cannot store it. orjson refuses both (and NaN and infinite numbers) as invalid JSON;
anything nested deeper than MAX_DEPTH is refused too, since no body of this API nests
more than a few levels, and so is a NUL character in any string, naming its field (PostgreSQL
text cannot hold it; the public reads refuse it in query parameters alike).
"""

from collections.abc import Mapping
from typing import IO, Any

import orjson
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser

MAX_DEPTH = 32


def _check(data: Any, limit: int) -> None:
    """Raises ParseError for lists and objects nested more than `limit` levels deep, and for a
    NUL character in a string, which PostgreSQL text cannot hold (naming the field). Walked
    iteratively, so a deep value cannot exhaust the stack."""
    stack: list[tuple[Any, int, str]] = [(data, 1, "")]
    while stack:
        value, depth, where = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise ParseError(f"JSON parse error - {where or 'a key'} contains a NUL character.")
            continue
        if isinstance(value, dict | list) and depth > limit:
            raise ParseError(f"JSON parse error - nested deeper than {limit} levels.")
        if isinstance(value, dict):
            for key, child in value.items():
                stack.append((key, depth + 1, where or "a key"))
                stack.append((child, depth + 1, f"{where}.{key}" if where else str(key)))
        elif isinstance(value, list):
            stack.extend((child, depth + 1, where) for child in value)


class JSONParser(BaseParser):
    media_type = "application/json"

    def parse(
        self,
        stream: IO[Any] | None,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        raw = stream.read() if stream is not None else b""
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        _check(data, MAX_DEPTH)
        return data
