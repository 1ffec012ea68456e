"""The living demo's documents: some forty, in every state, made through the real services.

``make run`` should open on a working office, not an empty one: every role's "Việc của tôi"
lists something to do and the reports count real acts. So the documents are taken through
the same functions the web actions call (register, present, direct, report, complete, file;
draft, approve, sign, number, seal, issue, revoke), in each organisation of the demo, over
the last weeks: each step runs under ``clock_set_back`` so its rows and audit events carry a
past time. Documents issued to another organisation of the installation travel through the
exchange (its jobs run here, in the same past moment) and their statuses flow back.

Idempotent: a scenario whose document (by subject, in its organisation) exists is skipped.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from eoffice.accounts.models import User
from eoffice.demo import DEMO_ORGAN_ID, LACSON_ORGAN_ID, STC_ORGAN_ID
from eoffice.demo_papers import letter_pdf
from eoffice.demo_tasks import seed_tasks
from eoffice.documents import outgoing, service, signing_service
from eoffice.documents.case_files import create_case_file
from eoffice.documents.models import CaseFile, Direction, Document
from eoffice.documents.states import In, Out
from eoffice.errors import DomainError
from eoffice.exchange import recipients
from eoffice.exchange.handling import register_arrival
from eoffice.extensions import db
from eoffice.jobs import queue
from eoffice.organisation.models import Organisation, Unit
from eoffice.signing_keys import DEMO_PIN, ensure_demo_credentials
from eoffice.timestamps import VIETNAM, clock_set_back, utcnow

INCOMING_STAGES = (In.REGISTERED, In.PRESENTED, In.DIRECTED, In.IN_PROGRESS, In.COMPLETED,
                   In.FILED)
OUTGOING_STAGES = (Out.DRAFT, Out.CONTENT_OK, Out.FORMAT_OK, Out.APPROVED, Out.SIGNED,
                   Out.NUMBERED, Out.ORG_SIGNED, Out.ISSUED)


@dataclass(frozen=True)
class Office:
    """Who plays which part in one demo organisation (logins) and its handling unit."""

    organ_id: str
    suffix: str  # "" for the province, ".stc", ".lacson"
    leader: str
    unit: str

    def login(self, role: str) -> str:
        return {"leader": self.leader}.get(role, role) + self.suffix


PROVINCE = Office(DEMO_ORGAN_ID, "", "chutich", "KT")
STC = Office(STC_ORGAN_ID, ".stc", "giamdoc", "NS")
LACSON = Office(LACSON_ORGAN_ID, ".lacson", "chutich", "TCKH")


@dataclass(frozen=True)
class Incoming:
    """A paper from outside, registered by the clerk and taken up to ``until``."""

    subject: str
    organ_name: str
    notation: str
    days_ago: float
    until: str  # an In state (RETURNED for one sent back)
    urgency: int = 0
    secrecy: int = 0
    leader: str = "chutich"  # whom it is presented to (province logins)
    to_unit: bool = False  # directed to the unit (its head hands it on) rather than a person
    deadline_days: float = 10.0  # after the direction
    office: Office = PROVINCE


@dataclass(frozen=True)
class Outgoing:
    """A draft by the specialist taken up to ``until``; issued ones may go to other
    organisations of the installation (``to``), which take the arrival up to ``then``."""

    subject: str
    days_ago: float
    until: str  # an Out state (REVISION, REVOKED too)
    urgency: int = 0
    to: tuple[Office, ...] = ()
    then: str = In.RECEIVED
    internal: bool = False  # also delivered to the secretary of the same organisation
    office: Office = PROVINCE
    paragraphs: tuple[str, ...] = field(default=(
        "Thực hiện chỉ đạo của Ủy ban nhân dân tỉnh về nhiệm vụ trọng tâm năm, đề nghị các "
        "cơ quan, đơn vị rà soát, tổng hợp và báo cáo kết quả thực hiện theo đúng thời hạn.",
        "Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, đề nghị phản ánh kịp thời về "
        "cơ quan chủ trì để tổng hợp, báo cáo cấp có thẩm quyền xem xét, giải quyết.",
    ))


INCOMING = [
    Incoming("Về việc hướng dẫn lập dự toán ngân sách nhà nước năm 2027", "Bộ Tài chính",
             "BTC-NSNN", 1.2, In.REGISTERED, urgency=1),
    Incoming("Về việc báo cáo tình hình thực hiện Chương trình mục tiêu quốc gia",
             "Bộ Kế hoạch và Đầu tư", "BKHĐT-TH", 0.6, In.REGISTERED),
    Incoming("Về việc ứng phó với mưa lũ, sạt lở đất trên địa bàn các tỉnh miền núi",
             "Văn phòng Chính phủ", "VPCP-NN", 0.4, In.PRESENTED, urgency=3),
    Incoming("Về việc đề nghị phối hợp tổ chức Tuần lễ văn hóa du lịch vùng Tây Bắc",
             "Ủy ban nhân dân tỉnh Sơn La", "UBND-VX", 2.5, In.PRESENTED),
    Incoming("Về việc triển khai kế hoạch bảo đảm an ninh, trật tự dịp Tết Nguyên đán",
             "Công an tỉnh Hòa Bình", "CAT-PV01", 1.5, In.PRESENTED, secrecy=1),
    Incoming("Về việc góp ý dự thảo Nghị định về quản lý đầu tư công", "Bộ Tài chính",
             "BTC-ĐT", 3.0, In.PRESENTED, leader="phochutich"),
    Incoming("Về việc kiểm tra công tác cải cách hành chính năm 2026", "Bộ Nội vụ",
             "BNV-CCHC", 6.0, In.DIRECTED, to_unit=True),
    Incoming("Về việc rà soát hồ sơ đề nghị công nhận xã đạt chuẩn nông thôn mới",
             "Văn phòng Điều phối nông thôn mới Trung ương", "VPĐP-NTM", 9.0, In.DIRECTED,
             deadline_days=5.0),
    Incoming("Về việc đôn đốc giải ngân vốn đầu tư công năm 2026", "Bộ Kế hoạch và Đầu tư",
             "BKHĐT-KTĐP", 12.0, In.IN_PROGRESS, urgency=1, deadline_days=7.0),
    Incoming("Về việc cung cấp số liệu phục vụ xây dựng quy hoạch vùng", "Ủy ban nhân dân "
             "tỉnh Phú Thọ", "UBND-KT", 8.0, In.IN_PROGRESS, deadline_days=14.0),
    Incoming("Về việc tổng kết công tác thi đua, khen thưởng năm 2026", "Ban Thi đua – Khen "
             "thưởng Trung ương", "BTĐKT-VP", 15.0, In.COMPLETED, deadline_days=1.0),
    Incoming("Về việc báo cáo kết quả thực hiện chỉ số PAPI", "Bộ Nội vụ", "BNV-CQĐP",
             20.0, In.FILED),
    Incoming("Về việc phân bổ kinh phí sự nghiệp môi trường", "Bộ Tài chính", "BTC-HCSN",
             24.0, In.FILED),
    Incoming("Về việc mời dự hội nghị trực tuyến (gửi nhầm cơ quan)", "Ủy ban nhân dân tỉnh "
             "Phú Thọ", "UBND-VP", 4.0, In.RETURNED),
    # The department and the district have their own mail.
    Incoming("Về việc thẩm định phương án giá dịch vụ công", "Bộ Tài chính", "BTC-QLG", 2.0,
             In.PRESENTED, office=STC, leader="giamdoc"),
    Incoming("Về việc quyết toán kinh phí chương trình mục tiêu", "Kho bạc Nhà nước",
             "KBNN-KSC", 10.0, In.IN_PROGRESS, office=STC, leader="giamdoc",
             deadline_days=6.0),
    Incoming("Về việc đề nghị thẩm định giá đất cụ thể", "Ủy ban nhân dân huyện Lạc Sơn",
             "UBND-TNMT", 0.8, In.REGISTERED, office=STC, leader="giamdoc", urgency=1),
    Incoming("Về việc hỗ trợ thiệt hại do thiên tai", "Ủy ban nhân dân tỉnh Hòa Bình",
             "UBND-NN", 3.0, In.DIRECTED, office=LACSON, to_unit=True),
    Incoming("Về việc chuẩn bị kỳ họp Hội đồng nhân dân huyện", "Thường trực HĐND huyện "
             "Lạc Sơn", "HĐND-VP", 1.0, In.REGISTERED, office=LACSON),
]

OUTGOING = [
    Outgoing("Về việc tăng cường công tác phòng, chống cháy rừng mùa khô", 0.5, Out.DRAFT),
    Outgoing("Về việc tổ chức các hoạt động mừng Đảng, mừng Xuân năm 2027", 1.5, Out.DRAFT,
             urgency=1),
    Outgoing("Về việc báo cáo tiến độ xây dựng chính quyền số", 4.0, Out.REVISION),
    Outgoing("Về việc triển khai thanh toán không dùng tiền mặt trong dịch vụ công", 3.0,
             Out.CONTENT_OK),
    Outgoing("Về việc giao chỉ tiêu tuyển sinh năm học 2027 – 2028", 5.0, Out.FORMAT_OK),
    Outgoing("Về việc phê duyệt danh mục dự án kêu gọi đầu tư năm 2027", 6.0, Out.APPROVED),
    Outgoing("Về việc chấn chỉnh kỷ luật, kỷ cương hành chính", 7.0, Out.SIGNED),
    Outgoing("Về việc giao dự toán thu, chi ngân sách năm 2027 cho Sở Tài chính", 18.0,
             Out.ISSUED, to=(STC,), then=In.IN_PROGRESS, internal=True),
    Outgoing("Về việc khắc phục hậu quả mưa lũ tại huyện Lạc Sơn", 11.0, Out.ISSUED,
             urgency=2, to=(LACSON,), then=In.RECEIVED),
    Outgoing("Về việc tổ chức Hội nghị tổng kết năm 2026", 14.0, Out.ISSUED,
             to=(STC, LACSON), then=In.PRESENTED),
    Outgoing("Về việc điều chỉnh lịch tiếp công dân tháng 12 (ban hành nhầm)", 16.0,
             Out.REVOKED),
    Outgoing("Báo cáo tình hình thực hiện dự toán ngân sách 11 tháng", 9.0, Out.ISSUED,
             office=STC, to=(PROVINCE,), then=In.DIRECTED),
    Outgoing("Báo cáo công tác khắc phục hậu quả thiên tai", 5.0, Out.ISSUED, office=LACSON,
             to=(PROVINCE,), then=In.RECEIVED),
    Outgoing("Về việc đề xuất bổ sung kinh phí sửa chữa trường học", 2.0, Out.REVISION,
             office=LACSON),
    Outgoing("Về việc hướng dẫn quyết toán vốn đầu tư dự án hoàn thành", 1.0, Out.DRAFT,
             office=STC),
    Outgoing("Về việc thẩm định dự toán mua sắm tài sản công", 3.0, Out.FORMAT_OK,
             office=STC),
    Outgoing("Về việc công khai dự toán ngân sách năm 2027", 1.5, Out.CONTENT_OK, office=STC),
]


@contextmanager
def quiet_demo_signing() -> Iterator[None]:
    """Silence pyHanko's warning, at each signature, that it embeds revocation data without
    fetching it: true of the demo PKI by design, and dozens of such lines would bury the logins
    ``make run`` prints."""
    signer_log = logging.getLogger("pyhanko.sign.signers.pdf_signer")
    level = signer_log.level
    signer_log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        signer_log.setLevel(level)


@contextmanager
def _days_ago(days: float) -> Iterator[None]:
    with clock_set_back(timedelta(days=days)):
        yield


@contextmanager
def _step(exchange: bool, days: float) -> Iterator[None]:
    """A step ``days`` ago; for a document that came through the exchange, committed and its
    status delivered at that same moment."""
    with _days_ago(days):
        yield
        if exchange:
            db.session.commit()
            _run_exchange()


def _user(username: str) -> User:
    return db.session.execute(select(User).where(User.username == username)).scalar_one()


def _organisation(office: Office) -> Organisation:
    return db.session.execute(select(Organisation).where(
        Organisation.organ_id == office.organ_id)).scalar_one()


def _unit(office: Office) -> Unit:
    return db.session.execute(select(Unit).where(
        Unit.organisation_id == _organisation(office).id,
        Unit.abbreviation == office.unit)).scalar_one()


def _exists(office: Office, subject: str, direction: str) -> Document | None:
    return db.session.execute(select(Document).where(
        Document.organisation_id == _organisation(office).id,
        Document.direction == direction, Document.subject == subject,
    ).order_by(Document.id).limit(1)).scalar_one_or_none()


def _pdf(office: Office, subject: str, paragraphs: tuple[str, ...] | list[str]) -> bytes:
    organisation = _organisation(office)
    today = utcnow().astimezone(VIETNAM).date()
    return letter_pdf(organisation.name, organisation.place or "Hòa Bình", today, subject,
                      list(paragraphs))


def _case_file(clerk: User) -> CaseFile:
    year = utcnow().astimezone(VIETNAM).year
    found = db.session.execute(select(CaseFile).where(
        CaseFile.organisation_id == clerk.organisation_id, CaseFile.year == year,
        CaseFile.code == "HS-01")).scalar_one_or_none()
    return found or create_case_file(clerk, "HS-01", "Hồ sơ chỉ đạo, điều hành chung")


def _take_incoming(document: Document, spec_until: str, office: Office, leader: str,
                   days: float, *, to_unit: bool = False, deadline_days: float = 10.0,
                   exchange: bool = False) -> None:
    """Take a registered incoming document from REGISTERED up to ``spec_until``, a step every
    few hours or days after ``days`` ago; with ``exchange`` (it came through the exchange),
    each step's status goes back to the sender at the moment of the step."""
    clerk, specialist = _user(office.login("vanthu")), _user(office.login("chuyenvien"))
    stages = INCOMING_STAGES[:INCOMING_STAGES.index(spec_until) + 1] \
        if spec_until in INCOMING_STAGES else ()
    if In.PRESENTED in stages:
        with _step(exchange, days - 0.1):
            service.present(clerk, document, _user(leader + office.suffix).id,
                            "Kính trình lãnh đạo cho ý kiến chỉ đạo.")
    if In.DIRECTED in stages:
        with _step(exchange, days - 0.6):
            deadline = utcnow() + timedelta(days=deadline_days)
            line = (service.Handling("lead", unit_id=_unit(office).id, deadline=deadline)
                    if to_unit else
                    service.Handling("lead", user_id=specialist.id, deadline=deadline))
            service.direct(_user(leader + office.suffix), document, [line],
                           "Giao chủ trì tham mưu, xử lý; báo cáo kết quả đúng hạn.")
    if In.IN_PROGRESS in stages:
        with _step(exchange, days - 1.5):
            service.report_progress(specialist, document,
                                    "Đã làm việc với các đơn vị liên quan, đang tổng hợp số liệu.")
    if In.COMPLETED in stages:
        with _step(exchange, days - 3):
            service.complete(specialist, document, None, "Đã tham mưu văn bản trả lời.")
    if In.FILED in stages:
        with _step(exchange, days - 3.5):
            service.file_into(clerk, document, [_case_file(clerk).id])


