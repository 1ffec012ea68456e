"""The tasks domain's refusals, part of the app's one tree (``eoffice.errors``).

Catch ``TaskError`` to catch every task refusal (meetings does, turning one into its own);
raise one of the subclasses, each also the ``eoffice.errors`` class that says how pages and
the API answer it. ``str(error)`` and ``error.message`` are the Vietnamese sentence shown.
"""

from __future__ import annotations

from eoffice.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound


class TaskError(DomainError):
    """A refused task action; the message is Vietnamese and shown to the user."""


class InvalidTask(InvalidInput, TaskError):
    """What was sent cannot be accepted (HTTP 400)."""


class TaskForbidden(Forbidden, TaskError):
    """The person may see the task but may not do this to it (HTTP 403)."""


class TaskNotFound(NotFound, TaskError):
    """No such task, or not one the person may see (HTTP 404)."""


class TaskConflict(Conflict, TaskError):
    """Not possible in the task's current state, or someone acted on it just now (HTTP 409)."""
