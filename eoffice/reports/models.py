"""Report facts: indexed rows derived from audit events so figures are plain SQL aggregates.

The events table keeps people in a JSON list (``details.user_ids``), which neither database can
index the same way. At record time a listener writes:

- ``EventSubject``: one row per (event, person involved) with the role they played (``actor`` or
  ``subject``) — counts and the evidence lists of every figure come from here;
- ``WorkItem``: one row per (kind, object, person) following a piece of work from its start
  (assigned, invited, submitted for signature) to its end (completed, checked in, signed), with
  the deadline and the durations already computed — on-time counts and medians come from here.

Both are projections: ``eoffice.reports.facts.rebuild()`` recreates them from the chain.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from eoffice.extensions import db
from eoffice.timestamps import UTCDateTime


class Holiday(db.Model):  # type: ignore[name-defined]
    """A public holiday or compensatory day off (nghỉ bù); weekends are never working days."""

    __tablename__ = "holidays"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    name: Mapped[str] = mapped_column(String(200))


class EventSubject(db.Model):  # type: ignore[name-defined]
    __tablename__ = "event_subjects"
    __table_args__ = (
        # Covering: the subject counts read role and value from the index alone.
        Index("ix_event_subjects_user_action_time", "user_id", "action", "occurred_at", "role",
              "value"),
        Index("ix_event_subjects_action_time", "action", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    role: Mapped[str] = mapped_column(String(8))  # actor | subject
    action: Mapped[str] = mapped_column(String(64))
    object_kind: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    value: Mapped[float | None] = mapped_column(Float)  # e.g. a quality rating


class WorkItem(db.Model):  # type: ignore[name-defined]
    """A person's piece of work on one object, start to end.

    kind: ``document`` (assigned → completed), ``signature`` (submitted for signature → signed),
    ``task`` and ``action_item`` (a task from a meeting) (assigned → completed), ``meeting``
    (invited → checked in / declined / closed; ``outcome`` attended, excused or absent).
    """

    __tablename__ = "work_items"
    __table_args__ = (
        UniqueConstraint("kind", "object_id", "user_id"),
        # Covering indexes, one per anchor of the figures (see reports.figures.anchor_range):
        # each report query is a range scan that never touches the table.
        Index("ix_work_items_user_kind_end", "user_id", "kind", "ended_at", "outcome",
              "duration_s", "late_working_days"),
        Index("ix_work_items_user_kind_start", "user_id", "kind", "started_at"),
        Index("ix_work_items_user_kind_opened", "user_id", "kind", "first_opened_at",
              "open_delay_s"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    object_kind: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    start_event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    open_event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    outcome: Mapped[str | None] = mapped_column(String(16))  # on_time, late, attended, ...
    # Seconds from start to end and from start to first open; working days late (0 if on time).
    duration_s: Mapped[float | None] = mapped_column(Float)
    open_delay_s: Mapped[float | None] = mapped_column(Float)
    late_working_days: Mapped[int | None] = mapped_column(Integer)
