"""GET /api/v1/claims/match?text=...&limit=5: existing claims ranked by similarity to a text.

A public read like the others (API keys, throttling, cacheable). Anonymous and non-staff callers
see published claims only; staff see every claim, each with its published verdict when there is
one.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from claims.matching.search import claim_match
from claims.roles import user_is_staff
from factcheck.api.errors import READ_ERRORS
from factcheck.api.params import single_param
from factcheck.api.views import PublicReadView

MAX_LIMIT = 50


class MatchQuerySerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000, trim_whitespace=True)
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, default=5)


class MatchVerdictSerializer(serializers.Serializer):
    rating = serializers.CharField(source="rating.label", default=None)
    original_rating = serializers.CharField()
    headline = serializers.CharField()
    summary = serializers.CharField()
    review_url = serializers.CharField()
    publisher_name = serializers.CharField()
    published_at = serializers.DateTimeField()


class MatchResultSerializer(serializers.Serializer):
    claim = serializers.IntegerField(source="claim_id")
    text = serializers.CharField()
    status = serializers.CharField()
    score = serializers.FloatField()
    verdict = MatchVerdictSerializer(allow_null=True)


class MatchResultsSerializer(serializers.Serializer):
    results = MatchResultSerializer(many=True)


class ClaimMatchView(PublicReadView):
    """Existing claims ranked by similarity to `text`, with their verdicts ("checked before?")."""

    @extend_schema(
        tags=["claims"],
        parameters=[MatchQuerySerializer],
        responses={200: MatchResultsSerializer, **READ_ERRORS},
    )
    def get(self, request: Request) -> Response:
        for name in ("text", "limit"):
            single_param(request, name)  # empty or given twice: 400 naming it, as everywhere
        query = MatchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        results = claim_match(
            text=query.validated_data["text"],
            limit=query.validated_data["limit"],
            published_only=not user_is_staff(request.user),
        )
        return Response({"results": MatchResultSerializer(results, many=True).data})
