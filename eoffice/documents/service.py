"""Document services: the rules and transactions behind every page and API endpoint.

Callers commit; every function here works inside the caller's transaction, records its audit
events there and raises ``WorkflowError`` subclasses (with Vietnamese messages) to refuse.
Notifications are returned as ``Notice`` lists for the caller to send after the commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, BinaryIO

from sqlalchemy import and_, case, func, or_, select, union
from sqlalchemy.orm import selectinload

from eoffice import audit
from eoffice.accounts.models import UnitMembership, User
from eoffice.accounts.permissions import has_role
from eoffice.accounts.roles import Role
from eoffice.documents import numbering
from eoffice.documents.access import can_view, visible_filter
from eoffice.documents.models import (
    CaseFile,
    CaseFileEntry,
    Direction,
    Document,
    DocumentAssignment,
    DocumentAttachment,
    DocumentComment,
    DocumentDelivery,
    DocumentParticipant,
    DocumentVersion,
    ParticipantRole,
    Secrecy,
    Urgency,
)
from eoffice.documents.workflow import (
    IllegalTransition,
    In,
    NotPermitted,
    NotVisible,
    Out,
    WorkflowError,
    transition,
)
from eoffice.extensions import db
from eoffice.files.content_check import DOCX, PDF
from eoffice.files.models import StoredFile
from eoffice.files.service import UploadError, save_upload
from eoffice.organisation.models import Unit
from eoffice.timestamps import VIETNAM, utcnow
from formats.doctypes import DOCUMENT_TYPES

DRAFT_FILES = frozenset({PDF, DOCX})
PDF_ONLY = frozenset({PDF})


class InvalidInput(WorkflowError):
    status = 400


@dataclass(frozen=True)
class Notice:
    """Something new in a person's work, to push once the transaction committed."""

    user_ids: tuple[int, ...]
    title: str
    document_id: int
    direction: str


@dataclass
class Result:
    document: Document
    notices: list[Notice] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Objects to delete once the caller committed (revoked content).
    purge_keys: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- helpers
def get_visible(user: User, document_id: int) -> Document:
    """The document if ``user`` may see it; otherwise ``NotVisible`` (a 404 for everyone)."""
    document = db.session.get(Document, document_id)
    if document is None or not can_view(user, document):
        raise NotVisible("Không tìm thấy văn bản.")
    return document


def add_participant(document: Document, user_id: int, role: ParticipantRole) -> None:
    if any(p.user_id == user_id and p.role == role for p in document.participants):
        return
    document.participants.append(
        DocumentParticipant(user_id=user_id, role=role, direction=document.direction))


def _org_user(actor: User, user_id: int | None, what: str) -> User:
    user = db.session.get(User, user_id) if user_id else None
    if user is None or user.organisation_id != actor.organisation_id or not user.active:
        raise InvalidInput(f"Chưa chọn {what} hợp lệ.")
    return user


def _org_unit(actor: User, unit_id: int | None) -> Unit | None:
    if not unit_id:
        return None
    unit = db.session.get(Unit, unit_id)
    if unit is None or unit.organisation_id != actor.organisation_id:
        raise InvalidInput("Đơn vị không hợp lệ.")
    return unit


