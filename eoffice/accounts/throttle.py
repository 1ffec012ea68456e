"""Login throttling: after repeated failures a user name is locked for a while.

Counted per user name (case-folded) in the database, so the limit holds across processes and
also for names that do not exist (an attacker learns nothing from a different behaviour).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from eoffice.accounts.models import LoginThrottle
from eoffice.extensions import db
from eoffice.timestamps import utcnow

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
LOCK_FOR = timedelta(minutes=5)


def _key(username: str) -> str:
    return "user:" + username.strip().casefold()


def _row(username: str) -> LoginThrottle | None:
    return db.session.execute(
        select(LoginThrottle).where(LoginThrottle.key == _key(username))
    ).scalar_one_or_none()


def locked_until(username: str, now: datetime | None = None) -> datetime | None:
    now = now or utcnow()
    row = _row(username)
    if row and row.locked_until and row.locked_until > now:
        return row.locked_until
    return None


def register_failure(username: str, now: datetime | None = None) -> datetime | None:
    """Count a failure; return the lock's end when this failure triggers a lock."""
    now = now or utcnow()
    row = _row(username)
    if row is None:
        row = LoginThrottle(key=_key(username), failures=0, window_started_at=now)
        db.session.add(row)
    if now - row.window_started_at > WINDOW:
        row.failures, row.window_started_at, row.locked_until = 0, now, None
    row.failures += 1
    if row.failures >= MAX_FAILURES:
        row.locked_until = now + LOCK_FOR
        row.failures, row.window_started_at = 0, now
    db.session.commit()
    return row.locked_until


def clear(username: str) -> None:
    row = _row(username)
    if row is not None:
        db.session.delete(row)
