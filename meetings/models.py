"""Meetings and the record of what happened in them.

The live session (``live.py``) is a projection kept in ``meeting_live_states``; the rows here are
the durable record the minutes are generated from: attendance, speeches, polls, conclusions and
action items. Secret polls keep who voted (``meeting_poll_voters.choice`` is NULL) and a tally
per option (``meeting_poll_tallies``) — never who chose what.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eoffice.accounts.models import User
from eoffice.extensions import db
from eoffice.files.models import StoredFile
from eoffice.timestamps import UTCDateTime, utcnow


class MeetingStatus(StrEnum):
    DRAFT = "draft"  # being prepared; only organisers see it
    INVITED = "invited"  # invitations sent
    LIVE = "live"  # the session is open (or paused)
    CLOSED = "closed"  # the session ended; minutes may be produced
    CANCELLED = "cancelled"


STATUS_LABELS = {
    MeetingStatus.DRAFT: "Đang chuẩn bị",
    MeetingStatus.INVITED: "Đã gửi giấy mời",
    MeetingStatus.LIVE: "Đang họp",
    MeetingStatus.CLOSED: "Đã kết thúc",
    MeetingStatus.CANCELLED: "Đã hủy",
}


class ParticipantRole(StrEnum):
    CHAIR = "chair"  # chủ trì
    SECRETARY = "secretary"  # thư ký
    MEMBER = "member"  # thành viên
    GUEST = "guest"  # khách mời

    @property
    def label(self) -> str:
        return {
            "chair": "Chủ trì",
            "secretary": "Thư ký",
            "member": "Thành viên",
            "guest": "Khách mời",
        }[self.value]


class Response(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    DELEGATED = "delegated"


RESPONSE_LABELS = {
    Response.PENDING: "Chưa phản hồi",
    Response.ACCEPTED: "Tham dự",
    Response.DECLINED: "Vắng mặt",
    Response.DELEGATED: "Ủy quyền",
}


class Attendance(StrEnum):
    ABSENT = "absent"
    PRESENT = "present"
    EXCUSED = "excused"  # vắng có lý do


class MinutesStatus(StrEnum):
    NONE = "none"
    GENERATED = "generated"
    SECRETARY_SIGNED = "secretary_signed"
    SIGNED = "signed"  # secretary, then chair


class Meeting(db.Model):  # type: ignore[name-defined]
    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    location: Mapped[str] = mapped_column(String(300), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    chair_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    secretary_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16), default=MeetingStatus.DRAFT.value)
    # Share of voting members who must be present for a quorum, in percent.
    quorum_percent: Mapped[int] = mapped_column(Integer, default=50)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    invitation_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))
    minutes_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))
    minutes_status: Mapped[str] = mapped_column(String(20), default=MinutesStatus.NONE.value)

    chair: Mapped[User] = relationship(foreign_keys=[chair_id])
    secretary: Mapped[User] = relationship(foreign_keys=[secretary_id])
    invitation_file: Mapped[StoredFile | None] = relationship(foreign_keys=[invitation_file_id])
    minutes_file: Mapped[StoredFile | None] = relationship(foreign_keys=[minutes_file_id])
    participants: Mapped[list[Participant]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="Participant.id"
    )
    items: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="AgendaItem.position"
    )

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[MeetingStatus(self.status)]


class Participant(db.Model):  # type: ignore[name-defined]
    """An invitee. A deputy attending on someone's behalf gets a row with ``delegated_from_id``."""

    __tablename__ = "meeting_participants"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    response: Mapped[str] = mapped_column(String(16), default=Response.PENDING.value)
    response_reason: Mapped[str] = mapped_column(String(500), default="")
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delegated_from_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    attendance: Mapped[str] = mapped_column(String(16), default=Attendance.ABSENT.value)
    absence_reason: Mapped[str] = mapped_column(String(500), default="")
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    meeting: Mapped[Meeting] = relationship(back_populates="participants")
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    delegated_from: Mapped[User | None] = relationship(foreign_keys=[delegated_from_id])

    @property
    def votes(self) -> bool:
        """Chair and members vote; the secretary and guests do not."""
        return self.role in (ParticipantRole.CHAIR, ParticipantRole.MEMBER) and (
            self.response != Response.DELEGATED
        )


