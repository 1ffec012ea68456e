"""Incoming documents (văn bản đến): registration, presenting to a leader, direction,
handling and completion."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import BinaryIO

from sqlalchemy import and_, func, or_, select

from eoffice import audit
from eoffice.accounts.models import User
from eoffice.accounts.permissions import has_role
from eoffice.accounts.roles import Role
from eoffice.documents import numbering
from eoffice.documents.access import can_view
from eoffice.documents.common import (
    PDF_ONLY,
    Result,
    add_named_viewers,
    add_participant,
    add_version,
    checked_level,
    clean_subject,
    comment,
    notice,
    org_unit,
    org_user,
    store_file,
)
from eoffice.documents.errors import IllegalTransition, InvalidInput, NotPermitted, NotVisible
from eoffice.documents.models import (
    Direction,
    Document,
    DocumentAssignment,
    ParticipantRole,
    Secrecy,
    Urgency,
)
from eoffice.documents.rules import is_assignee, lead_handler, user_ids_of_unit_heads
from eoffice.documents.states import In
from eoffice.documents.workflow import transition
from eoffice.extensions import db
from eoffice.files.models import StoredFile
from eoffice.timestamps import VIETNAM, utcnow
from formats.doctypes import DOCUMENT_TYPES


@dataclass(frozen=True)
class IncomingMetadata:
    """What the clerk reads off an arriving document (Appendix VI)."""

    subject: str
    organ_name: str
    code_number: int | None
    code_notation: str
    type_code: str = ""
    organ_id: str = ""
    issued_date: date | None = None
    signer_full_name: str = ""
    signer_position: str = ""
    urgency: int = 0
    secrecy: int = 0
    due_date: datetime | None = None
    page_amount: int | None = None
    description: str = ""
    named_user_ids: Sequence[int] = ()

def find_duplicates(actor: User, meta: IncomingMetadata) -> list[Document]:
    """Incoming documents with the same number, notation and issuing body (a warning)."""
    if meta.code_number is None or not meta.code_notation.strip():
        return []
    issuer = or_(
        and_(Document.organ_id != "", Document.organ_id == meta.organ_id.strip())
        if meta.organ_id.strip()
        else False,
        func.lower(Document.organ_name) == meta.organ_name.strip().lower(),
    )
    return list(
        db.session.execute(
            select(Document).where(
                Document.organisation_id == actor.organisation_id,
                Document.direction == Direction.INCOMING,
                Document.code_number == meta.code_number,
                Document.code_notation == meta.code_notation.strip(),
                issuer,
                Document.state != In.REVOKED,
            )
        ).scalars()
    )

def register_incoming(
    actor: User, meta: IncomingMetadata, stored: StoredFile, *, received_kind: str = "received"
) -> Result:
    """Receive and register in one step: the arrival number comes from the yearly series."""
    if not has_role(actor, Role.CLERK):
        raise NotPermitted("Chỉ văn thư được vào sổ văn bản đến.")
    if not meta.organ_name.strip():
        raise InvalidInput("Chưa nhập cơ quan ban hành.")
    if meta.type_code not in DOCUMENT_TYPES:
        raise InvalidInput("Loại văn bản không hợp lệ.")
    now = utcnow()
    document = Document(
        organisation_id=actor.organisation_id,
        direction=Direction.INCOMING,
        state=In.RECEIVED,
        organ_id=meta.organ_id.strip()[:13],
        organ_name=meta.organ_name.strip()[:255],
        code_number=meta.code_number,
        code_notation=meta.code_notation.strip()[:50],
        type_code=meta.type_code,
        type_name=DOCUMENT_TYPES[meta.type_code],
        issued_date=meta.issued_date,
        subject=clean_subject(meta.subject),
        signer_full_name=meta.signer_full_name.strip()[:120],
        signer_position=meta.signer_position.strip()[:120],
        urgency=checked_level(meta.urgency, Urgency),
        secrecy=checked_level(meta.secrecy, Secrecy),
        due_date=meta.due_date,
        page_amount=meta.page_amount,
        description=meta.description.strip(),
        arrival_date=now,
        created_by_id=actor.id,
    )
    db.session.add(document)
    db.session.flush()
    add_participant(document, actor.id, ParticipantRole.CLERK)
    add_named_viewers(actor, document, meta.named_user_ids)
    add_version(actor, document, stored, received_kind, "Bản điện tử nhận được")
    audit.record(
        actor,
        "received",
        "document",
        document.id,
        direction=document.direction,
        to_state=document.state,
    )
    year = now.astimezone(VIETNAM).year
    document.register_kind = numbering.register_kind_for(document)
    document.register_year = year
    document.arrival_number = numbering.take_number(
        actor.organisation_id, year, document.register_kind
    )
    document.register_number = document.arrival_number
    db.session.flush()
    transition(actor, document, "register", _service=True, number=document.arrival_number)
    return Result(document)

def register_incoming_upload(
    actor: User, meta: IncomingMetadata, stream: BinaryIO, filename: str | None
) -> Result:
    """Check and store the arriving file, then register it (nothing is kept if refused)."""
    if not has_role(actor, Role.CLERK):
        raise NotPermitted("Chỉ văn thư được vào sổ văn bản đến.")
    stored = store_file(actor, stream, filename, PDF_ONLY)
    return register_incoming(actor, meta, stored)

def present(actor: User, document: Document, leader_id: int, note: str = "") -> Result:
    leader = org_user(actor, leader_id, "lãnh đạo")
    if not has_role(leader, Role.LEADER):
        raise InvalidInput("Người được trình phải là lãnh đạo.")
    add_participant(document, leader.id, ParticipantRole.LEADER)
    db.session.flush()
    transition(actor, document, "present", _service=True, user_ids=[leader.id])
    if note.strip():
        comment(actor, document, note, kind="comment")
    return Result(document, [notice([leader.id], "Văn bản đến chờ chỉ đạo", document)])

@dataclass(frozen=True)
class Handling:
    """One line of a direction: a unit or a person, lead or support, with its deadline."""

    role: str  # lead / support
    unit_id: int | None = None
    user_id: int | None = None
    deadline: datetime | None = None

def direct(actor: User, document: Document, lines: Sequence[Handling], opinion: str) -> Result:
    """The leader's direction: exactly one lead, any number of supports, a deadline each."""
    leads = [line for line in lines if line.role == "lead"]
    if len(leads) != 1:
        raise InvalidInput("Phải chọn đúng một đơn vị hoặc người chủ trì xử lý.")
    user_ids: list[int] = []
    unit_ids: list[int] = []
    for line in lines:
        if line.role not in ("lead", "support") or not (line.unit_id or line.user_id):
            raise InvalidInput("Dòng phân công không hợp lệ.")
        if line.user_id:
            org_user(actor, line.user_id, "người xử lý")
            user_ids.append(line.user_id)
        if line.unit_id:
            unit = org_unit(actor, line.unit_id)
            # A unit's assignment reaches its head; with none it would reach nobody and
            # later be counted as done, so it is refused until a head or a person is named.
            if not line.user_id and not user_ids_of_unit_heads([line.unit_id]):
                raise InvalidInput(f"Đơn vị “{unit.name if unit else ''}” chưa có trưởng "
                                   "đơn vị: chưa giao được. Hãy chọn người chủ trì cụ thể "
                                   "hoặc phân công trưởng đơn vị trước.")
            unit_ids.append(line.unit_id)
    for line in lines:
        db.session.add(
            DocumentAssignment(
                document_id=document.id,
                role=line.role,
                unit_id=line.unit_id,
                user_id=line.user_id,
                deadline=line.deadline,
                assigned_by_id=actor.id,
            )
        )
        if line.user_id:
            add_participant(document, line.user_id, ParticipantRole.HANDLER)
    if leads[0].deadline is not None:
        document.due_date = leads[0].deadline
    db.session.flush()
    deadline = leads[0].deadline.isoformat() if leads[0].deadline else None
    transition(
        actor,
        document,
        "direct",
        _service=True,
        user_ids=user_ids,
        unit_ids=unit_ids,
        deadline=deadline,
    )
    if opinion.strip():
        comment(actor, document, opinion, kind="direction")
    for line in lines:
        audit.record(
            actor,
            "assigned",
            "document",
            document.id,
            direction=document.direction,
            user_ids=[line.user_id] if line.user_id else [],
            unit_ids=[line.unit_id] if line.unit_id else [],
            deadline=line.deadline.isoformat() if line.deadline else None,
            role=line.role,
        )
    targets = user_ids + user_ids_of_unit_heads(unit_ids)
    return Result(document, [notice(targets, "Văn bản đến được giao xử lý", document)])

