"""Input and output shapes of the staff workflow API (issue 3). Inputs validate; the views call
claims/workflow.py; outputs render."""

from typing import Any

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from claims.models import Citation, Claim, ClaimEvent, Rating, Verdict
from claims.verdicts import CitationInput, VerdictInput
from sources.models import Source

# ---------------------------------------------------------------------------------------------
# Inputs


class TokenInputSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})


@extend_schema_field(
    {"oneOf": [{"type": "string"}, {"type": "integer"}], "description": "A slug or an id."}
)
class RatingField(serializers.Field):
    """A rating of the scale by slug ("false") or id (3)."""

    default_error_messages = {"unknown": "No rating {value!r} on the scale (use a slug or an id)."}

    def to_internal_value(self, data: Any) -> Rating:
        rating = None
        if isinstance(data, int) or (isinstance(data, str) and data.isdigit()):
            rating = Rating.objects.filter(pk=int(data)).first()
        if rating is None and isinstance(data, str):
            rating = Rating.objects.filter(slug=data).first()
        if rating is None:
            self.fail("unknown", value=data)
        return rating

    def to_representation(self, value: Rating) -> str:
        return value.slug


class CitationInputSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=2000, required=False, allow_blank=True, default="")
    source = serializers.PrimaryKeyRelatedField(
        queryset=Source.objects.only("pk"), required=False, allow_null=True, default=None
    )
    quote = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs["url"] and attrs["source"] is None:
            raise serializers.ValidationError({"url": "Give a URL or a source id."})
        return attrs


class VerdictInputSerializer(serializers.Serializer):
    rating = RatingField(required=False, allow_null=True, default=None)
    headline = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    explanation = serializers.CharField(required=False, allow_blank=True, default="")
    citations = CitationInputSerializer(many=True, required=False, default=list)
    version = serializers.IntegerField(
        min_value=0,
        allow_null=True,
        help_text="The version your edit is based on (0 or null for a new draft).",
    )

    def content(self) -> VerdictInput:
        data = self.validated_data
        return VerdictInput(
            rating=data["rating"],
            headline=data["headline"],
            summary=data["summary"],
            explanation=data["explanation"],
            citations=[CitationInput(**citation) for citation in data["citations"]],
        )


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RequiredNoteSerializer(serializers.Serializer):
    note = serializers.CharField()


class StartReviewSerializer(NoteSerializer):
    assignee = serializers.SlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.filter(is_active=True),
        required=False,
        allow_null=True,
        default=None,
        help_text="Username to assign; yourself when left out.",
    )


class AssignSerializer(NoteSerializer):
    assignee = serializers.SlugRelatedField(
        slug_field="username", queryset=get_user_model().objects.filter(is_active=True)
    )


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField()


class MarkDuplicateSerializer(NoteSerializer):
    duplicate_of = serializers.PrimaryKeyRelatedField(queryset=Claim.objects.only("pk"))


class CorrectSerializer(VerdictInputSerializer):
    note = serializers.CharField(help_text="The public correction note.")
    version = serializers.IntegerField(min_value=1)


# ---------------------------------------------------------------------------------------------
# Outputs


class CitationStaffSerializer(serializers.ModelSerializer):
    class Meta:
        model = Citation
        fields = ["url", "source", "quote", "note"]


class VerdictStaffSerializer(serializers.ModelSerializer):
    rating = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    rating_label = serializers.CharField(source="rating.label", default=None, read_only=True)
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)
    approver = serializers.SlugRelatedField(slug_field="username", read_only=True)
    citations = CitationStaffSerializer(many=True, read_only=True)

    class Meta:
        model = Verdict
        fields = [
            "id",
            "claim",
            "status",
            "rating",
            "rating_label",
            "headline",
            "summary",
            "explanation",
            "citations",
            "version",
            "author",
            "approver",
            "corrections",
            "published_at",
            "updated_at",
        ]


class VerdictSummarySerializer(serializers.ModelSerializer):
    rating = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Verdict
        fields = ["id", "status", "rating", "headline", "summary", "version"]


class ClaimStaffSerializer(serializers.ModelSerializer):
    """A claim as staff clients see it after an action. Expects `own_verdicts` prefetched."""

    status_display = serializers.CharField(source="get_status_display", read_only=True)
    assignee = serializers.SlugRelatedField(slug_field="username", read_only=True)
    claimant = serializers.StringRelatedField()
    verdict = serializers.SerializerMethodField()

    class Meta:
        model = Claim
        fields = [
            "id",
            "text",
            "status",
            "status_display",
            "assignee",
            "source",
            "claimant",
            "language",
            "score",
            "duplicate_of",
            "verdict",
            "created_at",
            "updated_at",
        ]

    def get_verdict(self, claim: Claim) -> dict[str, Any] | None:
        verdict = next(iter(claim.own_verdicts), None)
        return VerdictSummarySerializer(verdict).data if verdict else None


class ClaimEventSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ClaimEvent
        fields = ["id", "code", "from_status", "to_status", "actor", "note", "data", "created_at"]
