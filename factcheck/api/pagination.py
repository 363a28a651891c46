"""Keyset pagination for the lists consumers sync from, and its cursor tokens.

A page is the rows after the last one seen in the order of a unique key, never an offset: pages
never skip or repeat a row, a deep page costs what the first one does, and nothing counts the
table.
"""

import base64
import binascii
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from factcheck.api.params import page_size_param, single_param
from factcheck.errors import BadParameter
from factcheck.replicas import REPLAYED_THROUGH_SQL


def keyset_after(
    *, queryset: QuerySet, fields: tuple[str, ...], values: tuple[Any, ...]
) -> QuerySet:
    """Rows strictly after `values` in the ascending order of `fields` (a row comparison, which
    PostgreSQL answers from a composite index on those columns)."""
    table = queryset.model._meta.db_table
    columns = ", ".join(f'"{table}"."{queryset.model._meta.get_field(f).column}"' for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    return queryset.filter(
        RawSQL(f"({columns}) > ({marks})", tuple(values), output_field=BooleanField())
    )


def settled(queryset: QuerySet) -> QuerySet:
    """Rows changed at least API_SYNC_LAG_SECONDS ago. `updated_at` is stamped before its
    transaction commits, so a row can appear after a consumer has paged past its time; serving
    only rows older than any write transaction lasts makes "every change exactly once" hold
    under concurrent writes. Details are not delayed."""
    if settings.API_SYNC_LAG_SECONDS <= 0:
        return queryset
    cutoff = timezone.now() - timedelta(seconds=settings.API_SYNC_LAG_SECONDS)
    if queryset.db != DEFAULT_DB_ALIAS:
        # On a replica the lag counts back from the last moment it holds every commit of, not
        # from now: a change the replica has yet to replay is never behind the cursor.
        cutoff_sql = (
            f"SELECT least(%s::timestamptz, {REPLAYED_THROUGH_SQL} - %s * interval '1 second')"
        )
        cutoff_at = RawSQL(cutoff_sql, (cutoff, settings.API_SYNC_LAG_SECONDS))
        return queryset.filter(updated_at__lt=cutoff_at)
    # The cutoff as an InitPlan, `(SELECT $n)`: PostgreSQL cannot see its value when planning,
    # so its estimate is the same whether the plan is made for this value or for any. That
    # lets a prepared page query run on its generic plan instead of being planned afresh each
    # time (seeing "every row is older than now", the planner judges the generic plan dearer),
    # and planning takes longer (1.6 ms) than running the query. The index still serves the
    # comparison.
    return queryset.filter(updated_at__lt=RawSQL("SELECT %s::timestamptz", (cutoff,)))


def cursor_encode(values: tuple[Any, ...]) -> str:
    text = "|".join(v.isoformat() if isinstance(v, datetime) else str(v) for v in values)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def cursor_decode(*, token: str, fields: tuple[str, ...], name: str = "cursor") -> tuple[Any, ...]:
    """The position a cursor token names; a token we did not issue is a 400 naming `name`."""
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        parts = text.split("|")
        if len(parts) != len(fields):
            raise ValueError(text)
        values: list[Any] = []
        for field, part in zip(fields, parts, strict=True):
            if field.endswith("_at"):
                moment = datetime.fromisoformat(part)
                if moment.tzinfo is None:
                    raise ValueError(part)
                values.append(moment)
            else:
                values.append(int(part))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadParameter(f"Invalid {name}: not a token this API issued.") from None
    return tuple(values)


class KeysetPagination(BasePagination):
    """Cursor pagination on a unique ascending key, (updated_at, id) by default: an index range
    scan from the cursor. Pages are plain dicts (the queryset's `.values()`, or `fetch`)."""

    page_size = 50

    def __init__(self, fields: tuple[str, ...] = ("updated_at", "id")) -> None:
        self.fields = fields
        self.next_url: str | None = None

    def after_cursor(self, queryset: QuerySet, request: Request) -> QuerySet:
        """`queryset` from the row after the one the request's `cursor` names (all of it
        without a cursor)."""
        token = single_param(request, "cursor")
        if not token:
            return queryset
        position = cursor_decode(token=token, fields=self.fields)
        return keyset_after(queryset=queryset, fields=self.fields, values=position)

    def page(self, queryset: QuerySet, request: Request) -> list[dict[str, Any]]:
        """The rows of the page the request asks for, as dicts; sets the `next` link when more
        follow. (Not DRF's `paginate_queryset`, which must return the queryset's own rows.)"""
        size = page_size_param(request, default=self.page_size)
        rows = self.fetch(self.after_cursor(queryset, request)[: size + 1])
        if len(rows) > size:
            rows = rows[:size]
            last = tuple(rows[-1][field] for field in self.fields)
            url = request.build_absolute_uri()
            self.next_url = replace_query_param(url, "cursor", cursor_encode(last))
        return rows

    def fetch(self, queryset: QuerySet) -> list[dict[str, Any]]:
        """The rows of one page (`queryset` already sliced)."""
        return list(queryset)

    def get_paginated_response(self, data: list[dict[str, Any]]) -> Response:
        return Response({"next": self.next_url, "results": data})

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {"type": "string", "format": "uri", "nullable": True},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        return [
            {
                "name": "cursor",
                "in": "query",
                "required": False,
                "description": "The `next` link's cursor: continue after the last row seen.",
                "schema": {"type": "string"},
            },
            {
                "name": "page_size",
                "in": "query",
                "required": False,
                "description": f"Rows per page, 1..{settings.API_MAX_PAGE_SIZE} (default 50).",
                "schema": {"type": "integer", "minimum": 1, "maximum": settings.API_MAX_PAGE_SIZE},
            },
        ]


class IdPagination(KeysetPagination):
    """Keyset pagination by id."""

    def __init__(self) -> None:
        super().__init__(fields=("id",))