def _subject(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput("Trích yếu không được để trống.")
    if len(text) > 500:
        raise InvalidInput("Trích yếu dài quá 500 ký tự.")
    return text


def _level(value: int | str | None, enum: type[Urgency] | type[Secrecy]) -> int:
    try:
        return int(enum(int(value or 0)))
    except ValueError:
        raise InvalidInput("Độ khẩn hoặc độ mật không hợp lệ.") from None


def store_file(
    actor: User, stream: BinaryIO, filename: str | None, allowed: frozenset[str] = DRAFT_FILES
) -> StoredFile:
    try:
        return save_upload(actor, stream, filename, allowed=allowed)
    except UploadError as error:
        raise InvalidInput(str(error)) from None


def add_version(
    actor: User, document: Document, stored: StoredFile, kind: str, note: str = ""
) -> DocumentVersion:
    """Append a version; earlier ones are never changed or removed."""
    number = (
        db.session.execute(
            select(func.max(DocumentVersion.number)).where(
                DocumentVersion.document_id == document.id
            )
        ).scalar()
        or 0
    ) + 1
    version = DocumentVersion(
        document_id=document.id,
        number=number,
        kind=kind,
        file_id=stored.id,
        created_by_id=actor.id,
        note=note,
    )
    db.session.add(version)
    db.session.flush()
    db.session.refresh(document, ["versions"])
    from eoffice.documents.indexing import reindex

    reindex(document, new_file=stored)
    return version


def user_ids_of_unit_heads(unit_ids: Iterable[int]) -> list[int]:
    ids = list(unit_ids)
    if not ids:
        return []
    return list(
        db.session.execute(
            select(UnitMembership.user_id).where(
                UnitMembership.unit_id.in_(ids), UnitMembership.is_head.is_(True)
            )
        ).scalars()
    )


def user_ids_of_units(unit_ids: Iterable[int]) -> list[int]:
    ids = list(unit_ids)
    if not ids:
        return []
    return list(
        db.session.execute(select(UnitMembership.user_id).where(UnitMembership.unit_id.in_(ids)))
        .scalars()
        .unique()
    )


def _notice(user_ids: Iterable[int | None], title: str, document: Document) -> Notice:
    return Notice(tuple(sorted({u for u in user_ids if u})), title, document.id, document.direction)


# --------------------------------------------------------------------------- outgoing
@dataclass(frozen=True)
class OutgoingDraft:
    subject: str
    type_code: str
    reviewer_id: int
    checker_id: int
    signer_id: int
    drafting_unit_id: int | None = None
    urgency: int = 0
    secrecy: int = 0
    is_legal_normative: bool = False
    authority: str = ""
    to_places: str = ""
    due_date: datetime | None = None
    recipient_user_ids: Sequence[int] = ()
    recipient_unit_ids: Sequence[int] = ()
    named_user_ids: Sequence[int] = ()


def create_outgoing(actor: User, draft: OutgoingDraft, stored: StoredFile) -> Result:
    """A new draft with its first file; the reviewer, checker and signer are named at once."""
    if draft.type_code not in DOCUMENT_TYPES:
        raise InvalidInput("Loại văn bản không hợp lệ.")
    reviewer = _org_user(actor, draft.reviewer_id, "người kiểm tra nội dung")
    checker = _org_user(actor, draft.checker_id, "người kiểm tra thể thức")
    signer = _org_user(actor, draft.signer_id, "người ký")
    if not has_role(signer, Role.LEADER):
        raise InvalidInput("Người ký phải là lãnh đạo.")
    unit = _org_unit(actor, draft.drafting_unit_id) or (actor.units[0] if actor.units else None)
    organisation = actor.organisation
    document = Document(
        organisation_id=actor.organisation_id,
        direction=Direction.OUTGOING,
        state=Out.DRAFT,
        organ_id=organisation.organ_id,
        organ_name=organisation.name,
        type_code=draft.type_code,
        type_name=DOCUMENT_TYPES[draft.type_code],
        is_legal_normative=bool(draft.is_legal_normative and draft.type_code),
        subject=_subject(draft.subject),
        urgency=_level(draft.urgency, Urgency),
        secrecy=_level(draft.secrecy, Secrecy),
        authority=draft.authority.strip()[:60],
        to_places=draft.to_places.strip(),
        due_date=draft.due_date,
        signer_position=signer.title,
        signer_full_name=signer.full_name,
        drafting_unit_id=unit.id if unit else None,
        created_by_id=actor.id,
    )
    db.session.add(document)
    db.session.flush()
    add_participant(document, actor.id, ParticipantRole.DRAFTER)
    add_participant(document, reviewer.id, ParticipantRole.REVIEWER)
    add_participant(document, checker.id, ParticipantRole.CHECKER)
    add_participant(document, signer.id, ParticipantRole.SIGNER)
    for user_id in draft.named_user_ids:
        add_participant(
            document, _org_user(actor, user_id, "người được xem").id, ParticipantRole.NAMED
        )
    for user_id in set(draft.recipient_user_ids):
        _org_user(actor, user_id, "người nhận")
        db.session.add(DocumentDelivery(document_id=document.id, user_id=user_id))
    for unit_id in set(draft.recipient_unit_ids):
        _org_unit(actor, unit_id)
        db.session.add(DocumentDelivery(document_id=document.id, unit_id=unit_id))
    add_version(actor, document, stored, "draft", "Bản dự thảo đầu tiên")
    audit.record(
        actor,
        "draft_created",
        "document",
        document.id,
        direction=document.direction,
        to_state=document.state,
        user_ids=[reviewer.id],
    )
    return Result(document, [_notice([reviewer.id], "Dự thảo chờ kiểm tra nội dung", document)])


def _is_drafter(user: User, document: Document) -> bool:
    return any(p.user_id == user.id and p.role == ParticipantRole.DRAFTER
               for p in document.participants)


def revise_draft(actor: User, document: Document, stored: StoredFile, note: str = "") -> Result:
    """The drafter uploads a new version while the draft is in DRAFT or REVISION."""
    if not _is_drafter(actor, document):
        raise NotPermitted("Chỉ người soạn thảo được tải phiên bản mới.")
    if document.state not in (Out.DRAFT, Out.REVISION):
        raise IllegalTransition("Chỉ sửa dự thảo khi văn bản chưa được duyệt nội dung.")
    version = add_version(actor, document, stored, "draft", note[:255])
    audit.record(
        actor,
        "draft_revised",
        "document",
        document.id,
        direction=document.direction,
        version=version.number,
    )
    return Result(document)


def comment(actor: User, document: Document, body: str, kind: str = "comment") -> DocumentComment:
    body = (body or "").strip()
    if not body:
        raise InvalidInput("Nội dung ý kiến không được để trống.")
    row = DocumentComment(document_id=document.id, author_id=actor.id, kind=kind, body=body[:5000])
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "commented", "document", document.id, direction=document.direction)
    return row


