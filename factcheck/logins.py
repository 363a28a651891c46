"""Sign-ins (the admin's login form, the API's token endpoint): how many failures an account
or an address may have (django-axes, settings "Security"), and how many password checks may
run at once.

A password check is slow on purpose (PBKDF2, a few hundred milliseconds of CPU). A flood of
them, wrong or right, would keep every web worker hashing while other requests wait, so at most
LOGIN_CONCURRENCY checks run at once across every web process, counted with PostgreSQL advisory
locks (the one thing all web processes on all machines share); a sign-in that finds no free
slot is answered 429 at once, before any hashing. django-axes's backend comes first and
refuses a locked-out account or address before a slot is taken.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.template.response import TemplateResponse

from factcheck.errors import TooManyRequests

# pg_try_advisory_lock(key1, key2): key1 names the lock's use, key2 is the slot.
_LOCK_SPACE = 0x5167_1E55
_JSON_PREFIXES = ("/api/", "/v1alpha1/")


class SignInsBusy(TooManyRequests):
    """Every password-check slot is taken: the client tries again in a moment."""

    code = "sign_ins_busy"


class SignInsLockedOut(TooManyRequests):
    """Too many failed sign-ins for the account or from the address (django-axes)."""

    code = "too_many_sign_in_failures"


@contextmanager
def password_check_slot() -> Iterator[None]:
    """Hold one of LOGIN_CONCURRENCY slots for the block; SignInsBusy when none is free."""
    taken = None
    with connection.cursor() as cursor:
        for slot in range(settings.LOGIN_CONCURRENCY):
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_LOCK_SPACE, slot])
            if cursor.fetchone()[0]:
                taken = slot
                break
    if taken is None:
        raise SignInsBusy("Too many sign-ins at once: try again in a second.", retry_after=1)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_LOCK_SPACE, taken])


class SlotModelBackend(ModelBackend):
    """Django's user-and-password backend, checking the password inside a slot."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if username is None or password is None:
            return super().authenticate(request, username, password, **kwargs)
        with password_check_slot():
            return super().authenticate(request, username, password, **kwargs)


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith(_JSON_PREFIXES)


def too_many_response(request: HttpRequest, error: TooManyRequests) -> HttpResponse:
    """429 for `error`: the API's JSON error shape under its paths, a page elsewhere."""
    response: HttpResponse
    if _wants_json(request):
        response = JsonResponse({"detail": str(error), "code": error.code}, status=429)
    else:
        response = TemplateResponse(
            request,
            "registration/too_many.html",
            {"title": "Try again later", "message": str(error)},
            status=429,
        )
        response.render()
    response["Retry-After"] = str(error.retry_after)
    return response


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any
) -> HttpResponse:
    """django-axes's answer (AXES_LOCKOUT_CALLABLE) to a sign-in from a locked-out account or
    address: 429, saying for how long."""
    minutes = settings.LOGIN_COOLOFF_MINUTES
    error = SignInsLockedOut(
        "Too many failed sign-ins for this account or from this address: try again in "
        f"{minutes} minute{'s' if minutes != 1 else ''}.",
        retry_after=minutes * 60,
    )
    return too_many_response(request, error)


class TooManyRequestsMiddleware:
    """Answers TooManyRequests raised outside DRF's views (the admin's login form) with 429;
    the API's exception handler answers it inside them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, TooManyRequests):
            return too_many_response(request, exception)
        return None
