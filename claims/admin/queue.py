"""The review queue's list machinery: a paginator that never counts a large table and
filters whose choices never scan the claims table. Used by ClaimAdmin in claims/admin/claim.py."""

import json
from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Exists, F, OrderBy, OuterRef, QuerySet
from django.http import HttpRequest
from django.utils.functional import cached_property

from claims.models import Claim, Claimant, Rating, Verdict
from claims.roles import reviewers
from sources.models import Source
from sources.parsers.titles import words_cut

LOOKUP_CACHE_SECONDS = 60  # filter choices that change rarely (scale, languages, staff)


def _cached_choices(key: str, build: Callable[[], list[tuple[str, str]]]) -> list[tuple[str, str]]:
    """`build()`, kept in the cache for LOOKUP_CACHE_SECONDS (get_or_set gives None only for a
    stored None, which `build` never returns)."""
    return cache.get_or_set(key, build, LOOKUP_CACHE_SECONDS) or []


def queryset_estimated_count(queryset: QuerySet, *, exact_below: int = 10_000) -> int:
    """How many rows `queryset` has, never counting a large table: PostgreSQL's own estimate
    instead of COUNT(*).

    Unfiltered: the table's `reltuples`. Filtered: the planner's row estimate (EXPLAIN). An
    exact count only when the estimate is below `exact_below`, where counting is cheap.
    """
    table = queryset.model._meta.db_table
    with connection.cursor() as cursor:
        if not queryset.query.where:
            cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])
            row = cursor.fetchone()
            estimate = int(row[0]) if row else -1
        else:
            sql, params = queryset.order_by().values("pk").query.sql_with_params()
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            estimate = int(plan[0]["Plan"]["Plan Rows"])
    if estimate >= exact_below:
        return estimate
    return queryset.count()


class EstimatedCountPaginator(Paginator):
    """A paginator that never counts a large table (queryset_estimated_count)."""

    EXACT_BELOW = 10_000

    @cached_property
    def count(self) -> int:
        if not isinstance(self.object_list, QuerySet):
            return super().count
        return queryset_estimated_count(self.object_list, exact_below=self.EXACT_BELOW)


# The queue's order, most check-worthy first, and its reverse: the orders claim_queue_idx and
# claim_queue_all_idx serve (read forwards or backwards), so no sort of the whole queue.
QUEUE_ORDER: list[str | OrderBy] = [
    OrderBy(F("score"), descending=True, nulls_last=True),
    "-created_at",
    "-id",
]
QUEUE_ORDER_REVERSED: list[str | OrderBy] = [
    OrderBy(F("score"), nulls_first=True),
    "created_at",
    "id",
]


class QueueChangeList(ChangeList):
    """The claim list, whose order by check-worthiness (the level column, the default) is
    always the indexed queue order: Django's own would sort NULL scores first, which no index
    serves, and break ties by id alone."""

    def get_ordering(self, request: HttpRequest, queryset: QuerySet) -> list:
        ordering = super().get_ordering(request, queryset)
        first = ordering[0] if ordering else None
        if first == "-score":
            return QUEUE_ORDER
        if first == "score":
            return QUEUE_ORDER_REVERSED
        return ordering


# ---------------------------------------------------------------------------------------------
# Review queue filters. Each lists its choices without scanning the claims table.


class StatusFilter(admin.SimpleListFilter):
    """Defaults to the queue ("Awaiting review"); "All" is an explicit choice. Looking at
    someone's claims ("assigned to me", an assignee) defaults to all statuses instead, since
    pending claims have no assignee."""

    title = "status"
    parameter_name = "status"

    def __init__(self, request: HttpRequest, params: dict, *args: Any) -> None:
        self.default = "all" if ({"mine", "assignee"} & set(params)) else Claim.Status.PENDING
        super().__init__(request, params, *args)

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [("all", "All"), *Claim.Status.choices]

    def value(self) -> str:
        return super().value() or self.default

    def choices(self, changelist: Any) -> Any:
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value == "all":
            return queryset
        if value not in Claim.Status.values:
            return queryset.none()
        return queryset.filter(status=value)


class AssignedToMeFilter(admin.SimpleListFilter):
    title = "assigned to me"
    parameter_name = "mine"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [("yes", "Assigned to me")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(assignee=request.user)
        return queryset


class _IdFilter(admin.SimpleListFilter):
    """A filter by foreign key whose choices are a few rows, plus the selected one."""

    field: str  # the claim's column it filters on

    def _ids(self) -> int | None:
        value = self.value()
        return int(value) if value and value.isdigit() else None

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() is None:
            return queryset
        selected = self._ids()
        return queryset.filter(**{self.field: selected}) if selected else queryset.none()


class AssigneeFilter(_IdFilter):
    title = "assignee"
    parameter_name = "assignee"
    field = "assignee_id"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return _cached_choices(
            "claims:admin:assignees", lambda: [(str(u.pk), u.get_username()) for u in reviewers()]
        )


class SourceFilter(_IdFilter):
    """The newest sources; any other one by following "claims" from the source's page."""

    title = "source (newest; others from the source's page)"
    parameter_name = "source"
    field = "source_id"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        rows = list(Source.objects.order_by("-id").values_list("pk", "title", "origin")[:8])
        selected = self._ids()
        if selected and selected not in {pk for pk, _, _ in rows}:
            rows = [*Source.objects.filter(pk=selected).values_list("pk", "title", "origin"), *rows]
        return [
            (str(pk), words_cut(title or origin or f"Source #{pk}", 60))
            for pk, title, origin in rows
        ]


class ClaimantFilter(_IdFilter):
    title = "claimant (first 20; others from the claimant's page)"
    parameter_name = "claimant"
    field = "claimant_id"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        # Cached like the other rarely changing choices (the page's last spare query).
        first = _cached_choices(
            "claims:admin:claimants",
            lambda: [
                (str(pk), name)
                for pk, name in Claimant.objects.order_by("name").values_list("pk", "name")[:20]
            ],
        )
        selected = self._ids()
        if selected and str(selected) not in {pk for pk, _ in first}:
            chosen = Claimant.objects.filter(pk=selected).values_list("pk", "name")
            return [*((str(pk), name) for pk, name in chosen), *first]
        return first


class LanguageFilter(admin.SimpleListFilter):
    """Languages of the sources (a much smaller table than claims), cached briefly."""

    title = "language"
    parameter_name = "language"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return _cached_choices(
            "claims:admin:languages",
            lambda: [
                (code, code)
                for code in Source.objects.exclude(language="")
                .order_by("language")
                .values_list("language", flat=True)
                .distinct()
            ],
        )

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(language=self.value()) if self.value() else queryset


class RatingFilter(admin.SimpleListFilter):
    """Claims with a verdict (ours or imported) of this rating."""

    title = "rating"
    parameter_name = "rating"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return _cached_choices(
            "claims:admin:ratings", lambda: list(Rating.objects.values_list("slug", "label"))
        )

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if not self.value():
            return queryset
        rated = Verdict.objects.filter(claim=OuterRef("pk"), rating__slug=self.value())
        return queryset.filter(Exists(rated))
