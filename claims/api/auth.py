"""API keys for consumers, and throttling: anonymous callers by address, key holders by key."""

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from claims.models import ApiKey
from claims.services import api_key_find


class ApiKeyAuthentication(BaseAuthentication):
    """`Authorization: Api-Key <key>` or `?key=<key>` (what Google's client libraries send).

    A key identifies a consumer, not a user: `request.user` stays anonymous (public data only)
    and `request.auth` is the ApiKey. A bad key in the header is refused (401); an absent or
    unknown `key` parameter counts as anonymous, as Google's API clients expect.
    """

    keyword = "Api-Key"

    def authenticate(self, request: Request) -> tuple[AnonymousUser, ApiKey] | None:
        header = get_authorization_header(request).split()
        if header and header[0].lower() == self.keyword.lower().encode():
            if len(header) != 2:
                raise exceptions.AuthenticationFailed("Invalid Api-Key header: give one key.")
            api_key = api_key_find(key=header[1].decode("latin-1"))
            if api_key is None:
                raise exceptions.AuthenticationFailed("Unknown, revoked or expired API key.")
            return AnonymousUser(), api_key
        key = request.query_params.get("key")
        if key:
            api_key = api_key_find(key=key)
            if api_key is not None:
                return AnonymousUser(), api_key
        return None

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class AnonymousThrottle(SimpleRateThrottle):
    """Callers without a key or a staff token, by address (API_ANON_RATE)."""

    scope = "anon"

    def get_rate(self) -> str | None:
        return settings.API_ANON_RATE or None

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if isinstance(request.auth, ApiKey) or request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class ApiKeyThrottle(SimpleRateThrottle):
    """Key holders, each at its own rate (ApiKey.rate)."""

    scope = "api_key"

    def get_rate(self) -> str | None:
        return None  # set per request from the key

    def allow_request(self, request: Request, view: APIView) -> bool:
        if not isinstance(request.auth, ApiKey):
            return True
        self.rate = request.auth.rate
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes ApiKeyAuthentication."""

    target_class = ApiKeyAuthentication
    name = "ApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <key>`; or the `key` query parameter (Google's clients).",
        }
