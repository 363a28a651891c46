"""Query parameters as every public read takes them: each given at most once and never empty,
and a bad one is a 400 that names it."""

from django.conf import settings
from rest_framework.request import Request

from factcheck.errors import BadParameter


def single_param(request: Request, name: str) -> str | None:
    """The one value of parameter `name`, or None when absent; given twice or empty is a 400."""
    values = request.query_params.getlist(name)
    if not values:
        return None
    if len(values) > 1:
        raise BadParameter(f"Invalid {name}: give it once.")
    if values[0] == "":
        raise BadParameter(f"Invalid {name}: give a value or leave the parameter out.")
    return values[0]


def int_param(request: Request, name: str, *, default: int, low: int, high: int) -> int:
    """Parameter `name` as an integer in low..high, or `default` when absent."""
    raw = single_param(request, name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(f"Invalid {name}: {raw!r} is not an integer.") from None
    if not low <= value <= high:
        raise BadParameter(f"Invalid {name}: must be between {low} and {high}.")
    return value


def page_size_param(request: Request, *, default: int, name: str = "page_size") -> int:
    """Rows per page: 1..API_MAX_PAGE_SIZE, or `default` when absent."""
    return int_param(request, name, default=default, low=1, high=settings.API_MAX_PAGE_SIZE)
