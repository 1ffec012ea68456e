""""Việc của tôi" for meetings beyond the calendar: invitations still to answer and minutes
waiting for the person's signature (the secretary first, then the chair)."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from eoffice.accounts.models import User
from eoffice.extensions import db
from eoffice.timestamps import utcnow
from eoffice.web.my_work import WorkItem, WorkSection
from meetings.models import Meeting, MeetingStatus, MinutesStatus, Participant, Response


def invitations_section(user: User) -> WorkSection:
    """"Lời mời chờ trả lời": upcoming meetings the user has not accepted or declined."""
    rows = db.session.execute(
        select(Meeting).join(Participant, Participant.meeting_id == Meeting.id)
        .where(Participant.user_id == user.id, Participant.response == Response.PENDING,
               Meeting.starts_at >= utcnow(),
               Meeting.status.notin_([MeetingStatus.DRAFT, MeetingStatus.CLOSED,
                                      MeetingStatus.CANCELLED]))
        .order_by(Meeting.starts_at).limit(50)
    ).scalars().unique()
    items = [WorkItem(title=m.title, url=url_for("meetings.detail", meeting_id=m.id),
                      kind="meeting", deadline=m.starts_at,
                      note="Xác nhận tham dự, báo vắng hoặc ủy quyền") for m in rows]
    return WorkSection("invitations", "Lời mời họp chờ trả lời",
                       "Không có lời mời nào chờ trả lời.", items)


def minutes_section(user: User) -> WorkSection:
    """"Biên bản chờ ký": the secretary's when generated, the chair's once she signed."""
    rows = db.session.execute(
        select(Meeting).where(
            Meeting.organisation_id == user.organisation_id,
            ((Meeting.minutes_status == MinutesStatus.GENERATED)
             & (Meeting.secretary_id == user.id))
            | ((Meeting.minutes_status == MinutesStatus.SECRETARY_SIGNED)
               & (Meeting.chair_id == user.id)))
        .order_by(Meeting.starts_at.desc()).limit(50)
    ).scalars()
    items = [WorkItem(title=m.title, url=url_for("meetings.detail", meeting_id=m.id),
                      kind="meeting", note="Biên bản chờ bạn ký số") for m in rows]
    return WorkSection("minutes", "Biên bản họp chờ ký", "Không có biên bản chờ ký.", items)
