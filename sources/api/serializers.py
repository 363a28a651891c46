"""The shape of the sources list's rows (plain dicts from sources/selectors.py), for the OpenAPI
schema."""

from rest_framework import serializers


class SourceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField(allow_blank=True)
    url = serializers.URLField(allow_null=True)
    publisher = serializers.CharField(allow_blank=True)
    author = serializers.CharField(allow_blank=True)
    published_at = serializers.DateTimeField(allow_null=True)
    language = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
