"""How public reads are rendered."""

from collections.abc import Mapping
from typing import Any, NoReturn

import orjson
from rest_framework.renderers import BaseRenderer


class ORJSONRenderer(BaseRenderer):
    """JSON by orjson. The selectors hand the views plain dicts (no serializer instances, which
    cost more than the query on a 50-item page) and orjson encodes them, dates included, which
    keeps a list page close to a hand-written query (bench/bench_api.py)."""

    media_type = "application/json"
    format = "json"
    charset = None

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if data is None:
            return b""
        return orjson.dumps(data, default=str)


class CSVRenderer(BaseRenderer):
    """Lets `?format=csv` choose CSV where a view offers it. Such a view streams the CSV itself
    (a StreamingHttpResponse, which no renderer touches), and every other answer, errors
    included, is JSON (PublicReadView), so nothing is rendered here."""

    media_type = "text/csv"
    format = "csv"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> NoReturn:
        raise NotImplementedError("A view that offers CSV streams it itself.")