def reassign(actor: User, document: Document, assignment_id: int, user_id: int) -> Result:
    """A unit head hands the unit's assignment to a person of that unit."""
    assignment = db.session.get(DocumentAssignment, assignment_id)
    if assignment is None or assignment.document_id != document.id:
        raise NotVisible("Không tìm thấy phân công.")
    if document.state not in (In.DIRECTED, In.IN_PROGRESS):
        raise IllegalTransition("Chỉ giao lại khi văn bản đang chờ hoặc đang xử lý.")
    headed = {m.unit_id for m in actor.memberships if m.is_head}
    unit_id = assignment.unit_id
    if unit_id is None and assignment.user is not None:
        unit_id = next(
            (m.unit_id for m in assignment.user.memberships if m.unit_id in headed), None
        )
    if unit_id is None or unit_id not in headed:
        raise NotPermitted("Chỉ trưởng đơn vị được giao lại việc trong đơn vị.")
    user = org_user(actor, user_id, "người xử lý")
    if unit_id not in {m.unit_id for m in user.memberships}:
        raise InvalidInput("Người được giao phải thuộc đơn vị.")
    previous = assignment.user_id
    assignment.user_id = user.id
    assignment.unit_id = unit_id
    add_participant(document, user.id, ParticipantRole.HANDLER)
    db.session.flush()
    audit.record(
        actor,
        "reassigned",
        "document",
        document.id,
        direction=document.direction,
        user_ids=[user.id],
        unit_ids=[unit_id],
        previous_user_id=previous,
        deadline=assignment.deadline.isoformat() if assignment.deadline else None,
    )
    return Result(document, [notice([user.id], "Văn bản đến được giao cho bạn", document)])