def _seed_incoming(spec: Incoming) -> bool:
    office = spec.office
    if _exists(office, spec.subject, Direction.INCOMING):
        return False
    clerk = _user(office.login("vanthu"))
    leader = _user(spec.leader + office.suffix)
    with _days_ago(spec.days_ago):
        stored = service.store_file(clerk, io.BytesIO(_pdf(office, spec.subject, [
            "Đề nghị Quý cơ quan nghiên cứu, triển khai thực hiện và báo cáo kết quả.",
        ])), "van-ban-den.pdf", service.PDF_ONLY)
        meta = service.IncomingMetadata(
            subject=spec.subject, organ_name=spec.organ_name,
            code_number=100 + len(spec.subject), code_notation=spec.notation,
            urgency=spec.urgency, secrecy=spec.secrecy,
            issued_date=(utcnow() - timedelta(days=2)).astimezone(VIETNAM).date(),
            named_user_ids=[leader.id] if spec.secrecy else [])
        document = service.register_incoming(clerk, meta, stored).document
    if spec.until == In.RETURNED:
        with _days_ago(spec.days_ago - 0.2):
            service.act(clerk, document, "return", "Văn bản gửi không đúng cơ quan nhận.")
    _take_incoming(document, spec.until, office, spec.leader, spec.days_ago,
                   to_unit=spec.to_unit, deadline_days=spec.deadline_days)
    return True