def act(actor: User, document: Document, action: str, note: str = "") -> Result:
    """A plain workflow step (approve, return, resubmit, archive, revoke) with an optional note."""
    if action == "revoke" and document.direction == Direction.INCOMING:
        from eoffice.documents.revocation import revoke_incoming

        return revoke_incoming(actor, document, note)
    row = transition(actor, document, action)
    if note.strip():
        comment(actor, document, note, kind="return" if action == "return" else "comment")
    notices: list[Notice] = []
    nxt = (
        {
            Out.CONTENT_OK: (ParticipantRole.CHECKER, "Dự thảo chờ kiểm tra thể thức"),
            Out.FORMAT_OK: (ParticipantRole.SIGNER, "Dự thảo chờ duyệt ký"),
            Out.APPROVED: (ParticipantRole.SIGNER, "Văn bản chờ ký số"),
            Out.REVISION: (ParticipantRole.DRAFTER, "Dự thảo bị trả lại để sửa"),
            Out.DRAFT: (ParticipantRole.REVIEWER, "Dự thảo chờ kiểm tra nội dung"),
        }.get(row.target)
        if document.direction == Direction.OUTGOING
        else None
    )  # type: ignore[call-overload]
    if nxt:
        notices.append(_notice([u.id for u in document.people(nxt[0])], nxt[1], document))
    if row.target == Out.FORMAT_OK and document.direction == Direction.OUTGOING:
        # "Trình ký": the draft is on the signer's desk; reports measure signing latency
        # from here (the signer approves, then signs).
        audit.record(actor, "submitted_for_signature", "document", document.id,
                     direction=document.direction,
                     user_ids=[u.id for u in document.people(ParticipantRole.SIGNER)])
    return Result(document, notices)


