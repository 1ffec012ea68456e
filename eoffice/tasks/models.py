"""Tasks (giao việc): who assigned what to whom, by when, and how it went."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eoffice.accounts.models import User
from eoffice.extensions import db
from eoffice.files.models import StoredFile
from eoffice.organisation.models import Unit
from eoffice.timestamps import UTCDateTime, utcnow


class Task(db.Model):  # type: ignore[name-defined]
    __tablename__ = "tasks"
    __table_args__ = (Index("ix_tasks_source", "source_kind", "source_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    assigner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    priority: Mapped[str] = mapped_column(String(16), default="normal")
    state: Mapped[str] = mapped_column(String(16), default="assigned", index=True)
    percent: Mapped[int] = mapped_column(Integer, default=0)
    # Where the task came from: an incoming document, a meeting's action item, or nothing.
    source_kind: Mapped[str | None] = mapped_column(String(40))
    source_id: Mapped[int | None] = mapped_column(Integer)
    result: Mapped[str] = mapped_column(Text, default="")
    rating: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    assigner: Mapped[User] = relationship(foreign_keys=[assigner_id])
    assignees: Mapped[list[TaskAssignee]] = relationship(
        cascade="all, delete-orphan", back_populates="task", order_by="TaskAssignee.id"
    )
    progress: Mapped[list[TaskProgress]] = relationship(
        cascade="all, delete-orphan", back_populates="task", order_by="TaskProgress.id"
    )
    extensions: Mapped[list[TaskExtension]] = relationship(
        cascade="all, delete-orphan", back_populates="task", order_by="TaskExtension.id"
    )


class TaskAssignee(db.Model):  # type: ignore[name-defined]
    """A person or a unit the task is assigned to (exactly one of the two is set)."""

    __tablename__ = "task_assignees"
    __table_args__ = (UniqueConstraint("task_id", "user_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    task: Mapped[Task] = relationship(back_populates="assignees")
    user: Mapped[User | None] = relationship()
    unit: Mapped[Unit | None] = relationship()


class TaskProgress(db.Model):  # type: ignore[name-defined]
    """A progress report, extension note, completion or review: the task's visible history."""

    __tablename__ = "task_progress"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(20))  # progress, completed, approved, returned
    percent: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    task: Mapped[Task] = relationship(back_populates="progress")
    user: Mapped[User] = relationship()
    files: Mapped[list[TaskFile]] = relationship(cascade="all, delete-orphan")


class TaskFile(db.Model):  # type: ignore[name-defined]
    __tablename__ = "task_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    progress_id: Mapped[int] = mapped_column(
        ForeignKey("task_progress.id", ondelete="CASCADE"), index=True
    )
    stored_file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"), index=True)

    stored_file: Mapped[StoredFile] = relationship()


class TaskExtension(db.Model):  # type: ignore[name-defined]
    __tablename__ = "task_extensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    new_deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="pending")  # granted, refused
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    task: Mapped[Task] = relationship(back_populates="extensions")
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])


class TaskReminder(db.Model):  # type: ignore[name-defined]
    """One row per reminder sent; the unique key is what prevents reminding twice.

    ``deadline`` is part of the key so that a granted extension re-arms the reminders.
    """

    __tablename__ = "task_reminders"
    __table_args__ = (UniqueConstraint("task_id", "kind", "deadline"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # before, overdue
    deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