def _run_exchange() -> None:
    """Deliver what the exchange queued, and the statuses that answer it, at this moment."""
    for _ in range(6):
        if not queue.drain():
            return


def _seed_outgoing(spec: Outgoing) -> bool:
    office = spec.office
    if _exists(office, spec.subject, Direction.OUTGOING):
        return False
    drafter, reviewer = _user(office.login("chuyenvien")), _user(office.login("truongphong"))
    clerk, signer = _user(office.login("vanthu")), _user(office.login("leader"))
    days = spec.days_ago
    with _days_ago(days):
        stored = service.store_file(drafter, io.BytesIO(_pdf(office, spec.subject,
                                                             spec.paragraphs)), "du-thao.pdf")
        internal = [_user("thuky" + office.suffix).id] if spec.internal else []
        document = service.create_outgoing(drafter, service.OutgoingDraft(
            subject=spec.subject, type_code="", reviewer_id=reviewer.id, checker_id=clerk.id,
            signer_id=signer.id, urgency=spec.urgency, recipient_user_ids=internal,
            to_places="Như trên;\nLưu: VT."), stored).document
        for target in spec.to:
            recipients.add_recipient(drafter, document, target.organ_id)
    if spec.until == Out.REVISION:
        with _days_ago(days - 0.5):
            service.act(reviewer, document, "return",
                        "Đề nghị bổ sung số liệu quý IV và rà soát lại phần kiến nghị.")
        return True
    until = Out.ISSUED if spec.until == Out.REVOKED else spec.until
    stages = OUTGOING_STAGES[:OUTGOING_STAGES.index(until) + 1]
    steps = [(Out.CONTENT_OK, reviewer, "approve_content"), (Out.FORMAT_OK, clerk,
                                                            "approve_format"),
             (Out.APPROVED, signer, "approve")]
    for offset, (stage, actor, action) in enumerate(steps, start=1):
        if stage in stages:
            with _days_ago(days - 0.3 * offset):
                service.act(actor, document, action)
    if Out.SIGNED in stages:
        with _days_ago(days - 1.2):
            signing_service.sign_as_leader(signer, document, DEMO_PIN)
    if Out.ISSUED in stages:
        with _days_ago(days - 1.4):
            signing_service.assign_number(clerk, document)
            signing_service.org_sign(clerk, document, DEMO_PIN)
            outgoing.issue(clerk, document)
            db.session.commit()
            _run_exchange()
        for target in spec.to:
            _take_arrival(spec, target, days - 1.6)
    if spec.until == Out.REVOKED:
        with _days_ago(days - 2):
            service.act(clerk, document, "revoke", "Ban hành nhầm nội dung, thu hồi để sửa.")
    return True