def issue(actor: User, document: Document) -> Result:
    """Send the organisation-signed document to its internal recipients (same day)."""
    now = utcnow()
    deliveries = (
        db.session.execute(
            select(DocumentDelivery).where(DocumentDelivery.document_id == document.id)
        )
        .scalars()
        .all()
    )
    user_ids: set[int] = set()
    unit_ids: set[int] = set()
    for delivery in deliveries:
        delivery.delivered_at = now
        if delivery.user_id:
            user_ids.add(delivery.user_id)
            add_participant(document, delivery.user_id, ParticipantRole.RECIPIENT)
        if delivery.unit_id:
            unit_ids.add(delivery.unit_id)
    document.issued_at = now
    transition(
        actor,
        document,
        "issue",
        _service=True,
        user_ids=sorted(user_ids),
        unit_ids=sorted(unit_ids),
        number=document.number_and_notation,
    )
    audit.record(
        actor,
        "delivered",
        "document",
        document.id,
        direction=document.direction,
        user_ids=sorted(user_ids),
        unit_ids=sorted(unit_ids),
    )
    everyone = user_ids | set(user_ids_of_units(unit_ids))
    title = f"Văn bản mới: {document.number_and_notation}"
    return Result(document, [_notice(everyone, title, document)])


def replace(actor: User, document: Document, replacement_id: int, reason: str = "") -> Result:
    """An issued document with a content error is replaced by a new one (Decree 30): the old
    one is frozen as REPLACED and points at its replacement; recipients are told."""
    replacement = db.session.get(Document, replacement_id)
    if (replacement is None or replacement.id == document.id
            or replacement.direction != Direction.OUTGOING or not can_view(actor, replacement)):
        raise InvalidInput("Văn bản thay thế không hợp lệ.")
    document.replaced_by_id = replacement.id
    db.session.flush()
    transition(actor, document, "replace", _service=True, replacement_id=replacement.id)
    if reason.strip():
        comment(actor, document, reason)
    recipients = [p.user_id for p in document.participants
                  if p.role == ParticipantRole.RECIPIENT]
    return Result(document, [_notice(recipients, "Văn bản đã bị thay thế", document)])


def mark_opened(user: User, document: Document) -> bool:
    """Record the first opening by a recipient (per delivery); True when this was the first."""
    unit_ids = [m.unit_id for m in user.memberships]
    rows = (
        db.session.execute(
            select(DocumentDelivery).where(
                DocumentDelivery.document_id == document.id,
                DocumentDelivery.delivered_at.isnot(None),
                DocumentDelivery.first_opened_at.is_(None),
                or_(
                    DocumentDelivery.user_id == user.id,
                    DocumentDelivery.unit_id.in_(unit_ids) if unit_ids else False,
                ),
            )
        )
        .scalars()
        .all()
    )
    if not rows:
        return False
    now = utcnow()
    for row in rows:
        row.first_opened_at = now
        row.first_opened_by_id = user.id
    audit.record(user, "opened", "document", document.id, direction=document.direction, first=True)
    return True


