"""Input and output shapes of the staff workflow API. Inputs validate; the views call
claims/workflow.py and claims/verdicts.py; outputs render."""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from claims.actions import Action
from claims.models import Citation, Claim, Claimant, ClaimEvent, Rating, Verdict
from claims.verdicts import verdict_input, verdict_on_record
from sources.models import Source

# ---------------------------------------------------------------------------------------------
# Inputs


class TokenInputSerializer(serializers.Serializer):
    # No account has a longer name, and the sign-in lockout records store the name tried.
    username = serializers.CharField(
        max_length=get_user_model()._meta.get_field("username").max_length
    )
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
    # A declared field: DRF's metaclass takes it off the class; Field.source stays.
    source = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment]
        queryset=Source.objects.only("pk"), required=False, allow_null=True, default=None
    )
    quote = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs["url"] and attrs["source"] is None:
            raise serializers.ValidationError({"url": "Give a URL or a source id."})
        return attrs


class VerdictContentSerializer(serializers.Serializer):
    """A verdict's wording and citations (`verdict_input` makes the workflow's input of it)."""

    rating = RatingField(required=False, allow_null=True, default=None)
    headline = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    explanation = serializers.CharField(required=False, allow_blank=True, default="")
    citations = CitationInputSerializer(many=True, required=False, default=list)


class VerdictInputSerializer(VerdictContentSerializer):
    version = serializers.IntegerField(
        min_value=0,
        allow_null=True,
        help_text="The version your edit is based on (0 or null for a new draft).",
    )


def _input_field(action: Action, name: str) -> serializers.Field:
    """The field of input `name` of `action` (not `content`, which is several)."""
    required = name in action.requires
    if name == "assignee":
        users = get_user_model().objects.filter(is_active=True)
        if required:
            return serializers.SlugRelatedField(slug_field="username", queryset=users)
        return serializers.SlugRelatedField(
            slug_field="username",
            queryset=users,
            required=False,
            allow_null=True,
            default=None,
            help_text="Username to assign; yourself when left out.",
        )
    if name == "duplicate_of":
        return serializers.PrimaryKeyRelatedField(
            queryset=Claim.objects.only("pk"), required=required
        )
    if name == "version":  # of the published verdict a correction is based on
        return serializers.IntegerField(min_value=1, required=required)
    if not required:
        return serializers.CharField(required=False, allow_blank=True, default="")
    help_text = "Published with the verdict." if action.public_note else ""
    return serializers.CharField(help_text=help_text)


class ActionInputSerializer(serializers.Serializer):
    """The inputs of one action, as its row of the workflow table names them; `content` stands
    for a verdict's wording and citations."""

    def __init__(self, *args: Any, action: Action, **kwargs: Any) -> None:
        self.action = action
        super().__init__(*args, **kwargs)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields: dict[str, serializers.Field] = {}
        for name in self.action.inputs:
            if name == "content":
                fields.update(VerdictContentSerializer().get_fields())
            else:
                fields[name] = _input_field(self.action, name)
        return fields

    def inputs(self) -> dict[str, Any]:
        """The validated input as the action's keyword arguments."""
        data = self.validated_data
        inputs = {name: data[name] for name in self.action.inputs if name != "content"}
        if "content" in self.action.inputs:
            inputs["content"] = verdict_input(data)
        return inputs


# ---------------------------------------------------------------------------------------------
# Outputs


class CitationStaffSerializer(serializers.ModelSerializer):
    class Meta:
        model = Citation
        fields = ["url", "source", "quote", "note"]


class VerdictStaffSerializer(serializers.ModelSerializer):
    rating = serializers.SlugRelatedField[Rating](slug_field="slug", read_only=True)
    rating_label = serializers.CharField(source="rating.label", default=None, read_only=True)
    author = serializers.SlugRelatedField[User](slug_field="username", read_only=True)
    approver = serializers.SlugRelatedField[User](slug_field="username", read_only=True)
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
            "origin",
            "original_rating",
            "review_url",
            "publisher_name",
            "publisher_site",
            "published_at",
            "updated_at",
        ]


class VerdictSummarySerializer(serializers.ModelSerializer):
    rating = serializers.SlugRelatedField[Rating](slug_field="slug", read_only=True)

    class Meta:
        model = Verdict
        fields = ["id", "status", "origin", "rating", "headline", "summary", "version"]


class ClaimStaffSerializer(serializers.ModelSerializer):
    """A claim as staff clients see it after an action, with the verdict on its record
    (verdicts.verdict_on_record: ours or imported)."""

    status_display = serializers.CharField(source="get_status_display", read_only=True)
    assignee = serializers.SlugRelatedField[User](slug_field="username", read_only=True)
    claimant = serializers.StringRelatedField[Claimant]()
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
        verdict = verdict_on_record(claim)
        return VerdictSummarySerializer(verdict).data if verdict else None


class ClaimEventSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField[User](slug_field="username", read_only=True)

    class Meta:
        model = ClaimEvent
        fields = ["id", "code", "from_status", "to_status", "actor", "note", "data", "created_at"]
