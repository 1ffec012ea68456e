"""Inter-agency exchange around a document, the documents' half: who may choose recipients
outside the organisation, the one mapping of an issued document to an edXML message, the edXML
files kept for a document (packages received, status messages in both directions) and the
status produced for a document that arrived as an uploaded edXML package (QCVN 102:2016).

The recipients themselves, electronic or by hand, are the exchange's (``eoffice.exchange``:
``recipients``, ``manual``).

edXML files are not user uploads of office formats, so they do not go through the foundation's
content sniffing: they are parsed here (``edxml.parse_*`` refuses anything hostile) and stored
straight in the object store with our own size limit. Secret documents never leave as edXML.
"""

from __future__ import annotations

import io
from datetime import datetime

from sqlalchemy import select

from eoffice import audit
from eoffice.accounts.models import User
from eoffice.accounts.permissions import has_role
from eoffice.accounts.roles import Role
from eoffice.documents.common import attachments_of
from eoffice.documents.errors import InvalidInput, NotVisible
from eoffice.documents.models import (
    Direction,
    Document,
    EdxmlRecord,
    ParticipantRole,
)
from eoffice.documents.states import In, Out
from eoffice.documents.workflow import Transition
from eoffice.extensions import db
from eoffice.files.orphans import note_object_put
from eoffice.files.service import object_store
from eoffice.timestamps import VIETNAM, utcnow
from formats import edxml

MAX_EDXML_BYTES = 100 * 1024 * 1024
XML = "application/xml"
# Incoming state reached → status reported to the sender (01 and 03 are sent on receipt).
STATUS_ON_STATE = {
    In.DIRECTED: edxml.StatusCode.ASSIGNED,
    In.IN_PROGRESS: edxml.StatusCode.IN_PROGRESS,
    In.COMPLETED: edxml.StatusCode.COMPLETED,
    In.RETURNED: edxml.StatusCode.REJECTED,
}
KIND_LABELS = {"package_in": "Gói edXML nhận được", "status_out": "Thông điệp trạng thái đã gửi",
               "status_in": "Thông điệp trạng thái nhận được",
               "package_out": "Gói edXML đã gửi liên thông",
               "exchange_in": "Gói edXML nhận qua liên thông"}


# --------------------------------------------------------------------------- recipients
def _is_drafter_or_clerk(user: User, document: Document) -> bool:
    if has_role(user, Role.CLERK) and user.organisation_id == document.organisation_id:
        return True
    return any(p.user_id == user.id and p.role == ParticipantRole.DRAFTER
               for p in document.participants)


def may_add_recipients(user: User, document: Document) -> bool:
    return (document.direction == Direction.OUTGOING and not document.is_secret
            and document.state not in (Out.REVOKED, Out.REPLACED, Out.ARCHIVED)
            and _is_drafter_or_clerk(user, document))


# --------------------------------------------------------------------------- export
def our_organ(document: Document) -> edxml.OrganInfo:
    org = document.organisation
    return edxml.OrganInfo(organ_id=org.organ_id, organ_name=org.name,
                           organization_in_charge=org.parent_name or "", organ_add=org.place)


def _code_number(document: Document) -> str:
    return f"{document.code_number:02d}" if document.code_number is not None else ""


def package_files(document: Document) -> list[edxml.Attachment]:
    """The files an edXML package of ``document`` carries: the issued PDF, then each
    attachment (its signed copy where there is one)."""
    version = document.current_version
    if version is None:
        raise InvalidInput("Văn bản chưa có tệp.")
    store = object_store()
    main_name = (f"{_code_number(document)}-{document.type_code or 'CV'}.pdf"
                 if document.code_number is not None else "van-ban.pdf")
    files = [edxml.Attachment(name=main_name, content_type=version.file.content_type,
                              data=store.read_bytes(version.file.sha256),
                              description="Văn bản chính")]
    for attachment in attachments_of(document):
        stored = attachment.signed_file or attachment.file
        files.append(edxml.Attachment(name=stored.original_name,
                                      content_type=stored.content_type,
                                      data=store.read_bytes(stored.sha256),
                                      description="Phụ lục"))
    return files


