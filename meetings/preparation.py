"""Preparing a meeting: create it, build its agenda, attach its papers, invite, and answer.

Everything before the session opens: the organisers (``access.can_manage``) shape the meeting
while it is not over, invitees accept, decline with a reason or send a deputy, and a day before
the start the invitees who may still come are due a reminder. The audit events of
docs/events.md are recorded in the same transaction as their change; nothing here commits, the
caller does (and, for a session already started, then calls ``live_session.sync_roster``).
Refusals are ``meetings.errors`` classes (``MeetingError``, one tree with ``eoffice.errors``),
each with the status its use calls for.
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
from eoffice.files.service import UploadError, save_upload
from eoffice.reports.names import file_titles
from eoffice.timestamps import utcnow
from meetings.access import can_create, can_manage, participant_row
from meetings.errors import (
    MeetingConflict,
    MeetingError,
    MeetingForbidden,
    MeetingInvalid,
    MeetingNotFound,
)
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

__all__ = ["REMIND_BEFORE_HOURS", "MeetingError", "add_agenda_item", "agenda_item",
           "attach_existing", "attach_upload", "create_meeting", "due_reminders",
           "require_invitable", "require_manager", "respond", "send_invitations", "store_pdf"]


def store_pdf(user: User, stream: BinaryIO, filename: str | None) -> StoredFile:
    """Keep a PDF in the object store; a refused upload is ``MeetingInvalid``."""
    try:
        return save_upload(user, stream, filename, allowed=frozenset({PDF}))
    except UploadError as error:
        raise MeetingInvalid(str(error)) from None


def _org_users(organisation_id: int, ids: list[int]) -> dict[int, User]:
    found = db.session.execute(
        select(User).where(User.id.in_(ids), User.organisation_id == organisation_id,
                           User.active.is_(True))
    ).scalars().all()
    users = {u.id: u for u in found}
    if len(users) != len(set(ids)):
        raise MeetingInvalid("Có người được chọn không hợp lệ.")
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
        raise MeetingForbidden("Bạn không có quyền tạo cuộc họp.")
    title = title.strip()
    if not title or len(title) > 300:
        raise MeetingInvalid("Tên cuộc họp là bắt buộc (tối đa 300 ký tự).")
    if starts_at.tzinfo is None or (ends_at is not None and ends_at.tzinfo is None):
        raise MeetingInvalid("Thời gian không hợp lệ.")
    if ends_at is not None and ends_at <= starts_at:
        raise MeetingInvalid("Thời gian kết thúc phải sau thời gian bắt đầu.")
    if not location.strip() and not online_url.strip():
        raise MeetingInvalid("Cần nhập địa điểm hoặc đường dẫn họp trực tuyến.")
    if not 1 <= quorum_percent <= 100:
        raise MeetingInvalid("Tỷ lệ tối thiểu để họp phải từ 1 đến 100%.")
    guest_ids = [g for g in dict.fromkeys(guest_ids or []) if g not in (chair_id, secretary_id)]
    member_ids = [
        m for m in dict.fromkeys(member_ids)
        if m not in (chair_id, secretary_id) and m not in guest_ids
    ]
    _org_users(creator.organisation_id, [chair_id, secretary_id, *member_ids, *guest_ids])
    if chair_id == secretary_id:
        raise MeetingInvalid("Người chủ trì và thư ký phải là hai người khác nhau.")
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


def require_manager(user: User, meeting: Meeting) -> None:
    """Refuse unless ``user`` prepares ``meeting`` and it is not over."""
    if not can_manage(user, meeting):
        raise MeetingForbidden("Chỉ người tạo, chủ trì hoặc thư ký được chuẩn bị cuộc họp.")
    if meeting.status in (MeetingStatus.CLOSED, MeetingStatus.CANCELLED):
        raise MeetingConflict("Cuộc họp đã kết thúc.")


def agenda_item(meeting: Meeting, item_id: int) -> AgendaItem:
    """The agenda item ``item_id`` of ``meeting``, else ``MeetingNotFound``."""
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting.id:
        raise MeetingNotFound("Không có nội dung này trong chương trình họp.")
    return item


def add_agenda_item(
    user: User, meeting: Meeting, *, title: str, duration_minutes: int = 15,
    presenter_id: int | None = None, restricted_to: list[int] | None = None,
) -> AgendaItem:
    require_manager(user, meeting)
    title = title.strip()
    if not title or len(title) > 300:
        raise MeetingInvalid("Tên nội dung là bắt buộc (tối đa 300 ký tự).")
    if not 1 <= duration_minutes <= 600:
        raise MeetingInvalid("Thời lượng phải từ 1 đến 600 phút.")
    invited = {p.user_id for p in meeting.participants}
    if presenter_id is not None and presenter_id not in invited:
        raise MeetingInvalid("Người trình bày phải là người được mời họp.")
    restricted_to = sorted(set(restricted_to or []))
    if not set(restricted_to) <= invited:
        raise MeetingInvalid("Chỉ giới hạn quyền xem cho người được mời họp.")
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
    require_manager(user, item.meeting)
    return _attach(user, item, store_pdf(user, stream, filename), title)


def attach_existing(user: User, item: AgendaItem, file_id: int, title: str = "") -> MeetingDocument:
    """Attach a file the user may already see, e.g. an issued document of the e-office."""
    require_manager(user, item.meeting)
    stored = db.session.get(StoredFile, file_id)
    if stored is None or not can_view_file(user, stored):
        raise MeetingInvalid("Không tìm thấy tệp hoặc bạn không có quyền dùng tệp này.")
    if stored.content_type != "application/pdf":
        raise MeetingInvalid("Chỉ đính kèm được tệp PDF.")
    # Untitled, an issued document is named by its number and subject, not its file name.
    return _attach(user, item, stored, title or file_titles([stored.id]).get(stored.id, ""))


def _attach(user: User, item: AgendaItem, stored: StoredFile, title: str) -> MeetingDocument:
    document = MeetingDocument(
        item=item, file_id=stored.id, title=(title.strip() or stored.original_name)[:300],
        added_by_id=user.id,
    )
    db.session.add(document)
    db.session.flush()
    return document


def require_invitable(user: User, meeting: Meeting) -> None:
    """Refuse unless ``user`` may send (or send again) the invitations of ``meeting`` now:
    checked before the giấy mời is built."""
    require_manager(user, meeting)
    if meeting.status not in (MeetingStatus.DRAFT, MeetingStatus.INVITED):
        raise MeetingConflict("Không thể gửi giấy mời ở trạng thái hiện tại.")


def send_invitations(user: User, meeting: Meeting, pdf: bytes | None = None) -> Meeting:
    """Mark invitations sent (with the generated giấy mời when given) and record ``invited``."""
    require_invitable(user, meeting)
    if pdf is not None:
        stored = store_pdf(user, io.BytesIO(pdf), f"giay-moi-hop-{meeting.id}.pdf")
        meeting.invitation_file_id = stored.id
    meeting.status = MeetingStatus.INVITED.value
    audit.record(user, "invited", "meeting", meeting.id,
                 user_ids=sorted(p.user_id for p in meeting.participants))
    return meeting


def respond(user: User, meeting: Meeting, answer: str, *, reason: str = "",
            deputy_id: int | None = None) -> Participant:
    """Accept, decline with a reason, or delegate attendance to a deputy (ủy quyền)."""
    row = participant_row(user, meeting)
    if row is None:
        raise MeetingForbidden("Bạn không có trong danh sách mời họp.")
    if row.delegated_from_id is not None and answer == "delegated":
        raise MeetingForbidden("Bạn không thể ủy quyền tham dự cuộc họp này.")
    if meeting.status not in (MeetingStatus.INVITED, MeetingStatus.DRAFT):
        raise MeetingConflict("Cuộc họp đã bắt đầu hoặc đã kết thúc; không thể phản hồi.")
    if row.role in (ParticipantRole.CHAIR, ParticipantRole.SECRETARY) and answer != "accepted":
        raise MeetingForbidden("Chủ trì và thư ký không thể từ chối; hãy đổi người trong "
                               "cuộc họp.")
    if row.response == Response.DELEGATED:
        raise MeetingConflict("Bạn đã ủy quyền tham dự cho người khác.")
    reason = reason.strip()[:500]
    now = utcnow()
    if answer == "accepted":
        row.response, row.response_reason = Response.ACCEPTED.value, ""
        audit.record(user, "accepted", "meeting", meeting.id)
    elif answer == "declined":
        if not reason:
            raise MeetingInvalid("Hãy nêu lý do vắng mặt.")
        row.response, row.response_reason = Response.DECLINED.value, reason
        row.attendance, row.absence_reason = Attendance.EXCUSED.value, reason
        audit.record(user, "declined", "meeting", meeting.id, reason=reason)
    elif answer == "delegated":
        if deputy_id is None or deputy_id == user.id:
            raise MeetingInvalid("Hãy chọn người dự thay.")
        _org_users(meeting.organisation_id, [deputy_id])
        if any(p.user_id == deputy_id for p in meeting.participants):
            raise MeetingInvalid("Người dự thay đã có trong danh sách mời.")
        row.response, row.response_reason = Response.DELEGATED.value, reason
        meeting.participants.append(Participant(
            user_id=deputy_id, role=row.role, response=Response.ACCEPTED.value,
            delegated_from_id=user.id, responded_at=now,
        ))
        audit.record(user, "delegated", "meeting", meeting.id, user_ids=[deputy_id],
                     reason=reason)
    else:
        raise MeetingInvalid("Phản hồi không hợp lệ.")
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
