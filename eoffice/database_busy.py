"""When the database is too busy to take a request in time: recognised once, answered 503.

A request that waited its whole turn (SQLite's write gate, a PostgreSQL row or advisory lock
past ``lock_timeout``, a free pooled connection past ``pool_timeout``) is rolled back before it
changed anything, so the honest answer is "busy, try again", never a 500 or a hung request.
"""

from __future__ import annotations

from sqlalchemy import exc

from eoffice.sqlite_writes import DatabaseBusy

MESSAGE = "Hệ thống đang bận, vui lòng thử lại sau giây lát."

#: How long a PostgreSQL statement waits for a lock before it gives up (the request gets 503).
POSTGRES_LOCK_TIMEOUT = "20s"
#: How long a request waits for a pooled connection.
POOL_TIMEOUT_SECONDS = 20

# SQLSTATEs meaning "could not get the lock in time" / "cancelled by lock or statement timeout".
_BUSY_SQLSTATES = {"55P03", "57014"}


def is_busy(error: BaseException) -> bool:
    """True when ``error`` says the database could not take the request in time."""
    if isinstance(error, exc.TimeoutError):  # no pooled connection became free
        return True
    if not isinstance(error, exc.DBAPIError):
        return False
    original = error.orig
    if isinstance(original, DatabaseBusy):
        return True
    if "database is locked" in str(original):  # another process held SQLite past its timeout
        return True
    return getattr(original, "sqlstate", None) in _BUSY_SQLSTATES
