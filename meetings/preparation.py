"""Preparing a meeting: create it, build its agenda, attach its papers, invite, and answer.

Everything before the session opens: the organisers (``access.can_manage``) shape the meeting
while it is not over, invitees accept, decline with a reason or send a deputy, and a day before
the start the invitees who may still come are due a reminder. The audit events of
docs/events.md are recorded in the same transaction as their change; nothing here commits, the
caller does (and, for a session already started, then calls ``live_session.sync_roster``).
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from typing import BinaryIO

from sqlalchemy import select

from eoffice import audit
from eoffice.accounts.models import User
from eoffice.extensions import db
from eoffice.files.access import can_view_file
from eoffice.files.content_check import PDF
from eoffice.files.models import StoredFile
from eoffice.files.service import save_upload
from eoffice.timestamps import utcnow
from meetings.access import can_create, can_manage, participant_row
from meetings.models import (
    AgendaItem,
    Attendance,
    ItemAccess,
    Meeting,
    MeetingDocument,
    MeetingStatus,
    Participant,
    ParticipantRole,
    Response,
)


class MeetingError(ValueError):
    """A refused request; the message is Vietnamese and safe to show."""


def _org_users(organisation_id: int, ids: list[int]) -> dict[int, User]:
    found = db.session.execute(
        select(User).where(User.id.in_(ids), User.organisation_id == organisation_id,
                           User.active.is_(True))
    ).scalars().all()
    users = {u.id: u for u in found}
    if len(users) != len(set(ids)):
        raise MeetingError("Có người được chọn không hợp lệ.")
    return users


def create_meeting(
    creator: User,
    *,
    title: str,
    starts_at: datetime,
    chair_id: int,
    secretary_id: int,
    member_ids: list[int],
    guest_ids: list[int] | None = None,
    ends_at: datetime | None = None,
    location: str = "",
    online_url: str = "",
    description: str = "",
    quorum_percent: int = 50,
) -> Meeting:
    """Create a meeting in preparation (flushed, not committed)."""
    if not can_create(creator):
        raise MeetingError("Bạn không có quyền tạo cuộc họp.")
    title = title.strip()
    if not title or len(title) > 300:
        raise MeetingError("Tên cuộc họp là bắt buộc (tối đa 300 ký tự).")
    if starts_at.tzinfo is None or (ends_at is not None and ends_at.tzinfo is None):
        raise MeetingError("Thời gian không hợp lệ.")
    if ends_at is not None and ends_at <= starts_at:
        raise MeetingError("Thời gian kết thúc phải sau thời gian bắt đầu.")
    if not location.strip() and not online_url.strip():
        raise MeetingError("Cần nhập địa điểm hoặc đường dẫn họp trực tuyến.")
    if not 1 <= quorum_percent <= 100:
        raise MeetingError("Tỷ lệ tối thiểu để họp phải từ 1 đến 100%.")
    guest_ids = [g for g in dict.fromkeys(guest_ids or []) if g not in (chair_id, secretary_id)]
    member_ids = [
        m for m in dict.fromkeys(member_ids)
        if m not in (chair_id, secretary_id) and m not in guest_ids
    ]
    _org_users(creator.organisation_id, [chair_id, secretary_id, *member_ids, *guest_ids])
    if chair_id == secretary_id:
        raise MeetingError("Người chủ trì và thư ký phải là hai người khác nhau.")
    meeting = Meeting(
        organisation_id=creator.organisation_id, title=title, description=description.strip(),
        starts_at=starts_at, ends_at=ends_at, location=location.strip(),
        online_url=online_url.strip(), chair_id=chair_id, secretary_id=secretary_id,
        created_by_id=creator.id, quorum_percent=quorum_percent,
        status=MeetingStatus.DRAFT.value,
    )
    meeting.participants = (
        [Participant(user_id=chair_id, role=ParticipantRole.CHAIR.value,
                     response=Response.ACCEPTED.value),
         Participant(user_id=secretary_id, role=ParticipantRole.SECRETARY.value,
                     response=Response.ACCEPTED.value)]
        + [Participant(user_id=uid, role=ParticipantRole.MEMBER.value) for uid in member_ids]
        + [Participant(user_id=uid, role=ParticipantRole.GUEST.value) for uid in guest_ids]
    )
    db.session.add(meeting)
    db.session.flush()
    audit.record(creator, "meeting_created", "meeting", meeting.id,
                 user_ids=sorted(p.user_id for p in meeting.participants))
    return meeting


def _require_manager(user: User, meeting: Meeting) -> None:
    if not can_manage(user, meeting):
        raise MeetingError("Chỉ người tạo, chủ trì hoặc thư ký được chuẩn bị cuộc họp.")
    if meeting.status in (MeetingStatus.CLOSED, MeetingStatus.CANCELLED):
        raise MeetingError("Cuộc họp đã kết thúc.")


def add_agenda_item(
    user: User, meeting: Meeting, *, title: str, duration_minutes: int = 15,
    presenter_id: int | None = None, restricted_to: list[int] | None = None,
) -> AgendaItem:
    _require_manager(user, meeting)
    title = title.strip()
    if not title or len(title) > 300:
        raise MeetingError("Tên nội dung là bắt buộc (tối đa 300 ký tự).")
    if not 1 <= duration_minutes <= 600:
        raise MeetingError("Thời lượng phải từ 1 đến 600 phút.")
    invited = {p.user_id for p in meeting.participants}
    if presenter_id is not None and presenter_id not in invited:
        raise MeetingError("Người trình bày phải là người được mời họp.")
    restricted_to = sorted(set(restricted_to or []))
    if not set(restricted_to) <= invited:
        raise MeetingError("Chỉ giới hạn quyền xem cho người được mời họp.")
    item = AgendaItem(
        meeting_id=meeting.id, position=len(meeting.items) + 1, title=title,
        duration_minutes=duration_minutes, presenter_id=presenter_id,
        restricted=bool(restricted_to),
        access=[ItemAccess(user_id=uid) for uid in restricted_to],
    )
    meeting.items.append(item)
    db.session.flush()
    return item


def attach_upload(user: User, item: AgendaItem, stream: BinaryIO, filename: str | None,
                  title: str = "") -> MeetingDocument:
    """Attach an uploaded PDF (the browser viewer shows PDF) to an agenda item."""
    _require_manager(user, item.meeting)
    stored = save_upload(user, stream, filename, allowed=frozenset({PDF}))
    return _attach(user, item, stored, title)


def attach_existing(user: User, item: AgendaItem, file_id: int, title: str = "") -> MeetingDocument:
    """Attach a file the user may already see, e.g. an issued document of the e-office."""
    _require_manager(user, item.meeting)
    stored = db.session.get(StoredFile, file_id)
    if stored is None or not can_view_file(user, stored):
        raise MeetingError("Không tìm thấy tệp hoặc bạn không có quyền dùng tệp này.")
    if stored.content_type != "application/pdf":
        raise MeetingError("Chỉ đính kèm được tệp PDF.")
    return _attach(user, item, stored, title)


def _attach(user: User, item: AgendaItem, stored: StoredFile, title: str) -> MeetingDocument:
    document = MeetingDocument(
        item=item, file_id=stored.id, title=(title.strip() or stored.original_name)[:300],
        added_by_id=user.id,
    )
    db.session.add(document)
    db.session.flush()
    return document


def send_invitations(user: User, meeting: Meeting, pdf: bytes | None = None) -> Meeting:
    """Mark invitations sent (with the generated giấy mời when given) and record ``invited``."""
    _require_manager(user, meeting)
    if meeting.status not in (MeetingStatus.DRAFT, MeetingStatus.INVITED):
        raise MeetingError("Không thể gửi giấy mời ở trạng thái hiện tại.")
    if pdf is not None:
        stored = save_upload(user, io.BytesIO(pdf), f"giay-moi-hop-{meeting.id}.pdf",
                             allowed=frozenset({PDF}))
        meeting.invitation_file_id = stored.id
    meeting.status = MeetingStatus.INVITED.value
    audit.record(user, "invited", "meeting", meeting.id,
                 user_ids=sorted(p.user_id for p in meeting.participants))
    return meeting


def respond(user: User, meeting: Meeting, answer: str, *, reason: str = "",
            deputy_id: int | None = None) -> Participant:
    """Accept, decline with a reason, or delegate attendance to a deputy (ủy quyền)."""
    row = participant_row(user, meeting)
    if row is None or (row.delegated_from_id is not None and answer == "delegated"):
        raise MeetingError("Bạn không thể ủy quyền tham dự cuộc họp này.")
    if meeting.status not in (MeetingStatus.INVITED, MeetingStatus.DRAFT):
        raise MeetingError("Cuộc họp đã bắt đầu hoặc đã kết thúc; không thể phản hồi.")
    if row.role in (ParticipantRole.CHAIR, ParticipantRole.SECRETARY) and answer != "accepted":
        raise MeetingError("Chủ trì và thư ký không thể từ chối; hãy đổi người trong cuộc họp.")
    if row.response == Response.DELEGATED:
        raise MeetingError("Bạn đã ủy quyền tham dự cho người khác.")
    reason = reason.strip()[:500]
    now = utcnow()
    if answer == "accepted":
        row.response, row.response_reason = Response.ACCEPTED.value, ""
        audit.record(user, "accepted", "meeting", meeting.id)
    elif answer == "declined":
        if not reason:
            raise MeetingError("Hãy nêu lý do vắng mặt.")
        row.response, row.response_reason = Response.DECLINED.value, reason
        row.attendance, row.absence_reason = Attendance.EXCUSED.value, reason
        audit.record(user, "declined", "meeting", meeting.id, reason=reason)
    elif answer == "delegated":
        if deputy_id is None or deputy_id == user.id:
            raise MeetingError("Hãy chọn người dự thay.")
        _org_users(meeting.organisation_id, [deputy_id])
        if any(p.user_id == deputy_id for p in meeting.participants):
            raise MeetingError("Người dự thay đã có trong danh sách mời.")
        row.response, row.response_reason = Response.DELEGATED.value, reason
        meeting.participants.append(Participant(
            user_id=deputy_id, role=row.role, response=Response.ACCEPTED.value,
            delegated_from_id=user.id, responded_at=now,
        ))
        audit.record(user, "delegated", "meeting", meeting.id, user_ids=[deputy_id],
                     reason=reason)
    else:
        raise MeetingError("Phản hồi không hợp lệ.")
    row.responded_at = now
    db.session.flush()
    return row


# --------------------------------------------------------------------------- reminders
REMIND_BEFORE_HOURS = 24


def due_reminders(now: datetime | None = None) -> list[tuple[Meeting, list[int]]]:
    """Invitees of meetings starting within a day who were not reminded yet; marks them.

    Idempotent: ``reminded_at`` is set in the same transaction as the ``reminded`` event, so a
    second sweep finds nobody. Those who declined or sent a deputy are not reminded.
    """
    now = now or utcnow()
    meetings = db.session.execute(
        select(Meeting).where(
            Meeting.status == MeetingStatus.INVITED,
            Meeting.starts_at > now,
            Meeting.starts_at <= now + timedelta(hours=REMIND_BEFORE_HOURS),
        ).order_by(Meeting.starts_at)
    ).scalars().all()
    due: list[tuple[Meeting, list[int]]] = []
    for meeting in meetings:
        people = [p for p in meeting.participants if p.reminded_at is None
                  and p.response in (Response.PENDING, Response.ACCEPTED)]
        if not people:
            continue
        for person in people:
            person.reminded_at = now
        user_ids = sorted(p.user_id for p in people)
        audit.record(None, "reminded", "meeting", meeting.id, user_ids=user_ids)
        due.append((meeting, user_ids))
    return due
