"""Domain errors: refusals a user can understand, raised by services and answered by both doors.

Each carries the HTTP status and a stable `code` the API answers with (factcheck/api/errors.py);
the admin shows `str(error)` as a message.
"""

from http import HTTPStatus


class DomainError(Exception):
    """A refused operation the user can understand: `str(error)` is the message shown."""

    status_code: int = HTTPStatus.BAD_REQUEST
    code: str = "invalid"


class Conflict(DomainError):
    """Not allowed in the current state, or the state moved on meanwhile (HTTP 409)."""

    status_code: int = HTTPStatus.CONFLICT
    code = "conflict"


class Forbidden(DomainError):
    """The user lacks the role the operation needs (HTTP 403)."""

    status_code: int = HTTPStatus.FORBIDDEN
    code = "permission_denied"


class BadParameter(DomainError):
    """A query parameter the API cannot use; the message names it."""

    code = "invalid_parameter"


class TransitionNotAllowed(Conflict):
    """The action does not start from the state the record is in (HTTP 409)."""

    code = "transition_not_allowed"


class StaleState(Conflict):
    """The record changed since it was read, so nothing was written (HTTP 409)."""

    code = "stale"


class InvalidInput(DomainError):
    """A required input is missing or wrong (HTTP 400); `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class TooManyRequests(DomainError):
    """Refused for now, not for good: try again after `retry_after` seconds (HTTP 429)."""

    status_code: int = HTTPStatus.TOO_MANY_REQUESTS
    code = "throttled"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