def _take_arrival(spec: Outgoing, target: Office, days: float) -> None:
    """The receiving clerk registers the arrival and it moves on; each step sends its status
    back to the sender through the exchange."""
    arrived = _exists(target, spec.subject, Direction.INCOMING)
    if arrived is None or arrived.state != In.RECEIVED or spec.then == In.RECEIVED:
        return
    with _step(True, days):
        register_arrival(_user(target.login("vanthu")), arrived)
    _take_incoming(arrived, spec.then, target, target.leader, days, exchange=True)


def seed_documents() -> list[str]:
    """Make the demo documents that are missing, commit each; return lines to print."""
    if db.session.execute(select(Organisation.id).where(
            Organisation.organ_id == LACSON_ORGAN_ID)).first() is None:
        return []  # the organisations come first
    ensure_demo_credentials(list(db.session.execute(select(User)).scalars()))
    db.session.commit()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    at_once = app.config.get("EXCHANGE_AT_ONCE", True)
    app.config["EXCHANGE_AT_ONCE"] = False  # the seed runs the exchange jobs itself, in order
    made, refused = 0, []
    try:
        for spec in sorted([*INCOMING, *OUTGOING], key=lambda s: -s.days_ago):
            try:
                with quiet_demo_signing():
                    made += (_seed_incoming(spec) if isinstance(spec, Incoming)
                             else _seed_outgoing(spec))
                db.session.commit()
            except DomainError as error:
                # A step this server cannot do (a missing tool, say) costs that document
                # only: the rest of the demo is still made, and the reason is printed.
                db.session.rollback()
                refused.append(f"  Không tạo được văn bản “{spec.subject}”: {error}")
    finally:
        app.config["EXCHANGE_AT_ONCE"] = at_once
    total = len(INCOMING) + len(OUTGOING)
    return [f"Văn bản dùng thử: {made} văn bản mới"
            + (f" (đã có {total - made})." if made < total else "."), *refused, *seed_tasks()]
