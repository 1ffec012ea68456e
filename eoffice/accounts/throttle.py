"""Login throttling, counted in the database so that the limits hold across processes.

Three counters, each a row keyed by what it limits:

- **a user name from one client address** (5 failures in 15 minutes → 5 minutes locked): the
  usual guessing at one account. Only that address is locked, so nobody can lock a leader out
  of the office by typing wrong passwords from elsewhere;
- **a client address, whatever the names** (20 failures → 15 minutes): password spraying,
  one password tried on many names;
- **a user name from anywhere** (50 failures → 5 minutes): guessing at one account from many
  addresses; high enough that a prankster alone cannot trigger it.

Names that do not exist count like the others, so nothing tells an attacker which exist. The
client address is the connection's, or the trusted proxy's X-Forwarded-For
(EOFFICE_TRUSTED_PROXIES) — never a header a client sets on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from eoffice.accounts.models import LoginThrottle
from eoffice.extensions import db
from eoffice.timestamps import utcnow

WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class Limit:
    """``failures`` within WINDOW lock the key for ``lock_for``."""

    prefix: str
    failures: int
    lock_for: timedelta


NAME_FROM_ADDRESS = Limit("user-at", 5, timedelta(minutes=5))
ADDRESS = Limit("ip", 20, timedelta(minutes=15))
NAME_ANYWHERE = Limit("user", 50, timedelta(minutes=5))

#: Kept for callers that speak of "the" limit: the one people meet (5 wrong passwords).
MAX_FAILURES = NAME_FROM_ADDRESS.failures
LOCK_FOR = NAME_FROM_ADDRESS.lock_for


def _keys(username: str, client: str) -> list[tuple[Limit, str]]:
    name = username.strip().casefold()
    return [(NAME_FROM_ADDRESS, f"user-at:{name}|{client}"[:200]),
            (ADDRESS, f"ip:{client}"[:200]),
            (NAME_ANYWHERE, f"user:{name}"[:200])]


def _row(key: str) -> LoginThrottle | None:
    return db.session.execute(
        select(LoginThrottle).where(LoginThrottle.key == key)).scalar_one_or_none()


def locked_until(username: str, client: str = "", now: datetime | None = None
                 ) -> datetime | None:
    """The latest end of any lock that applies to this name from this address, or None."""
    now = now or utcnow()
    ends = [row.locked_until for _limit, key in _keys(username, client)
            if (row := _row(key)) and row.locked_until and row.locked_until > now]
    return max(ends, default=None)


def register_failure(username: str, client: str = "", now: datetime | None = None
                     ) -> datetime | None:
    """Count a failure on every counter; return the lock's end when one is now locked."""
    now = now or utcnow()
    for limit, key in _keys(username, client):
        row = _row(key)
        if row is None:
            row = LoginThrottle(key=key, failures=0, window_started_at=now)
            db.session.add(row)
        if now - row.window_started_at > WINDOW:
            row.failures, row.window_started_at, row.locked_until = 0, now, None
        row.failures += 1
        if row.failures >= limit.failures:
            row.locked_until = now + limit.lock_for
            row.failures, row.window_started_at = 0, now
    db.session.commit()
    return locked_until(username, client, now)


def clear(username: str, client: str = "") -> None:
    """A success from this address clears that address's count for the name (the others keep
    counting: a success does not forgive spraying from elsewhere)."""
    row = _row(_keys(username, client)[0][1])
    if row is not None:
        db.session.delete(row)
