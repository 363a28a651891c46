from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from claims.api.serializers import SourceSerializer
from claims.api.views import ERRORS, IdPagination, PublicReadView, is_staff
from sources.selectors import source_list


@extend_schema(tags=["claims"], responses={200: SourceSerializer(many=True), **ERRORS})
class SourceListView(PublicReadView):
    """Sources (anonymous callers: those of public claims), by id."""

    pagination_class = IdPagination

    def get(self, request: Request) -> Response:
        rows = self.paginate_queryset(source_list(staff=is_staff(request)))
        return self.get_paginated_response(rows)
