"""Per-client limits on public reads outside DRF's views (the public site's pages): the same
authentication and throttle classes as the API's public reads (API_READ_AUTHENTICATION_CLASSES,
API_READ_THROTTLE_CLASSES), counting in the same counters, so a client has one budget whether
it reads pages or the API."""

from django.conf import settings
from django.http import HttpRequest
from django.utils.module_loading import import_string
from rest_framework import exceptions
from rest_framework.request import Request


def public_read_wait(request: HttpRequest) -> float | None:
    """None when `request`'s caller may read now (the read is counted); else how many seconds
    until it may. A signed-in user or a key holder is counted as the API counts them; a bad
    `Api-Key` header counts as anonymous here (a page has no 401 to answer)."""
    authenticators = [import_string(c)() for c in settings.API_READ_AUTHENTICATION_CLASSES]
    caller = Request(request, authenticators=authenticators)
    try:
        caller.user  # noqa: B018 (authenticates)
    except exceptions.APIException:
        caller = Request(request, authenticators=[])
    waits = [
        throttle.wait() or 0.0
        for throttle in (import_string(c)() for c in settings.API_READ_THROTTLE_CLASSES)
        if not throttle.allow_request(caller, None)
    ]
    return max(waits) if waits else None
