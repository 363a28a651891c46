"""Staff API tokens (POST /api/v1/auth/token/) that expire after API_TOKEN_TTL_HOURS, are revoked
when their user's password changes, and can be revoked by their holder.

Kept apart from claims/api/auth.py: DRF imports the authentication classes named in its
settings while it loads `rest_framework.views`, so this module must not import it."""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, User
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token


def token_expires_at(token: Token) -> datetime:
    return token.created + timedelta(hours=settings.API_TOKEN_TTL_HOURS)


def token_expired(token: Token) -> bool:
    """Whether `token` was issued API_TOKEN_TTL_HOURS ago or earlier."""
    return token_expires_at(token) <= timezone.now()


def token_issue(*, user: User) -> Token:
    """The user's token: the one they hold while it lasts, else a new one (an expired one is
    deleted)."""
    token = Token.objects.filter(user=user).first()
    if token is not None and token_expired(token):
        token.delete()
        token = None
    return token or Token.objects.create(user=user)


def token_revoke(*, user: User) -> int:
    """Deletes the user's token; how many there were (0 or 1)."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's `Authorization: Token <key>`, refused (and the token deleted) once it expired."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            token.delete()
            raise exceptions.AuthenticationFailed(
                "Token expired: get a new one from POST /api/v1/auth/token/."
            )
        return user, token


class RevokeTokenOnPasswordChange:
    """In AUTH_PASSWORD_VALIDATORS for its `password_changed` hook, which Django calls whenever a
    user's new password is saved (the admin, `changepassword`, set_password anywhere): the
    token issued under the old password stops working. It refuses no password."""

    def validate(self, password: str, user: AbstractBaseUser | None = None) -> None:
        return None

    def password_changed(self, password: str, user: AbstractBaseUser | None = None) -> None:
        if isinstance(user, User) and user.pk is not None:
            token_revoke(user=user)

    def get_help_text(self) -> str:
        return ""