# --------------------------------------------------------------------------- incoming
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
        subject=_subject(meta.subject),
        signer_full_name=meta.signer_full_name.strip()[:120],
        signer_position=meta.signer_position.strip()[:120],
        urgency=_level(meta.urgency, Urgency),
        secrecy=_level(meta.secrecy, Secrecy),
        due_date=meta.due_date,
        page_amount=meta.page_amount,
        description=meta.description.strip(),
        arrival_date=now,
        created_by_id=actor.id,
    )
    db.session.add(document)
    db.session.flush()
    add_participant(document, actor.id, ParticipantRole.CLERK)
    for user_id in meta.named_user_ids:
        add_participant(
            document, _org_user(actor, user_id, "người được xem").id, ParticipantRole.NAMED
        )
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
    leader = _org_user(actor, leader_id, "lãnh đạo")
    if not has_role(leader, Role.LEADER):
        raise InvalidInput("Người được trình phải là lãnh đạo.")
    add_participant(document, leader.id, ParticipantRole.LEADER)
    db.session.flush()
    transition(actor, document, "present", _service=True, user_ids=[leader.id])
    if note.strip():
        comment(actor, document, note, kind="comment")
    return Result(document, [_notice([leader.id], "Văn bản đến chờ chỉ đạo", document)])


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
            _org_user(actor, line.user_id, "người xử lý")
            user_ids.append(line.user_id)
        if line.unit_id:
            _org_unit(actor, line.unit_id)
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
    return Result(document, [_notice(targets, "Văn bản đến được giao xử lý", document)])


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
    user = _org_user(actor, user_id, "người xử lý")
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
    return Result(document, [_notice([user.id], "Văn bản đến được giao cho bạn", document)])


def is_assignee(actor: User, document: Document) -> bool:
    units = {m.unit_id for m in actor.memberships}
    headed = {m.unit_id for m in actor.memberships if m.is_head}
    for assignment in db.session.execute(
        select(DocumentAssignment).where(DocumentAssignment.document_id == document.id)
    ).scalars():
        if (
            assignment.user_id == actor.id
            or (assignment.unit_id in headed)
            or (assignment.user_id is None and assignment.unit_id in units)
        ):
            return True
    return False


def report_progress(actor: User, document: Document, body: str) -> Result:
    """Handlers record progress and opinions; the lead's first report starts the handling."""
    if document.state not in (In.DIRECTED, In.IN_PROGRESS):
        raise IllegalTransition("Văn bản không ở trạng thái đang xử lý.")
    from eoffice.documents.workflow import lead_handler

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
    return Result(document, [_notice(clerks, "Văn bản đến đã xử lý xong, chờ lập hồ sơ", document)])


# --------------------------------------------------------------------------- case files
def create_case_file(actor: User, code: str, title: str, year: int | None = None) -> CaseFile:
    code, title = code.strip(), title.strip()
    if not code or not title:
        raise InvalidInput("Hồ sơ cần có mã và tiêu đề.")
    year = year or utcnow().astimezone(VIETNAM).year
    exists = db.session.execute(
        select(CaseFile.id).where(
            CaseFile.organisation_id == actor.organisation_id,
            CaseFile.year == year,
            CaseFile.code == code,
        )
    ).first()
    if exists:
        raise InvalidInput("Mã hồ sơ đã tồn tại trong năm.")
    row = CaseFile(
        organisation_id=actor.organisation_id,
        year=year,
        code=code[:50],
        title=title[:500],
        created_by_id=actor.id,
    )
    db.session.add(row)
    db.session.flush()
    return row


def file_into(actor: User, document: Document, case_file_ids: Sequence[int]) -> Result:
    """Put a document into one or more case files (no copies); a completed incoming one is
    then FILED."""
    if not case_file_ids:
        raise InvalidInput("Hãy chọn ít nhất một hồ sơ.")
    added: list[int] = []
    for case_file_id in case_file_ids:
        case_file = db.session.get(CaseFile, case_file_id)
        if case_file is None or case_file.organisation_id != document.organisation_id:
            raise InvalidInput("Hồ sơ không hợp lệ.")
        exists = db.session.execute(
            select(CaseFileEntry.id).where(
                CaseFileEntry.case_file_id == case_file.id, CaseFileEntry.document_id == document.id
            )
        ).first()
        if not exists:
            db.session.add(
                CaseFileEntry(
                    case_file_id=case_file.id, document_id=document.id, added_by_id=actor.id
                )
            )
            added.append(case_file.id)
    db.session.flush()
    if document.direction == Direction.INCOMING and document.state == In.COMPLETED:
        transition(actor, document, "file", _service=True, case_file_ids=added)
    else:
        from eoffice.documents.workflow import handler_or_clerk

        if not (
            handler_or_clerk(actor, document)
            or any(p.user_id == actor.id for p in document.participants)
        ):
            raise NotPermitted("Bạn không được lập hồ sơ cho văn bản này.")
        audit.record(
            actor,
            "filed",
            "document",
            document.id,
            direction=document.direction,
            case_file_ids=added,
        )
    return Result(document)


