"""Rate limits on the login form (Flask-Limiter), in front of the database throttle.

The throttle (``eoffice.accounts.throttle``) locks after failures, but each attempt it judges
still costs an Argon2 hash and a few database writes: a flood of attempts is itself the attack.
These limits refuse early, with 429 and ``Retry-After``, before any of that work:

- **per client address**, every login attempt (``LOGIN_PER_ADDRESS``): a flood or a spray from
  one address. Generous, because a whole office may sit behind one NAT address at 8 a.m.;
- **per user name from one address**, failed attempts only (``LOGIN_FAILURES_PER_NAME``):
  guessing at one account. Keyed by the address too, so nobody can keep a leader out of the
  office by failing on her name from elsewhere.

Counters live in Redis when ``EOFFICE_REDIS_URL`` is set (shared by every process), else in
the process's memory (the single-process ``make run``). The client address is the connection's,
or the trusted proxy's X-Forwarded-For (EOFFICE_TRUSTED_PROXIES), never a header a client sets.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, request
from flask_limiter import Limiter, RequestLimit

LOGIN_ENDPOINT = "accounts.login"
#: Defaults; an app's config (RATE_LIMIT_LOGIN_PER_ADDRESS, …) may set others.
LOGIN_PER_ADDRESS = "120 per minute"
LOGIN_FAILURES_PER_NAME = "10 per minute"

log = logging.getLogger(__name__)


def client_address() -> str:
    return request.remote_addr or "unknown"


def name_from_address() -> str:
    """The user name typed, as the throttle compares it, with the address it came from."""
    name = (request.form.get("username") or "").strip().casefold()[:150]
    return f"{name}@{client_address()}"


def _per_address() -> str:
    return str(current_app.config.get("RATE_LIMIT_LOGIN_PER_ADDRESS", LOGIN_PER_ADDRESS))


def _failures_per_name() -> str:
    return str(current_app.config.get("RATE_LIMIT_LOGIN_FAILURES_PER_NAME",
                                      LOGIN_FAILURES_PER_NAME))


def _failed(response: Response) -> bool:
    # A successful login redirects; the form shown again (200) or refused (4xx) is a failure.
    return response.status_code != 302


def _refused(limit: RequestLimit) -> None:
    log.warning("login rate limit reached (%s) for %s", limit.limit, limit.key)


def init_app(app: Flask) -> None:
    """Put the limits on the login form's POST (after the accounts blueprint is registered)."""
    settings = app.config["EOFFICE_SETTINGS"]
    limiter = Limiter(
        client_address, app=app, storage_uri=settings.redis_url or "memory://",
        strategy="moving-window", headers_enabled=True, key_prefix="eoffice-limits",
        on_breach=_refused,
    )
    view = app.view_functions[LOGIN_ENDPOINT]
    view = limiter.limit(_failures_per_name, key_func=name_from_address, methods=["POST"],
                         deduct_when=_failed, scope="login-name")(view)
    view = limiter.limit(_per_address, methods=["POST"], scope="login-address")(view)
    app.view_functions[LOGIN_ENDPOINT] = view
    app.extensions["eoffice.limiter"] = limiter
