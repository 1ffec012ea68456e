"""The one place where roles are checked, for pages, the API and sockets alike."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required

from eoffice.accounts.roles import Role

F = TypeVar("F", bound=Callable[..., Any])


def has_role(user: Any, *roles: Role) -> bool:
    """True when ``user`` is authenticated, active and holds any of ``roles``.

    No role implies another. An administrator manages accounts and settings; numbering,
    sealing, reading content or chairing needs the role itself (separation of duties: every
    act is done by someone whose job it is, and the record says who).
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    held = user.roles
    return any(role in held for role in roles)


def require_role(*roles: Role) -> Callable[[F], F]:
    """View decorator: login required, then one of ``roles``; others get 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not has_role(current_user, *roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
