"""django-filter as the public reads use it: strict about what a request names, and cheap when it
names no filter."""

from datetime import UTC, datetime
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from django_filters.fields import IsoDateTimeField
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.views import APIView


class UtcDateTimeField(IsoDateTimeField):
    """ISO 8601, converted to UTC: PostgreSQL refuses offsets beyond ±15:59, and a moment near
    year 1 or 9999 may not exist in UTC at all, so both become a 400 here instead of a 500."""

    def to_python(self, value: Any) -> datetime | None:
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(UTC)
        except OverflowError:
            raise ValidationError("Out of range once converted to UTC.", code="invalid") from None


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


# Each filter set's form class, built once per process (StrictFilterSet.get_form_class).
_form_classes: dict[type[django_filters.FilterSet], type[forms.Form]] = {}


class StrictFilterSet(django_filters.FilterSet):
    """A parameter given twice, or with an empty value, is a mistake (400 naming it), not "no
    filter"."""

    def get_form_class(self) -> type[forms.Form]:
        # django-filter's hook for how the form class is made. Its default builds the class,
        # labels and all, on every request: a tenth of a verdict list page's time. No filter
        # here depends on the request (no queryset callables), so the class depends only on
        # the filter set's class and is built once; each request still gets its own form.
        form_class = _form_classes.get(type(self))
        if form_class is None:
            form_class = _form_classes.setdefault(type(self), super().get_form_class())
        return form_class

    def is_valid(self) -> bool:
        valid = super().is_valid()
        data = self.data or {}
        for name in self.filters:
            if name not in data:
                continue
            if isinstance(data, MultiValueDict) and len(data.getlist(name)) > 1:
                self.form.add_error(name, "Give it once.")
                valid = False
            elif data[name] == "":
                self.form.add_error(name, "Give a value or leave the parameter out.")
                valid = False
        return valid


class NamedFilterBackend(DjangoFilterBackend):
    """django-filter, applied when the request names one of the filter set's parameters. One
    that names none would filter nothing (every filter skips an absent value), but building and
    validating its form costs a tenth of a list page: the first page of a full sync and every
    `next` page after it name only `cursor` and `page_size`."""

    def filter_queryset(self, request: HttpRequest, queryset: QuerySet, view: APIView) -> QuerySet:
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None or not any(
            name in request.GET for name in filterset_class.base_filters
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)
