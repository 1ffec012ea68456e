"""Sessions kept on the server, so that ending one ends it everywhere.

The cookie is only signed, not stored: on its own, a copied cookie would keep working after
logout. Each login therefore opens a row here; the cookie carries a random token whose
SHA-256 names the row, and every request (pages, API, Socket.IO) is accepted only while that
row is open. Logout ends the row; a password change, a lock or an admin's change of the
account ends all of the user's rows. Idle sessions end after ``IDLE``, every session after
``ABSOLUTE``.

``last_seen_at`` is written at most every ``TOUCH_EVERY`` per session: a write per request
would contend with real work for SQLite's single writer.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String, select, update
from sqlalchemy.orm import Mapped, mapped_column

from eoffice.extensions import db
from eoffice.timestamps import UTCDateTime, utcnow

IDLE = timedelta(hours=8)
ABSOLUTE = timedelta(days=7)
TOUCH_EVERY = timedelta(minutes=5)


class UserSession(db.Model):  # type: ignore[name-defined]
    """One login: open until logout, expiry, or the end of all of its user's sessions."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    user_agent: Mapped[str] = mapped_column(String(200), default="")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(user_id: int, user_agent: str = "") -> str:
    """Start a session for ``user_id`` (in the caller's transaction); return its token."""
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(token_hash=_hash(token), user_id=user_id,
                               user_agent=(user_agent or "")[:200]))
    return token


def open_row(token: str | None, user_id: int) -> UserSession | None:
    """The open, unexpired session named by ``token`` for ``user_id``, or None."""
    if not token:
        return None
    row = db.session.execute(select(UserSession).where(
        UserSession.token_hash == _hash(token))).scalar_one_or_none()
    now = utcnow()
    if (row is None or row.user_id != user_id or row.ended_at is not None
            or now - row.last_seen_at > IDLE or now - row.created_at > ABSOLUTE):
        return None
    if now - row.last_seen_at > TOUCH_EVERY:
        row.last_seen_at = now
        db.session.commit()  # first thing in the request: nothing else is pending yet
    return row


def end_session(token: str | None) -> None:
    """End one session (logout), in the caller's transaction."""
    if token:
        db.session.execute(update(UserSession).where(
            UserSession.token_hash == _hash(token), UserSession.ended_at.is_(None))
            .values(ended_at=utcnow()))


def end_all_sessions(user_id: int) -> None:
    """End every open session of a user (password change, lock), in the caller's
    transaction."""
    db.session.execute(update(UserSession).where(
        UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow()))