def package_message(document: Document, to: edxml.OrganInfo, files: list[edxml.Attachment],
                    *, at: datetime, business: edxml.Business | None = None
                    ) -> edxml.EdxmlMessage:
    """The one mapping of an issued document's metadata to an edXML message, for the
    exchange's packages and the manual export alike."""
    due = document.due_date.astimezone(VIETNAM).date() if document.due_date else None
    return edxml.EdxmlMessage(
        from_org=our_organ(document),
        to_orgs=(to,),
        code_number=_code_number(document),
        code_notation=document.code_notation,
        place=document.organisation.place,
        promulgation_date=document.issued_date,
        document_type=1 if document.is_legal_normative else 2,
        type_name=document.type_name,
        subject=document.subject,
        content=document.description,
        signer=edxml.SignerInfo(competence=document.authority,
                                position=document.signer_position,
                                full_name=document.signer_full_name),
        due_date=due,
        to_places=tuple(line.strip(" -") for line in document.to_places.splitlines()
                        if line.strip(" -")),
        other_info=edxml.OtherInfo(priority=document.urgency,
                                   promulgation_amount=document.issued_amount or 0,
                                   page_amount=document.page_amount or 0,
                                   appendixes=tuple(f.name for f in files[1:])),
        trace_headers=(edxml.TraceHeader(document.organisation.organ_id, at),),
        business=business or edxml.Business(),
    )


def outgoing_document_id(document: Document) -> str:
    """The exchange name of one of our issued documents (``OrganId,YYYY/MM/DD,Nr/Notation``)."""
    assert document.issued_date is not None
    return edxml.document_id(document.organ_id or document.organisation.organ_id,
                             document.issued_date, _code_number(document),
                             document.code_notation)


# --------------------------------------------------------------------------- records
def store_record(actor: User | None, document: Document, kind: str, data: bytes, *,
                 status_code: str = "", recipient_id: int | None = None) -> EdxmlRecord:
    """Keep an edXML file (already parsed by the caller) in the object store."""
    if len(data) > MAX_EDXML_BYTES:
        raise InvalidInput("Tệp edXML vượt quá dung lượng cho phép.")
    stored = object_store().put(io.BytesIO(data), content_type=XML, max_bytes=MAX_EDXML_BYTES)
    note_object_put(stored.key)  # removed at the request's end if no row keeps it
    row = EdxmlRecord(document_id=document.id, kind=kind, status_code=status_code,
                      external_recipient_id=recipient_id, object_key=stored.key,
                      size=stored.size, created_by_id=actor.id if actor else None)
    db.session.add(row)
    db.session.flush()
    return row


def records_of(document: Document) -> list[EdxmlRecord]:
    return list(db.session.execute(select(EdxmlRecord).where(
        EdxmlRecord.document_id == document.id).order_by(EdxmlRecord.id)).scalars())


def record_bytes(document: Document, record_id: int) -> tuple[bytes, str]:
    """The stored file of one record of ``document`` (caller checked the document is visible)."""
    row = db.session.get(EdxmlRecord, record_id)
    if row is None or row.document_id != document.id or row.revoked:
        raise NotVisible("Không tìm thấy tệp edXML.")
    name = f"{row.kind}-{row.status_code or row.id}-{document.id}{edxml.FILE_EXTENSION}"
    return object_store().read_bytes(row.object_key), name


def received_package(document: Document) -> edxml.EdxmlPackage | None:
    row = db.session.execute(select(EdxmlRecord).where(
        EdxmlRecord.document_id == document.id, EdxmlRecord.kind == "package_in",
        EdxmlRecord.revoked.is_(False)).limit(1)).scalar_one_or_none()
    if row is None:
        return None
    return edxml.parse_package(object_store().read_bytes(row.object_key))


# --------------------------------------------------------------------------- status out
def report_status(actor: User | None, document: Document, code: edxml.StatusCode,
                  description: str = "") -> EdxmlRecord | None:
    """Produce the status message telling the sender how its document is handled here.
    Only documents that arrived by edXML have a sender on the network; others get nothing."""
    if document.direction != Direction.INCOMING:
        return None
    package = received_package(document)
    if package is None:
        return None
    message = package.message
    status = edxml.StatusMessage(
        response_for=edxml.ResponseFor(
            organ_id=message.from_org.organ_id,
            code=f"{message.code_number}/{message.code_notation}",
            promulgation_date=message.promulgation_date, document_id=package.document_id),
        from_org=our_organ(document), code=code, timestamp=utcnow(),
        description=description or code.label,
        staff=edxml.StaffInfo(staff=actor.full_name if actor else ""),
    )
    row = store_record(actor, document, "status_out", edxml.build_status(status),
                       status_code=code.value)
    audit.record(actor, "status_reported", "document", document.id,
                 direction=document.direction, status_code=code.value,
                 organ_id=message.from_org.organ_id, document_key=package.document_id)
    return row


def report_after_transition(actor: User, document: Document, row: Transition) -> None:
    """Subscribed to every transition (``workflow.on_transition``): report the new handling
    state of an incoming document to its edXML sender."""
    code = STATUS_ON_STATE.get(row.target)  # type: ignore[call-overload]
    if code is not None and document.direction == Direction.INCOMING:
        report_status(actor, document, code)


def status_label(code: str) -> str:
    try:
        return edxml.StatusCode(code).label
    except ValueError:
        return code or "Chưa có phản hồi"
