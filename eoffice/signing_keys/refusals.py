"""The one refusal signing raises to the app (a ``DomainError`` with a Vietnamese message)."""

from __future__ import annotations

from eoffice.errors import DomainError


class SigningFailed(DomainError):
    """Signing refused or failed; the message is Vietnamese. 423 when the PIN is locked."""

    status = 400
