"""More demo meetings beside the one to try at once: upcoming meetings prepared some days ago
by the secretary through the meeting service, invitations sent, so members and chairs find
invitations to answer in "Việc của tôi" and the calendar is not empty.

Called by ``meetings.demo.seed_meeting`` (the ``demo_seeders`` hook). Idempotent: a meeting
whose title exists in its organisation is not made again. Papers are drawn by
``meetings.demo_pdf``; the giấy mời is converted as for the first demo meeting, and sent
without it where LibreOffice is missing.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, timedelta

from sqlalchemy import select

from eoffice.accounts.models import User
from eoffice.demo import DEMO_ORGAN_ID, STC_ORGAN_ID
from eoffice.extensions import db
from eoffice.organisation.models import Organisation
from eoffice.timestamps import VIETNAM, clock_set_back, utcnow
from meetings import service
from meetings.demo_pdf import Block, Style, text_pdf
from meetings.models import Meeting
from meetings.service import MeetingError


@dataclass(frozen=True)
class UpcomingMeeting:
    """Prepared ``prepared_days_ago``, held in ``in_days`` at ``hour`` (Vietnam time)."""

    organ_id: str
    title: str
    location: str
    chair: str
    secretary: str
    members: tuple[str, ...]
    prepared_days_ago: float
    in_days: int
    hour: int
    items: tuple[str, ...]


UPCOMING = [
    UpcomingMeeting(
        DEMO_ORGAN_ID, "Họp giao ban lãnh đạo UBND tỉnh tuần tới", "Phòng họp số 2",
        "chutich", "thuky", ("phochutich", "chanhvanphong", "truongphong"), 2.0, 3, 8,
        ("Tình hình thực hiện nhiệm vụ tuần qua", "Nhiệm vụ trọng tâm tuần tới")),
    UpcomingMeeting(
        DEMO_ORGAN_ID, "Hội nghị triển khai dự toán ngân sách năm 2027", "Hội trường tầng 3",
        "phochutich", "thuky", ("chutich", "chanhvanphong", "truongphong", "chuyenvien"), 4.0,
        6, 14, ("Báo cáo dự toán thu, chi ngân sách năm 2027", "Thảo luận và kết luận")),
    UpcomingMeeting(
        STC_ORGAN_ID, "Họp chuyên đề quyết toán ngân sách huyện", "Phòng họp Sở Tài chính",
        "giamdoc.stc", "truongphong.stc", ("chuyenvien.stc", "vanthu.stc"), 1.0, 4, 9,
        ("Kết quả kiểm tra quyết toán", "Kiến nghị xử lý")),
]


def _user(username: str) -> User:
    return db.session.execute(select(User).where(User.username == username)).scalar_one()


def _paper(title: str) -> bytes:
    return text_pdf([Block(title.upper(), Style.TITLE),
                     Block("(Tài liệu họp dùng thử – số liệu minh họa)", Style.NOTE),
                     Block("Nội dung trình bày tại cuộc họp; đề nghị các thành viên nghiên cứu "
                           "trước và chuẩn bị ý kiến phát biểu.")],
                    title=title, footer="Tài liệu họp dùng thử")


def _seed(spec: UpcomingMeeting, invitation: object) -> bool:
    organisation = db.session.execute(select(Organisation).where(
        Organisation.organ_id == spec.organ_id)).scalar_one_or_none()
    if organisation is None or db.session.execute(select(Meeting.id).where(
            Meeting.organisation_id == organisation.id, Meeting.title == spec.title)).first():
        return False
    secretary = _user(spec.secretary)
    local = (utcnow().astimezone(VIETNAM) + timedelta(days=spec.in_days)).replace(
        hour=spec.hour, minute=0, second=0, microsecond=0)
    starts_at = local.astimezone(UTC)
    with clock_set_back(timedelta(days=spec.prepared_days_ago)):
        meeting = service.create_meeting(
            secretary, title=spec.title, starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=2), chair_id=_user(spec.chair).id,
            secretary_id=secretary.id, member_ids=[_user(m).id for m in spec.members],
            location=spec.location, description="Cuộc họp dùng thử.")
        for title in spec.items:
            item = service.add_agenda_item(secretary, meeting, title=title, duration_minutes=45,
                                           presenter_id=secretary.id)
            service.attach_upload(secretary, item, io.BytesIO(_paper(title)), "tai-lieu.pdf",
                                  title)
        pdf, _why = invitation(meeting)  # type: ignore[operator]
        service.send_invitations(secretary, meeting, pdf)
    return True


def seed_upcoming(invitation: object) -> list[str]:
    """Make the upcoming demo meetings that are missing (each committed); ``invitation``
    builds the giấy mời PDF of a meeting (or None and why). Returns a line to print."""
    made = 0
    for spec in UPCOMING:
        try:
            made += _seed(spec, invitation)
        except MeetingError as error:
            db.session.rollback()
            return [f"Không tạo được cuộc họp dùng thử “{spec.title}”: {error}"]
        db.session.commit()
    return [f"Cuộc họp sắp tới dùng thử: {made} cuộc họp mới"
            + (f" (đã có {len(UPCOMING) - made})." if made < len(UPCOMING) else ".")]
