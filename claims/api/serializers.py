"""The shapes of the public API's answers, for the OpenAPI schema.

The views build plain dicts in claims/selectors.py and render them with orjson (serializer
instances cost more than the query on a 50-item page); these serializers describe those dicts,
and the schemathesis test checks every answer against them.
"""

from rest_framework import serializers


class ClaimantRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class SourceRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField(allow_blank=True)
    url = serializers.URLField(allow_null=True)
    publisher = serializers.CharField(allow_blank=True)
    published_at = serializers.DateTimeField(allow_null=True)


class VerdictClaimSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    claimant = ClaimantRefSerializer(allow_null=True)
    claim_date = serializers.DateField(allow_null=True)
    language = serializers.CharField(allow_blank=True)
    # A declared field: DRF's metaclass takes it off the class; Field.source stays.
    source = SourceRefSerializer()  # type: ignore[assignment]


class VerdictRatingSerializer(serializers.Serializer):
    slug = serializers.CharField()
    # A declared field: DRF's metaclass takes it off the class; Field.label stays.
    label = serializers.CharField()  # type: ignore[assignment]
    value = serializers.IntegerField(allow_null=True)
    best = serializers.IntegerField(allow_null=True)
    worst = serializers.IntegerField(allow_null=True)


class CitationSerializer(serializers.Serializer):
    url = serializers.CharField(allow_blank=True)
    quote = serializers.CharField(allow_blank=True)
    note = serializers.CharField(allow_blank=True)
    source_id = serializers.IntegerField(allow_null=True)
    source_title = serializers.CharField(allow_null=True, allow_blank=True)


class CorrectionSerializer(serializers.Serializer):
    date = serializers.CharField()
    note = serializers.CharField()


class PublisherSerializer(serializers.Serializer):
    name = serializers.CharField(allow_blank=True)
    site = serializers.CharField(allow_blank=True)


class VerdictSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.URLField()
    claimreview_url = serializers.URLField()
    page_url = serializers.URLField()
    status = serializers.ChoiceField(choices=["published", "retracted"])
    origin = serializers.ChoiceField(choices=["own", "imported"])
    claim = VerdictClaimSerializer()
    rating = VerdictRatingSerializer(allow_null=True)
    original_rating = serializers.CharField(allow_blank=True)
    headline = serializers.CharField(allow_blank=True)
    summary = serializers.CharField(allow_blank=True)
    explanation = serializers.CharField(allow_blank=True)
    citations = CitationSerializer(many=True)
    author = serializers.CharField(allow_null=True)
    publisher = PublisherSerializer(allow_null=True, help_text="For imported verdicts.")
    review_url = serializers.CharField(allow_blank=True)
    published_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()
    corrections = CorrectionSerializer(many=True)


class ClaimSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    claim_date = serializers.DateField(allow_null=True)
    language = serializers.CharField(allow_blank=True)
    status = serializers.CharField()
    claimant = ClaimantRefSerializer(allow_null=True)
    source_id = serializers.IntegerField()
    assignee_id = serializers.IntegerField(allow_null=True, help_text="Staff only.")
    verdict_id = serializers.IntegerField(allow_null=True)
    verdict_url = serializers.URLField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class ClaimantSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)


class RatingSerializer(serializers.Serializer):
    slug = serializers.CharField()
    # A declared field: DRF's metaclass takes it off the class; Field.label stays.
    label = serializers.CharField()  # type: ignore[assignment]
    value = serializers.IntegerField(allow_null=True)
    description = serializers.CharField()
    order = serializers.IntegerField()


# --- Fact Check Tools (claims:search) ------------------------------------------------------------


class FactCheckPublisherSerializer(serializers.Serializer):
    name = serializers.CharField()
    site = serializers.CharField()


class FactCheckReviewSerializer(serializers.Serializer):
    publisher = FactCheckPublisherSerializer()
    url = serializers.CharField()
    title = serializers.CharField(required=False)
    reviewDate = serializers.CharField(required=False)
    textualRating = serializers.CharField()
    languageCode = serializers.CharField(required=False)


class FactCheckClaimSerializer(serializers.Serializer):
    text = serializers.CharField()
    claimant = serializers.CharField(required=False)
    claimDate = serializers.CharField(required=False)
    claimReview = FactCheckReviewSerializer(many=True)


class FactCheckSearchSerializer(serializers.Serializer):
    claims = FactCheckClaimSerializer(many=True, required=False)
    nextPageToken = serializers.CharField(required=False)
