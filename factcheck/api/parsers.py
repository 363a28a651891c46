"""The API's JSON body parser: strict, and bounded in depth.

DRF's own parser hands a body nested some thousands of levels deep to `json`, whose
RecursionError became a 500, and lets a lone surrogate (`"\\ud800"`) through to PostgreSQL,
which cannot store it. orjson refuses both (and NaN and infinite numbers) as invalid JSON;
anything nested deeper than MAX_DEPTH is refused too, since no body of this API nests
more than a few levels, and so is a NUL character in any string (PostgreSQL text cannot hold
it; the public reads refuse it in query parameters the same way).
"""

from collections.abc import Mapping
from typing import IO, Any

import orjson
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser

MAX_DEPTH = 32


def _refusal(data: Any, limit: int) -> str:
    """Why `data` is refused ("" if it is not): nested lists and objects more than `limit`
    levels deep, or a NUL character in a string, which PostgreSQL text cannot hold. Walked
    iteratively, so a deep value cannot exhaust the stack."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return "a string contains a NUL character."
            continue
        if isinstance(value, dict):
            children: Any = [*value.keys(), *value.values()]
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return f"nested deeper than {limit} levels."
        stack.extend((child, depth + 1) for child in children)
    return ""


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
        refusal = _refusal(data, MAX_DEPTH)
        if refusal:
            raise ParseError(f"JSON parse error - {refusal}")
        return data
