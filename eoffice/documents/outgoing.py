"""Outgoing documents (văn bản đi): the draft, its approvals, issuing, replacement, and
the internal recipients' first opening."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from eoffice import audit
from eoffice.accounts.models import User
from eoffice.accounts.permissions import has_role
from eoffice.accounts.roles import Role
from eoffice.documents.access import can_view
from eoffice.documents.common import (
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
)
from eoffice.documents.errors import IllegalTransition, InvalidInput, NotPermitted, NotVisible
from eoffice.documents.models import (
    Direction,
    Document,
    DocumentAttachment,
    DocumentDelivery,
    DocumentVersion,
    ParticipantRole,
    Secrecy,
    Urgency,
)
from eoffice.documents.rules import is_drafter, user_ids_of_units
from eoffice.documents.states import Out
from eoffice.documents.workflow import transition
from eoffice.extensions import db
from eoffice.files.content_check import DOCX
from eoffice.files.models import StoredFile
from eoffice.jobs import submit
from eoffice.timestamps import utcnow
from formats.doctypes import DOCUMENT_TYPES


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

def render_for_signing(actor: User, document: Document, version: DocumentVersion) -> None:
    """A DOCX draft is rendered to PDF by the job queue as soon as it is submitted, so the
    leader's signing never waits for a conversion (it still converts if the job has not run
    yet). One job per version: a resubmission renders the new one."""
    if version.file.content_type == DOCX:
        submit("convert_draft", f"convert_draft:{document.id}:v{version.number}",
               requested_by=actor, params={"document_id": document.id,
                                           "version": version.number})


def create_outgoing(actor: User, draft: OutgoingDraft, stored: StoredFile) -> Result:
    """A new draft with its first file; the reviewer, checker and signer are named at once."""
    if draft.type_code not in DOCUMENT_TYPES:
        raise InvalidInput("Loại văn bản không hợp lệ.")
    reviewer = org_user(actor, draft.reviewer_id, "người kiểm tra nội dung")
    checker = org_user(actor, draft.checker_id, "người kiểm tra thể thức")
    signer = org_user(actor, draft.signer_id, "người ký")
    if not has_role(signer, Role.LEADER):
        raise InvalidInput("Người ký phải là lãnh đạo.")
    unit = org_unit(actor, draft.drafting_unit_id) or (actor.units[0] if actor.units else None)
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
        subject=clean_subject(draft.subject),
        urgency=checked_level(draft.urgency, Urgency),
        secrecy=checked_level(draft.secrecy, Secrecy),
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
    add_named_viewers(actor, document, draft.named_user_ids)
    for user_id in set(draft.recipient_user_ids):
        org_user(actor, user_id, "người nhận")
        db.session.add(DocumentDelivery(document_id=document.id, user_id=user_id))
    for unit_id in set(draft.recipient_unit_ids):
        org_unit(actor, unit_id)
        db.session.add(DocumentDelivery(document_id=document.id, unit_id=unit_id))
    first = add_version(actor, document, stored, "draft", "Bản dự thảo đầu tiên")
    render_for_signing(actor, document, first)
    audit.record(
        actor,
        "draft_created",
        "document",
        document.id,
        direction=document.direction,
        to_state=document.state,
        user_ids=[reviewer.id],
    )
    return Result(document, [notice([reviewer.id], "Dự thảo chờ kiểm tra nội dung", document)])

def revise_draft(actor: User, document: Document, stored: StoredFile, note: str = "") -> Result:
    """The drafter uploads a new version while the draft is in DRAFT or REVISION."""
    if not is_drafter(actor, document):
        raise NotPermitted("Chỉ người soạn thảo được tải phiên bản mới.")
    if document.state not in (Out.DRAFT, Out.REVISION):
        raise IllegalTransition("Chỉ sửa dự thảo khi văn bản chưa được duyệt nội dung.")
    version = add_version(actor, document, stored, "draft", note[:255])
    render_for_signing(actor, document, version)
    audit.record(
        actor,
        "draft_revised",
        "document",
        document.id,
        direction=document.direction,
        version=version.number,
    )
    return Result(document)

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
    return Result(document, [notice(everyone, title, document)])

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
    return Result(document, [notice(recipients, "Văn bản đã bị thay thế", document)])

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
    if not is_drafter(actor, document):
        raise NotPermitted("Chỉ người soạn thảo được thêm phụ lục.")
    row = DocumentAttachment(document_id=document.id, file_id=stored.id)
    db.session.add(row)
    db.session.flush()
    return row
