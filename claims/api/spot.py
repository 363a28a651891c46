"""POST /api/v1/claims:spot: the statements of a text, each with its check-worthiness and the
existing claims it matches, with their published verdicts.

A public read like the match view (API keys, throttling) that happens to take its text in a
JSON body, up to 100 KB; nothing is stored. Anonymous and non-staff callers are matched against
published claims only; staff against every claim, each with its published verdict if any.
"""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from claims.api.match import MatchResultSerializer
from claims.checkworthiness import Level
from claims.roles import user_is_staff
from claims.spot import MAX_TEXT_BYTES, text_spot
from factcheck.api.errors import READ_ERRORS
from factcheck.api.views import PublicReadView

MAX_LIMIT = 10


class SpotInputSerializer(serializers.Serializer):
    text = serializers.CharField(
        trim_whitespace=False,
        help_text=f"The text, up to {MAX_TEXT_BYTES // 1024} KB (UTF-8); spans index into it.",
    )
    limit = serializers.IntegerField(
        min_value=1, max_value=MAX_LIMIT, default=3, help_text="Matches per statement."
    )

    def validate_text(self, value: str) -> str:
        if len(value.encode("utf-8", "surrogatepass")) > MAX_TEXT_BYTES:
            raise serializers.ValidationError(
                f"The text is longer than {MAX_TEXT_BYTES // 1024} KB (UTF-8)."
            )
        if "\x00" in value:
            raise serializers.ValidationError("The text contains a NUL character.")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise serializers.ValidationError("The text contains a lone surrogate.") from None
        return value


class SpottedSerializer(serializers.Serializer):
    start = serializers.IntegerField(help_text="The statement is text[start:end].")
    end = serializers.IntegerField()
    text = serializers.CharField()
    score = serializers.FloatField(
        help_text="Check-worthiness: the probability that annotators would call it worth "
        "checking (docs/checkworthiness.md)."
    )
    level = serializers.ChoiceField(choices=Level.choices)
    matches = MatchResultSerializer(
        many=True,
        allow_null=True,
        help_text="Existing claims it matches, best first, with their published verdicts; "
        "null when it was not looked up (Low, or beyond the 50 most check-worthy).",
    )


class SpotResultsSerializer(serializers.Serializer):
    statements = SpottedSerializer(many=True)


class ClaimSpotView(PublicReadView):
    """The claims in a text: each statement's span, check-worthiness and matches."""

    serializer_class = SpotInputSerializer  # what DRF describes the POST with (OPTIONS)

    @extend_schema(
        tags=["claims"],
        request=SpotInputSerializer,
        responses={200: SpotResultsSerializer, **READ_ERRORS},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        given = SpotInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        statements = text_spot(
            text=given.validated_data["text"],
            limit=given.validated_data["limit"],
            published_only=not user_is_staff(request.user),
        )
        return Response({"statements": SpottedSerializer(statements, many=True).data})