# --------------------------------------------------------------------------- lists
URGENCY_FIRST = (
    Document.urgency.desc(),
    case((Document.due_date.is_(None), 1), else_=0),
    Document.due_date,
    Document.id.desc(),
)


COUNT_CAP = 1000
"""Lists count at most this many (then show "hơn 1.000"): an exact count of tens of
thousands of rows would cost more than the whole page."""


def list_documents(
    user: User, direction: str, *, state: str | None = None, page: int = 1, per_page: int = 50
) -> tuple[list[Document], int]:
    """One page of the documents ``user`` may see, newest first, and the number of them
    (capped at ``COUNT_CAP + 1``).

    The rule is ``visible_filter``'s; the query shape is chosen for speed at 100,000
    documents. Clerks and admins read the documents table newest first (everything not secret,
    plus the secret ones naming them). Everyone else reads the few ways a document reaches
    them — named on it, delivered to their unit, assigned to a unit they head — each branch
    newest first through its own index and cut at the page's end, then merged: the cost
    follows the page, not the number of documents the user can see.
    """
    from eoffice.documents.access import reach_branches, secret_named_ids

    offset = (max(page, 1) - 1) * per_page
    if has_role(user, Role.CLERK):
        where = [Document.organisation_id == user.organisation_id,
                 Document.direction == direction,
                 or_(Document.secrecy == 0,
                     Document.id.in_(secret_named_ids(user, direction)))]
        if state:
            where.append(Document.state == state)
        total = db.session.execute(select(func.count()).select_from(
            select(Document.id).where(*where).limit(COUNT_CAP + 1).subquery())).scalar()
        ids = list(db.session.execute(
            select(Document.id).where(*where).order_by(Document.id.desc())
            .limit(per_page).offset(offset)).scalars())
    else:
        def merged(limit: int, ordered: bool) -> Any:
            parts = []
            for branch in reach_branches(user, direction, state):
                if ordered:
                    branch = branch.order_by(branch.selected_columns[0].desc())
                parts.append(select(branch.limit(limit).subquery().c[0].label("id")))
            return union(*parts).subquery()

        counted = merged(COUNT_CAP + 1, ordered=False)
        total = db.session.execute(select(func.count()).select_from(
            select(counted.c.id).limit(COUNT_CAP + 1).subquery())).scalar()
        page_ids = merged(offset + per_page, ordered=True)
        ids = list(db.session.execute(
            select(page_ids.c.id).order_by(page_ids.c.id.desc()).limit(per_page)
            .offset(offset)).scalars())
    if not ids:
        return [], int(total or 0)
    by_id = {d.id: d for d in db.session.execute(
        select(Document).where(Document.id.in_(ids))).scalars()}
    return [by_id[i] for i in ids], int(total or 0)