def report_progress(actor: User, document: Document, body: str) -> Result:
    """Handlers record progress and opinions; the lead's first report starts the handling."""
    if document.state not in (In.DIRECTED, In.IN_PROGRESS):
        raise IllegalTransition("Văn bản không ở trạng thái đang xử lý.")
    if not (is_assignee(actor, document) or lead_handler(actor, document)):
        raise NotPermitted("Bạn không được giao xử lý văn bản này.")
    comment(actor, document, body, kind="progress")
    if document.state == In.DIRECTED and lead_handler(actor, document):
        transition(actor, document, "start", _service=True)
    else:
        audit.record(
            actor, "progress_reported", "document", document.id, direction=document.direction
        )
    return Result(document)


def complete(
    actor: User, document: Document, reply_document_id: int | None, note: str = ""
) -> Result:
    """The lead handler finishes; the reply document (an outgoing one) is linked."""
    if reply_document_id:
        reply = db.session.get(Document, reply_document_id)
        if reply is None or not can_view(actor, reply) or reply.direction != Direction.OUTGOING:
            raise InvalidInput("Văn bản trả lời không hợp lệ.")
        document.reply_document_id = reply.id
    now = utcnow()
    for assignment in db.session.execute(
        select(DocumentAssignment).where(
            DocumentAssignment.document_id == document.id, DocumentAssignment.completed_at.is_(None)
        )
    ).scalars():
        assignment.completed_at = now
    db.session.flush()
    transition(actor, document, "complete", _service=True, reply_document_id=reply_document_id)
    if note.strip():
        comment(actor, document, note, kind="progress")
    clerks = [p.user_id for p in document.participants if p.role == ParticipantRole.CLERK]
    return Result(document, [notice(clerks, "Văn bản đến đã xử lý xong, chờ lập hồ sơ", document)])
