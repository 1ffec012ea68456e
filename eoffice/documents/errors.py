"""The documents domain's names for the refusals of ``eoffice.errors`` (one tree for the app).

``WorkflowError`` is ``DomainError``; the others are the same classes under the names the
workflow speaks (a transition that is not possible now is a conflict, a document one may not
see is not found).
"""

from __future__ import annotations

from eoffice.errors import Conflict, DomainError, Forbidden, InvalidInput, Locked, NotFound

WorkflowError = DomainError
IllegalTransition = Conflict
NotPermitted = Forbidden
NotVisible = NotFound

__all__ = ["IllegalTransition", "InvalidInput", "Locked", "NotPermitted", "NotVisible",
           "WorkflowError"]