def waiting_for(user: User, limit: int = 100) -> list[Document]:
    """Documents waiting for ``user`` to act, most urgent and nearest deadline first."""
    mine = select(DocumentParticipant.document_id).where(DocumentParticipant.user_id == user.id)

    def named(role: ParticipantRole) -> object:
        return Document.id.in_(mine.where(DocumentParticipant.role == role))

    conditions = [
        and_(Document.state == Out.DRAFT, named(ParticipantRole.REVIEWER)),
        and_(Document.state == Out.REVISION, named(ParticipantRole.DRAFTER)),
        and_(Document.state == Out.CONTENT_OK, named(ParticipantRole.CHECKER)),
        and_(Document.state.in_([Out.FORMAT_OK, Out.APPROVED]), named(ParticipantRole.SIGNER)),
        and_(
            Document.state == In.PRESENTED,
            named(ParticipantRole.LEADER),
            Document.direction == Direction.INCOMING,
        ),
    ]
    if has_role(user, Role.CLERK):
        clerk_states = and_(
            Document.organisation_id == user.organisation_id,
            or_(
                and_(
                    Document.direction == Direction.OUTGOING,
                    Document.state.in_([Out.SIGNED, Out.NUMBERED, Out.ORG_SIGNED]),
                ),
                and_(
                    Document.direction == Direction.INCOMING,
                    Document.state.in_([In.RECEIVED, In.REGISTERED]),
                ),
            ),
            or_(Document.secrecy == 0, Document.id.in_(mine)),
        )
        conditions.append(clerk_states)
    headed = [m.unit_id for m in user.memberships if m.is_head]
    open_assignment = select(DocumentAssignment.document_id).where(
        DocumentAssignment.completed_at.is_(None),
        or_(
            DocumentAssignment.user_id == user.id,
            and_(DocumentAssignment.user_id.is_(None), DocumentAssignment.unit_id.in_(headed))
            if headed
            else False,
        ),
    )
    conditions.append(
        and_(Document.state.in_([In.DIRECTED, In.IN_PROGRESS]), Document.id.in_(open_assignment))
    )
    unit_ids = [m.unit_id for m in user.memberships]
    unread = select(DocumentDelivery.document_id).where(
        DocumentDelivery.delivered_at.isnot(None),
        DocumentDelivery.first_opened_at.is_(None),
        or_(
            DocumentDelivery.user_id == user.id,
            DocumentDelivery.unit_id.in_(unit_ids) if unit_ids else False,
        ),
    )
    conditions.append(and_(Document.state == Out.ISSUED, Document.id.in_(unread)))
    from eoffice.documents.consultation import OPEN_STATES, open_for

    conditions.append(and_(Document.state.in_(OPEN_STATES), Document.id.in_(open_for(user))))
    return list(
        db.session.execute(
            select(Document)
            # The list obeys the same rule as the documents it names: a secret document's
            # subject never shows to someone not named on it (a unit head it was assigned
            # to, a member of a recipient unit).
            .where(Document.organisation_id == user.organisation_id, or_(*conditions),
                   visible_filter(user))
            .order_by(*URGENCY_FIRST)
            .limit(limit)
        ).scalars()
    )


def is_overdue(document: Document, now: datetime | None = None) -> bool:
    open_states = {In.REGISTERED, In.PRESENTED, In.DIRECTED, In.IN_PROGRESS}
    return bool(
        document.due_date
        and document.state in open_states
        and document.due_date < (now or utcnow())
    )


def history(document: Document) -> list[object]:
    from eoffice.audit.models import Event

    return list(
        db.session.execute(
            select(Event)
            .where(Event.object_kind == "document", Event.object_id == str(document.id))
            .order_by(Event.id)
        ).scalars()
    )


def load_for_page(document_id: int) -> Document | None:
    return db.session.execute(
        select(Document)
        .where(Document.id == document_id)
        .options(selectinload(Document.participants), selectinload(Document.versions))
    ).scalar_one_or_none()


def attachments_of(document: Document) -> list[DocumentAttachment]:
    return list(
        db.session.execute(
            select(DocumentAttachment)
            .where(DocumentAttachment.document_id == document.id)
            .order_by(DocumentAttachment.id)
        ).scalars()
    )


