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
