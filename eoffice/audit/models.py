"""One row per recorded action; each row's hash covers its content and the previous hash."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from eoffice.extensions import db
from eoffice.timestamps import UTCDateTime


class Event(db.Model):  # type: ignore[name-defined]
    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_object", "object_kind", "object_id"),
        Index("ix_events_actor_time", "actor_id", "occurred_at"),
        Index("ix_events_action_time", "action", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Who acted, as they were then: a later rename or new title must not rewrite history.
    # NULL on rows recorded before the snapshot existed (and for the system).
    actor_name: Mapped[str | None] = mapped_column(String(120))
    actor_title: Mapped[str | None] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(64))
    object_kind: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Unique: two writers that read the same tail cannot both append after it, so the chain
    # can never fork; one of them fails instead of silently branching the history.
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditAnchor(db.Model):  # type: ignore[name-defined]
    """A timestamp token from the TSA over the chain's head at one moment.

    No foreign key to ``events`` on purpose: an anchor must outlive (and so expose) whoever
    deletes or rewrites the events it vouches for.
    """

    __tablename__ = "audit_anchors"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(index=True)
    event_hash: Mapped[str] = mapped_column(String(64))
    anchored_at: Mapped[datetime] = mapped_column(UTCDateTime())
    tsa: Mapped[str] = mapped_column(String(255))  # "demo" or the TSA's URL
    token: Mapped[bytes] = mapped_column(LargeBinary)  # DER ContentInfo (RFC 3161 token)
    file_name: Mapped[str] = mapped_column(String(120))  # its copy under anchors/ in the store