class AgendaItem(db.Model):  # type: ignore[name-defined]
    __tablename__ = "meeting_agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    presenter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    duration_minutes: Mapped[int] = mapped_column(Integer, default=15)
    # When true only the users in ``access`` (plus chair and secretary) see the documents.
    restricted: Mapped[bool] = mapped_column(Boolean, default=False)
    conclusion: Mapped[str] = mapped_column(Text, default="")
    conclusion_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    meeting: Mapped[Meeting] = relationship(back_populates="items")
    presenter: Mapped[User | None] = relationship()
    documents: Mapped[list[MeetingDocument]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="MeetingDocument.id"
    )
    access: Mapped[list[ItemAccess]] = relationship(cascade="all, delete-orphan")


class ItemAccess(db.Model):  # type: ignore[name-defined]
    __tablename__ = "meeting_item_access"
    __table_args__ = (UniqueConstraint("item_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_agenda_items.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class MeetingDocument(db.Model):  # type: ignore[name-defined]
    __tablename__ = "meeting_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_agenda_items.id", ondelete="CASCADE"), index=True
    )
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    added_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    item: Mapped[AgendaItem] = relationship(back_populates="documents")
    file: Mapped[StoredFile] = relationship()


class Note(db.Model):  # type: ignore[name-defined]
    """A participant's private note on a page of a meeting document; nobody else reads it."""

    __tablename__ = "meeting_notes"
    __table_args__ = (UniqueConstraint("document_id", "user_id", "page"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_documents.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    page: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Speech(db.Model):  # type: ignore[name-defined]
    """A granted turn to speak (``queue`` "speak") or to question (``queue`` "question")."""

    __tablename__ = "meeting_speeches"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_agenda_items.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    queue: Mapped[str] = mapped_column(String(16))
    requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class Poll(db.Model):  # type: ignore[name-defined]
    __tablename__ = "meeting_polls"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_agenda_items.id"))
    question: Mapped[str] = mapped_column(String(500))
    options: Mapped[list[str]] = mapped_column(JSON)
    secret: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(16), default="draft")  # draft, open, closed
    eligible_count: Mapped[int] = mapped_column(Integer, default=0)
    voted_count: Mapped[int] = mapped_column(Integer, default=0)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    result: Mapped[list[int] | None] = mapped_column(JSON)  # counts per option, set on close
    # Chosen when the poll is created: the first option (Đồng ý) passes the motion when its
    # votes reach ``threshold`` (half: more than 1/2; two_thirds, three_quarters: at least) of
    # ``majority_base`` (present: members present at opening; members: all voting members;
    # cast: ballots cast). See ``meetings.polls.verdict``.
    majority_base: Mapped[str] = mapped_column(String(10), default="present",
                                               server_default="present")
    threshold: Mapped[str] = mapped_column(String(16), default="half", server_default="half")


class PollVoter(db.Model):  # type: ignore[name-defined]
    """One row per ballot: the unique constraint is what makes "once each" hold under races."""

    __tablename__ = "meeting_poll_voters"
    __table_args__ = (UniqueConstraint("poll_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_polls.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    choice: Mapped[int | None] = mapped_column(Integer)  # NULL for secret polls
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship()


class PollTally(db.Model):  # type: ignore[name-defined]
    """Count per option, incremented atomically; the only trace of a secret ballot's choice."""

    __tablename__ = "meeting_poll_tallies"
    __table_args__ = (UniqueConstraint("poll_id", "option_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_polls.id", ondelete="CASCADE"), index=True
    )
    option_index: Mapped[int] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(Integer, default=0)


class ActionItem(db.Model):  # type: ignore[name-defined]
    """A follow-up decided in the meeting; it becomes an eoffice task for the assignee."""

    __tablename__ = "meeting_action_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_agenda_items.id"))
    title: Mapped[str] = mapped_column(String(500))
    assignee_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    task_id: Mapped[int | None] = mapped_column(Integer)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    assignee: Mapped[User] = relationship(foreign_keys=[assignee_id])


class LiveStateRow(db.Model):  # type: ignore[name-defined]
    """The versioned live state of a session; updated only when ``version`` still matches."""

    __tablename__ = "meeting_live_states"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