def add_attachment(actor: User, document: Document, stored: StoredFile) -> DocumentAttachment:
    """An attachment is content: only the drafter adds one, and only while the draft can still
    change (before the content is approved). What the reviewer approved, the leader signed
    and the clerk seals and issues is then one and the same; a later change goes through
    "trả lại" (back to revision) and every approval again."""
    if not can_view(actor, document):
        raise NotVisible("Không tìm thấy văn bản.")
    if document.direction != Direction.OUTGOING or document.state not in (Out.DRAFT,
                                                                           Out.REVISION):
        raise IllegalTransition(
            "Không thể thêm phụ lục khi dự thảo đã được duyệt: nội dung lãnh đạo duyệt, ký "
            "phải giữ nguyên. Hãy trả lại dự thảo để sửa, rồi trình duyệt lại.")
    if not _is_drafter(actor, document):
        raise NotPermitted("Chỉ người soạn thảo được thêm phụ lục.")
    row = DocumentAttachment(document_id=document.id, file_id=stored.id)
    db.session.add(row)
    db.session.flush()
    return row


def _rows_of(model: Any, document: Document) -> list[Any]:
    """A document's child rows of one kind, in the order they were written."""
    return list(
        db.session.execute(
            select(model).where(model.document_id == document.id).order_by(model.id)
        ).scalars()
    )


def deliveries_of(document: Document) -> list[DocumentDelivery]:
    return _rows_of(DocumentDelivery, document)


def assignments_of(document: Document) -> list[DocumentAssignment]:
    return _rows_of(DocumentAssignment, document)


def comments_of(document: Document) -> list[DocumentComment]:
    return _rows_of(DocumentComment, document)


def search_documents(
    user: User, text: str, *, direction: str | None = None, page: int = 1, per_page: int = 20
) -> tuple[list[Document], int]:
    """Full-text search (accent-insensitive) among the documents ``user`` may see."""
    from eoffice.documents.search import SearchQuery, search
    from eoffice.documents.search_models import DocumentSearch

    # Correlated to the candidate row: each text match is checked by primary key, instead of
    # materialising every id a clerk may see (tens of thousands) for every search.
    visible_ids = select(Document.id).where(Document.id == DocumentSearch.document_id,
                                            visible_filter(user, dense=True)
                                            ).correlate(DocumentSearch)
    found = search(SearchQuery(organisation_id=user.organisation_id, text=text,
                               direction=direction or None, visible_ids=visible_ids,
                               page=page, per_page=per_page))
    if not found.ids:
        return [], found.total
    by_id = {d.id: d for d in db.session.execute(
        select(Document).where(Document.id.in_(found.ids))).scalars()}
    return [by_id[i] for i in found.ids if i in by_id], found.total


def sweep_overdue(now: datetime | None = None) -> list[Notice]:
    """Record ``overdue`` once per incoming document past its deadline and tell its handlers
    and the leader who directed it (the đôn đốc of Decree 30). Run it periodically."""
    from eoffice.audit.models import Event

    now = now or utcnow()
    already = select(Event.object_id).where(Event.object_kind == "document",
                                            Event.action == "overdue")
    late = db.session.execute(
        select(Document).where(
            Document.direction == Direction.INCOMING,
            Document.state.in_([In.REGISTERED, In.PRESENTED, In.DIRECTED, In.IN_PROGRESS]),
            Document.due_date.isnot(None), Document.due_date < now,
            func.cast(Document.id, db.String).notin_(already),
        )
    ).scalars().all()
    notices = []
    for document in late:
        people = [p.user_id for p in document.participants
                  if p.role in (ParticipantRole.HANDLER, ParticipantRole.LEADER)]
        audit.record(None, "overdue", "document", document.id, direction=document.direction,
                     user_ids=sorted(set(people)),
                     deadline=document.due_date.isoformat() if document.due_date else None)
        notices.append(_notice(people, "Văn bản đến đã quá hạn xử lý", document))
    return notices
