"""One tree of refusals for every domain (documents, tasks, meetings).

A service refuses by raising one of these with a Vietnamese message for the person who
acted; ``status`` is the HTTP status pages and API answer with. The handlers are registered
once for the whole app (``eoffice.web.domain_errors``), so no view catches them by hand.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base: a refused action. ``status`` is the HTTP status the handlers answer with."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(DomainError):
    """What was sent cannot be accepted (a missing field, a wrong value)."""

    status = 400


class Forbidden(DomainError):
    """The person may see the object but may not do this to it."""

    status = 403


class NotFound(DomainError):
    """The object does not exist *for this person*: another organisation's document and a
    secret one they are not named on are answered exactly like a missing one."""

    status = 404


class Conflict(DomainError):
    """Not possible in the object's current state (or someone else changed it just now)."""

    status = 409


class Locked(DomainError):
    """Temporarily refused (too many wrong PINs, for example); try again later."""

    status = 423
