"""More demo meetings beside the one to try at once: upcoming meetings prepared some days ago
by the secretary through the meeting service, invitations sent, so members and chairs find
invitations to answer in "Việc của tôi" and the calendar is not empty; and past meetings held
through the live session's own commands (open, check in, conclude, close), their minutes built
by the minutes job and signed by the secretary, then the chair (the latest one still waits for
the chair's signature).

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
from eoffice.demo_documents import quiet_demo_signing
from eoffice.extensions import db
from eoffice.jobs import queue
from eoffice.organisation.models import Organisation
from eoffice.signing_keys import DEMO_PIN
from eoffice.timestamps import VIETNAM, clock_set_back, utcnow
from meetings import live_session, minutes, service
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
    in_days: int  # negative: held that many days ago
    hour: int
    items: tuple[str, ...]
    chair_signs: bool = True  # past meetings: the chair has signed the minutes too


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
    UpcomingMeeting(
        DEMO_ORGAN_ID, "Phiên họp thường kỳ UBND tỉnh tháng 11", "Phòng họp số 1", "chutich",
        "thuky", ("phochutich", "chanhvanphong", "truongphong", "chuyenvien"), 25.0, -21, 8,
        ("Báo cáo tình hình kinh tế – xã hội tháng 11", "Cho ý kiến dự thảo Kế hoạch cải cách "
         "hành chính năm 2027")),
    UpcomingMeeting(
        DEMO_ORGAN_ID, "Họp giao ban lãnh đạo UBND tỉnh tuần trước", "Phòng họp số 2",
        "chutich", "thuky", ("phochutich", "chanhvanphong"), 9.0, -5, 8,
        ("Tình hình thực hiện nhiệm vụ tuần", "Công tác chuẩn bị Tết Nguyên đán"),
        chair_signs=False),
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
    if spec.in_days < 0:
        _hold(spec, meeting, _user(spec.chair), secretary)
    return True


def _hold(spec: UpcomingMeeting, meeting: Meeting, chair: User, secretary: User) -> None:
    """Answer, hold and close the meeting on its day; minutes built, then signed."""
    back = utcnow() - (meeting.starts_at + timedelta(hours=2))  # closed two hours in
    members = [_user(m) for m in spec.members]
    with clock_set_back(back + timedelta(days=1)):
        for member in members:
            service.respond(member, meeting, "accepted")
    db.session.commit()
    with clock_set_back(back + timedelta(hours=2)):
        live_session.command(chair, meeting.id, "open", {})
        for person in (chair, secretary, *members):
            live_session.command(person, meeting.id, "check_in", {})
    with clock_set_back(back + timedelta(minutes=10)):
        for item in meeting.items:
            live_session.command(secretary, meeting.id, "conclude", {
                "item_id": item.id,
                "text": "Thống nhất nội dung trình.\nGiao cơ quan chủ trì hoàn thiện, trình "
                        "ký ban hành trong tháng."})
    with clock_set_back(back):
        live_session.command(chair, meeting.id, "close", {})
        meeting = db.session.get(Meeting, meeting.id)
        minutes.request(secretary, meeting)
        db.session.commit()
        queue.drain()  # the minutes job, as the worker would run it
    meeting = db.session.get(Meeting, meeting.id, populate_existing=True)
    if meeting.minutes_file_id is None:
        return  # the minutes could not be built here (no LibreOffice): left to request again
    with clock_set_back(back - timedelta(hours=3)), quiet_demo_signing():
        minutes.sign(secretary, meeting, DEMO_PIN)
    if spec.chair_signs:
        with clock_set_back(back - timedelta(days=1)), quiet_demo_signing():
            minutes.sign(chair, meeting, DEMO_PIN)


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
    return [f"Cuộc họp dùng thử khác (đã họp và sắp họp): {made} cuộc họp mới"
            + (f" (đã có {len(UPCOMING) - made})." if made < len(UPCOMING) else ".")]
