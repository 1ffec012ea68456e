"""The demo meeting: ``flask seed-demo`` prepares one, so eoffice's paperless meeting can be tried
at once instead of after preparing a meeting by hand.

Registered at the ``demo_seeders`` extension point by ``meetings.init_app``, so it runs after the
core demo (organisation, users) and the documents module's. It is built through the meeting
service, as the secretary would prepare it: create, agenda, papers, invitations — so the demo
shows exactly what a real meeting looks like, audit trail included. Idempotent: the demo
organisation's meeting with the demo title is made once; later runs only print its link.

The papers are drawn by ``meetings.demo_pdf`` (no LibreOffice needed). The giấy mời needs
LibreOffice; where it is missing, invitations are sent without it and the seed still succeeds.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask import current_app, url_for
from sqlalchemy import select

from eoffice.accounts.models import User
from eoffice.demo import DEMO_ORGAN_ID
from eoffice.extensions import db
from eoffice.links import link_context
from eoffice.organisation.models import Organisation
from eoffice.timestamps import VIETNAM, format_local, utcnow
from meetings import service
from meetings.demo_history import seed_upcoming
from meetings.demo_pdf import Block, Letterhead, Style, text_pdf
from meetings.models import Meeting
from meetings.service import MeetingError

DEMO_TITLE = "Phiên họp thường kỳ UBND tỉnh (dùng thử)"
DEMO_LOCATION = "Phòng họp số 1"
DEMO_DESCRIPTION = (
    "Cuộc họp mẫu để dùng thử phòng họp không giấy: vào phòng họp, xem tài liệu theo từng nội "
    "dung, đăng ký phát biểu, biểu quyết, ghi chú trên tài liệu. Số liệu trong tài liệu chỉ để "
    "minh họa."
)
CHAIR, SECRETARY = "chutich", "thuky"  # the secretary prepares the meeting
MEMBERS = ("phochutich", "chanhvanphong", "truongphong", "chuyenvien")
PAPER_FOOTER = "Tài liệu họp dùng thử"


@dataclass(frozen=True)
class DemoItem:
    """An agenda item and the paper attached to it (drawn on the day of seeding)."""

    title: str
    minutes: int
    presenter: str
    paper_title: str
    filename: str
    notation: str  # the paper's number line, e.g. "Số: /BC-UBND" (a draft has no number yet)
    paper: Callable[[date], list[Block]]


def _report(today: date) -> list[Block]:
    month = f"tháng {today.month:02d} năm {today.year}"
    return [
        Block("BÁO CÁO", Style.TITLE),
        Block(f"Tình hình kinh tế – xã hội {month} và nhiệm vụ trọng tâm thời gian tới",
              Style.SUBTITLE),
        Block("(Dự thảo trình phiên họp – số liệu minh họa)", Style.NOTE),
        Block("I. TÌNH HÌNH KINH TẾ", Style.HEADING),
        Block("1. Sản xuất nông, lâm nghiệp", Style.HEADING),
        Block("Tổng diện tích gieo trồng cây hằng năm ước đạt 98,5% kế hoạch; năng suất lúa bình "
              "quân ước đạt 56,2 tạ/ha, tăng 1,3 tạ/ha so với cùng kỳ. Công tác phòng, chống dịch "
              "bệnh trên đàn gia súc, gia cầm được triển khai kịp thời, không để dịch lớn xảy ra. "
              "Trồng rừng tập trung ước đạt 4.200 ha, bằng 84% kế hoạch năm."),
        Block("2. Công nghiệp và xây dựng", Style.HEADING),
        Block("Chỉ số sản xuất công nghiệp ước tăng 8,7% so với cùng kỳ; các khu công nghiệp thu "
              "hút thêm 03 dự án với tổng vốn đăng ký 1.150 tỷ đồng. Giải ngân vốn đầu tư công "
              "ước đạt 62,4% kế hoạch vốn giao, cao hơn bình quân chung cả nước; còn 05 dự án "
              "giải ngân chậm do vướng mắc giải phóng mặt bằng."),
        Block("3. Thương mại, dịch vụ và du lịch", Style.HEADING),
        Block("Tổng mức bán lẻ hàng hóa và doanh thu dịch vụ tiêu dùng ước tăng 11,2%. Lượng khách "
              "du lịch ước đạt 3,1 triệu lượt, tổng thu từ du lịch ước đạt 5.600 tỷ đồng; các "
              "khu du lịch hồ Hòa Bình, Mai Châu tiếp tục là điểm đến thu hút khách."),
        Block("4. Thu, chi ngân sách", Style.HEADING),
        Block("Tổng thu ngân sách nhà nước trên địa bàn ước đạt 81,6% dự toán; chi ngân sách địa "
              "phương bảo đảm các nhiệm vụ chi thường xuyên, an sinh xã hội và chi đầu tư phát "
              "triển theo tiến độ."),
        Block("", Style.PAGE_BREAK),
        Block("II. VĂN HÓA – XÃ HỘI", Style.HEADING),
        Block("1. Giáo dục và đào tạo", Style.HEADING),
        Block("Tỷ lệ trường đạt chuẩn quốc gia đạt 72%; công tác chuẩn bị năm học mới được bảo đảm "
              "về cơ sở vật chất, đội ngũ giáo viên. Chương trình giáo dục phổ thông mới được "
              "triển khai đồng bộ ở các cấp học."),
        Block("2. Y tế và an sinh xã hội", Style.HEADING),
        Block("Tỷ lệ bao phủ bảo hiểm y tế đạt 95,4% dân số. Giải quyết việc làm mới cho 11.300 "
              "lao động; chi trả đầy đủ, kịp thời các chế độ cho người có công và đối tượng bảo "
              "trợ xã hội. Hoàn thành hỗ trợ xóa 1.250 nhà tạm, nhà dột nát."),
        Block("3. Cải cách hành chính và chuyển đổi số", Style.HEADING),
        Block("100% văn bản giữa các cơ quan hành chính được gửi, nhận dưới dạng điện tử, có ký "
              "số; 68% hồ sơ thủ tục hành chính được tiếp nhận trực tuyến. Các cuộc họp của Ủy ban "
              "nhân dân tỉnh được tổ chức theo hình thức phòng họp không giấy."),
        Block("III. ĐÁNH GIÁ CHUNG", Style.HEADING),
        Block("Tình hình kinh tế – xã hội tiếp tục chuyển biến tích cực; quốc phòng, an ninh được "
              "giữ vững. Tuy nhiên, tiến độ giải ngân vốn đầu tư công ở một số dự án còn chậm; "
              "thu ngân sách từ đất đạt thấp so với dự toán."),
        Block("", Style.PAGE_BREAK),
        Block("IV. NHIỆM VỤ TRỌNG TÂM THỜI GIAN TỚI", Style.HEADING),
        Block("1. Tập trung tháo gỡ khó khăn về giải phóng mặt bằng, đẩy nhanh giải ngân vốn đầu "
              "tư công; điều chuyển vốn từ dự án chậm sang dự án có khả năng giải ngân."),
        Block("2. Chỉ đạo sản xuất vụ mới, chủ động phòng, chống thiên tai, bảo đảm an toàn hồ "
              "đập trong mùa mưa bão."),
        Block("3. Tăng cường quản lý thu, chống thất thu ngân sách; thực hiện tiết kiệm chi "
              "thường xuyên."),
        Block("4. Đẩy mạnh cải cách hành chính, chuyển đổi số; nâng tỷ lệ hồ sơ giải quyết trực "
              "tuyến toàn trình."),
        Block("5. Bảo đảm an sinh xã hội, trật tự an toàn xã hội trên địa bàn tỉnh."),
        Block("V. ĐỀ NGHỊ", Style.HEADING),
        Block("Đề nghị các thành viên Ủy ban nhân dân tỉnh cho ý kiến vào dự thảo Báo cáo; Văn "
              "phòng Ủy ban nhân dân tỉnh tổng hợp, hoàn thiện trình Chủ tịch Ủy ban nhân dân tỉnh "
              "ký ban hành."),
    ]


def _plan(today: date) -> list[Block]:
    return [
        Block("KẾ HOẠCH", Style.TITLE),
        Block(f"Chuyển đổi số của tỉnh năm {today.year + 1}", Style.SUBTITLE),
        Block("(Dự thảo xin ý kiến thành viên Ủy ban nhân dân tỉnh)", Style.NOTE),
        Block("I. MỤC ĐÍCH, YÊU CẦU", Style.HEADING),
        Block("Phát triển chính quyền số, kinh tế số, xã hội số; lấy người dân, doanh nghiệp làm "
              "trung tâm; bảo đảm an toàn thông tin mạng trong toàn bộ quá trình chuyển đổi số."),
        Block("II. CHỈ TIÊU CHỦ YẾU", Style.HEADING),
        Block("- 100% văn bản đi của các cơ quan hành chính được ký số và gửi trên trục liên thông "
              "văn bản quốc gia."),
        Block("- 100% cuộc họp của Ủy ban nhân dân tỉnh và các sở, ngành dùng phòng họp không "
              "giấy; tài liệu họp được gửi trước ít nhất 03 ngày làm việc."),
        Block("- 80% hồ sơ thủ tục hành chính được giải quyết trực tuyến toàn trình."),
        Block("- 100% cán bộ, công chức được bồi dưỡng kỹ năng số cơ bản."),
        Block("", Style.PAGE_BREAK),
        Block("III. NHIỆM VỤ VÀ GIẢI PHÁP", Style.HEADING),
        Block("1. Hoàn thiện hạ tầng số: nâng cấp trung tâm dữ liệu tỉnh, mạng truyền số liệu "
              "chuyên dùng đến cấp xã."),
        Block("2. Phát triển dữ liệu số: xây dựng kho dữ liệu dùng chung, kết nối cơ sở dữ liệu "
              "quốc gia về dân cư."),
        Block("3. Nền tảng và ứng dụng: mở rộng hệ thống quản lý văn bản và điều hành, phòng "
              "họp không giấy đến cấp huyện."),
        Block("IV. TỔ CHỨC THỰC HIỆN", Style.HEADING),
        Block("Sở Khoa học và Công nghệ chủ trì, phối hợp với các sở, ngành, Ủy ban nhân dân "
              "các huyện, thành phố triển khai Kế hoạch; định kỳ hằng quý báo cáo Ủy ban nhân dân "
              "tỉnh kết quả thực hiện."),
    ]


DEMO_ITEMS = (
    DemoItem("Báo cáo tình hình kinh tế – xã hội và nhiệm vụ trọng tâm thời gian tới", 45,
             "chanhvanphong", "Dự thảo Báo cáo tình hình kinh tế – xã hội",
             "bao-cao-kinh-te-xa-hoi.pdf", "Số: /BC-UBND", _report),
    DemoItem("Cho ý kiến dự thảo Kế hoạch chuyển đổi số", 30, "truongphong",
             "Dự thảo Kế hoạch chuyển đổi số", "ke-hoach-chuyen-doi-so.pdf",
             "Số: /KH-UBND", _plan),
)


def start_time(now: datetime) -> datetime:
    """The next whole hour (Vietnam time) at least 30 minutes away: "later today", in UTC."""
    local = (now.astimezone(VIETNAM) + timedelta(minutes=30)).replace(
        minute=0, second=0, microsecond=0)
    return (local + timedelta(hours=1)).astimezone(UTC)


def demo_meeting(organisation: Organisation) -> Meeting | None:
    return db.session.execute(
        select(Meeting).where(Meeting.organisation_id == organisation.id,
                              Meeting.title == DEMO_TITLE).order_by(Meeting.id).limit(1)
    ).scalar_one_or_none()


def _paper(item: DemoItem, organisation: Organisation, today: date) -> bytes:
    letterhead = Letterhead(
        left=[organisation.name.upper(), item.notation],
        right=["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
               f"{organisation.place or ''}, ngày {today.day:02d} tháng {today.month:02d} "
               f"năm {today.year}"],
    )
    return text_pdf(item.paper(today), title=item.paper_title, footer=PAPER_FOOTER,
                    letterhead=letterhead)


def _invitation(meeting: Meeting) -> tuple[bytes | None, str]:
    """The giấy mời as PDF, or None and why (LibreOffice missing or failing)."""
    from formats.conversion import ConversionError
    from meetings.paperwork import invitation_docx, to_pdf

    try:
        return to_pdf(invitation_docx(meeting, utcnow())), ""
    except ConversionError as error:
        return None, str(error)


def _create(organisation: Organisation) -> tuple[Meeting, list[str]]:
    usernames = (CHAIR, SECRETARY, *MEMBERS, *(item.presenter for item in DEMO_ITEMS))
    users = {
        user.username: user for user in db.session.execute(
            select(User).where(User.organisation_id == organisation.id,
                               User.username.in_(usernames))
        ).scalars()
    }
    missing = sorted(set(usernames) - set(users))
    if missing:
        raise MeetingError(f"Thiếu tài khoản dùng thử: {', '.join(missing)}.")
    secretary = users[SECRETARY]
    now = utcnow()
    starts_at = start_time(now)
    meeting = service.create_meeting(
        secretary, title=DEMO_TITLE, starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=sum(i.minutes for i in DEMO_ITEMS) + 15),
        chair_id=users[CHAIR].id, secretary_id=secretary.id,
        member_ids=[users[name].id for name in MEMBERS], location=DEMO_LOCATION,
        description=DEMO_DESCRIPTION,
    )
    today = now.astimezone(VIETNAM).date()
    for demo in DEMO_ITEMS:
        item = service.add_agenda_item(secretary, meeting, title=demo.title,
                                       duration_minutes=demo.minutes,
                                       presenter_id=users[demo.presenter].id)
        service.attach_upload(secretary, item, io.BytesIO(_paper(demo, organisation, today)),
                              demo.filename, demo.paper_title)
    pdf, why = _invitation(meeting)
    service.send_invitations(secretary, meeting, pdf)
    notes = [] if pdf is not None else [f"  Giấy mời gửi không kèm tệp PDF: {why}"]
    return meeting, notes


def seed_meeting() -> list[str] | None:
    """The ``demo_seeders`` hook: make the demo meeting if missing; return lines to print."""
    organisation = db.session.execute(
        select(Organisation).where(Organisation.organ_id == DEMO_ORGAN_ID)
    ).scalar_one_or_none()
    if organisation is None:
        return None
    meeting = demo_meeting(organisation)
    notes = ["  (đã có từ trước)"]
    if meeting is None:
        try:
            meeting, notes = _create(organisation)
        except MeetingError as error:  # an upload refused is one too (MeetingInvalid)
            db.session.rollback()
            return [f"Không tạo được cuộc họp dùng thử: {error}"]
        db.session.commit()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with link_context(app):
        link = url_for("meetings.detail", meeting_id=meeting.id,
                       _external=bool(app.config["EOFFICE_SETTINGS"].public_url))
    return [
        f"Cuộc họp dùng thử: {meeting.title} — {link}",
        f"  {format_local(meeting.starts_at)} tại {meeting.location}; chủ trì {CHAIR}, "
        f"thư ký {SECRETARY}; mở trang cuộc họp rồi «Vào phòng họp».",
        *notes,
        *(seed_upcoming(_invitation) if app.config.get("DEMO_HISTORY", True) else []),
    ]
