from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from claims.roles import user_is_staff
from factcheck.api.errors import READ_ERRORS
from factcheck.api.pagination import IdPagination
from factcheck.api.views import PublicReadView
from sources.api.serializers import SourceSerializer
from sources.models import Source
from sources.selectors import source_list


@extend_schema(tags=["claims"], responses={200: SourceSerializer(many=True), **READ_ERRORS})
class SourceListView(PublicReadView):
    """Sources (anonymous callers: those of public claims), by id."""

    pagination_class = IdPagination
    queryset = Source.objects.none()  # for the schema; rows come from the selector

    def get(self, request: Request) -> Response:
        rows = self.keyset.page(source_list(staff=user_is_staff(request.user)), request)
        return self.get_paginated_response(rows)
