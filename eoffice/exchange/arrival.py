"""What a package does when it reaches one of our organisations: business type 0 makes an
incoming document in RECEIVED for the clerk (signed PDF, attachments, all metadata, signatures
verified on receipt), 1 withdraws its content (the fact stays), 2 amends its metadata, 3 links
the replacing document to the one it replaces.

Everything happens in the caller's transaction; nothing here commits.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from sqlalchemy import select

from eoffice import audit
from eoffice.accounts.models import User
from eoffice.documents.common import PDF_ONLY, add_participant, add_version, store_file
from eoffice.documents.exchange import store_record
from eoffice.documents.incoming import IncomingMetadata
from eoffice.documents.indexing import reindex
from eoffice.documents.models import (
    Direction,
    Document,
    DocumentAttachment,
    ParticipantRole,
)
from eoffice.documents.receiving import metadata_of, signature_verdict
from eoffice.documents.revocation import revoke_incoming
from eoffice.documents.states import In
from eoffice.errors import InvalidInput
from eoffice.exchange.models import (
    BUSINESS_NEW,
    BUSINESS_REPLACE,
    BUSINESS_REVOKE,
    BUSINESS_UPDATE,
    ExchangeInbound,
)
from eoffice.exchange.routing import clerks_of
from eoffice.exchange.sender_check import sender_verdict
from eoffice.extensions import db
from eoffice.organisation.models import Organisation
from eoffice.timestamps import utcnow
from formats.doctypes import DOCUMENT_TYPES
from formats.edxml import EdxmlPackage

PDF = "application/pdf"
NO_CLERK = "Cơ quan nhận chưa có văn thư để tiếp nhận văn bản."


@dataclass
class Arrival:
    """What taking a package in did: the document concerned, the people to tell, and the
    objects to delete once the transaction committed (withdrawn content)."""

    document: Document | None
    clerk_ids: list[int] = field(default_factory=list)
    purge_keys: list[str] = field(default_factory=list)
    created: bool = False
    #: What the exchange noticed on arrival (signatures checked), kept with the message.
    note: str = ""


def _clerk(organisation: Organisation) -> tuple[User, list[int]]:
    clerks = clerks_of(organisation.id)
    if not clerks:
        raise InvalidInput(NO_CLERK)
    return clerks[0], [c.id for c in clerks]


def known_document(organisation_id: int, document_key: str) -> Document | None:
    """Our incoming copy of the sender's document ``document_key``, if it arrived."""
    document_id = db.session.execute(select(ExchangeInbound.document_id).where(
        ExchangeInbound.organisation_id == organisation_id,
        ExchangeInbound.document_key == document_key,
        ExchangeInbound.business_type.in_((BUSINESS_NEW, BUSINESS_REPLACE)),
        ExchangeInbound.document_id.isnot(None)).order_by(ExchangeInbound.id).limit(1)).scalar()
    return db.session.get(Document, document_id) if document_id else None


def package_verdict(package: EdxmlPackage, data: bytes) -> str:
    """One sentence about the package's own XML signature, which must be the sending
    organisation's (``sender_check``): a signature that does not verify, or that is another
    organisation's, refuses the package — that is what a transport reports back; a package
    between organisations of this installation must be signed."""
    return sender_verdict(package.message.from_org.organ_id, data)


def replaced_key(organisation: Organisation, package: EdxmlPackage) -> str | None:
    """The DocumentId a replacement (business type 3) supersedes here: from
    ReplacementInfoList as the official samples write it (the entry naming this organisation,
    or naming none), else from ResponseFor as older senders wrote it."""
    entries = package.message.business.replacements
    for entry in entries:
        if entry.document_id and (not entry.organ_ids
                                  or organisation.organ_id in entry.organ_ids):
            return entry.document_id
    if entries and entries[0].document_id:
        return entries[0].document_id
    if package.message.response_for and package.message.response_for[0].document_id:
        return package.message.response_for[0].document_id
    return None


def _create(organisation: Organisation, package: EdxmlPackage, data: bytes,
            verdict: str) -> Arrival:
    """Business type 0: a new incoming document in RECEIVED, waiting for the clerk."""
    pdfs = [a for a in package.attachments if a.content_type == PDF]
    if not pdfs:
        raise InvalidInput("Gói edXML không có tệp văn bản PDF.")
    clerk, clerk_ids = _clerk(organisation)
    meta: IncomingMetadata = metadata_of(package)
    if not meta.organ_name.strip():
        raise InvalidInput("Gói edXML thiếu tên cơ quan ban hành.")
    document = Document(
        organisation_id=organisation.id, direction=Direction.INCOMING, state=In.RECEIVED,
        organ_id=meta.organ_id.strip()[:13], organ_name=meta.organ_name.strip()[:255],
        code_number=meta.code_number, code_notation=meta.code_notation.strip()[:50],
        type_code=meta.type_code, type_name=DOCUMENT_TYPES.get(meta.type_code, "Công văn"),
        issued_date=meta.issued_date, subject=(meta.subject.strip() or "(không có trích yếu)"),
        signer_full_name=meta.signer_full_name.strip()[:120],
        signer_position=meta.signer_position.strip()[:120], urgency=meta.urgency,
        due_date=meta.due_date, page_amount=meta.page_amount,
        description=meta.description.strip(), arrival_date=utcnow(), created_by_id=clerk.id)
    db.session.add(document)
    db.session.flush()
    add_participant(document, clerk.id, ParticipantRole.CLERK)
    main = store_file(clerk, io.BytesIO(pdfs[0].data), pdfs[0].name, PDF_ONLY)
    add_version(clerk, document, main, "received", "Bản điện tử nhận qua liên thông")
    for extra in pdfs[1:]:
        stored = store_file(clerk, io.BytesIO(extra.data), extra.name, PDF_ONLY)
        db.session.add(DocumentAttachment(document_id=document.id, file_id=stored.id))
    note = f"{verdict} {signature_verdict(pdfs[0].data)}"
    store_record(None, document, "exchange_in", data)
    audit.record(None, "received", "document", document.id, direction=document.direction,
                 to_state=document.state, user_ids=clerk_ids, organ_id=meta.organ_id,
                 document_key=package.document_id, via="exchange", signatures=note)
    db.session.flush()
    reindex(document, new_file=main)
    return Arrival(document, clerk_ids, created=True, note=note)


def _revoke(organisation: Organisation, package: EdxmlPackage) -> Arrival:
    """Business type 1: the content goes, the fact and the metadata stay."""
    document = known_document(organisation.id, package.document_id)
    if document is None:
        raise InvalidInput(f"Không có văn bản {package.document_id} để thu hồi.")
    if document.state == In.REVOKED:
        return Arrival(document)
    clerk, clerk_ids = _clerk(organisation)
    reason = package.message.business.reason.strip() or "Nơi gửi thu hồi văn bản."
    result = revoke_incoming(clerk, document, f"{reason} (thu hồi qua liên thông)")
    return Arrival(document, clerk_ids, purge_keys=result.purge_keys)


UPDATABLE = ("subject", "code_number", "code_notation", "issued_date", "signer_full_name",
             "signer_position", "urgency", "due_date", "page_amount", "description")


def _update(organisation: Organisation, package: EdxmlPackage) -> Arrival:
    """Business type 2: the sender amends the document's metadata (and, when it sends one, a
    new file becomes the current version)."""
    document = known_document(organisation.id, package.document_id)
    if document is None:
        raise InvalidInput(f"Không có văn bản {package.document_id} để cập nhật.")
    if document.state == In.REVOKED:
        raise InvalidInput("Văn bản đã bị thu hồi, không cập nhật được.")
    clerk, clerk_ids = _clerk(organisation)
    meta = metadata_of(package)
    changed = []
    for name in UPDATABLE:
        value = getattr(meta, name)
        if name == "subject":
            value = value.strip()[:500] or document.subject
        if getattr(document, name) != value:
            setattr(document, name, value)
            changed.append(name)
    pdfs = [a for a in package.attachments if a.content_type == PDF]
    current = document.current_version
    if pdfs and current is not None:
        stored = store_file(clerk, io.BytesIO(pdfs[0].data), pdfs[0].name, PDF_ONLY)
        if stored.sha256 != current.file.sha256:
            add_version(clerk, document, stored, "received", "Bản cập nhật qua liên thông")
            changed.append("file")
    reason = package.message.business.reason.strip()
    audit.record(None, "exchange_updated", "document", document.id,
                 direction=document.direction, fields=changed, reason=reason,
                 document_key=package.document_id, user_ids=clerk_ids)
    db.session.flush()
    reindex(document)
    return Arrival(document, clerk_ids, note=f"Cập nhật: {reason}" if reason else "Cập nhật.")


def _replace(organisation: Organisation, package: EdxmlPackage, data: bytes,
             verdict: str) -> Arrival:
    """Business type 3: the replacing document arrives (or had arrived) and is linked to the
    one it replaces (:func:`replaced_key`)."""
    old_key = replaced_key(organisation, package)
    if old_key is None:
        raise InvalidInput("Gói thay thế không nêu văn bản bị thay thế (ReplacementInfoList).")
    old = known_document(organisation.id, old_key)
    if old is None:
        raise InvalidInput(f"Không có văn bản {old_key} để thay thế.")
    new = known_document(organisation.id, package.document_id)
    arrival = (Arrival(new) if new is not None
               else _create(organisation, package, data, verdict))
    assert arrival.document is not None
    _, clerk_ids = _clerk(organisation)
    old.replaced_by_id = arrival.document.id
    reason = package.message.business.reason.strip()
    audit.record(None, "replaced", "document", old.id, direction=old.direction,
                 replacement_id=arrival.document.id, reason=reason, user_ids=clerk_ids,
                 document_key=old_key)
    arrival.clerk_ids = clerk_ids
    return arrival


def take_package(organisation: Organisation, package: EdxmlPackage, data: bytes) -> Arrival:
    """Honour ``package`` for ``organisation`` according to its business type."""
    if package.message.secrecy:
        raise InvalidInput("Văn bản mật không được gửi, nhận qua liên thông.")
    # A signature that does not verify, or is not the sender's, refuses the package.
    verdict = package_verdict(package, data)
    kind = package.message.business.doc_type
    if kind == BUSINESS_NEW:
        existing = known_document(organisation.id, package.document_id)
        return (Arrival(existing) if existing is not None
                else _create(organisation, package, data, verdict))
    if kind == BUSINESS_REVOKE:
        return _revoke(organisation, package)
    if kind == BUSINESS_UPDATE:
        return _update(organisation, package)
    if kind == BUSINESS_REPLACE:
        return _replace(organisation, package, data, verdict)
    raise InvalidInput(f"Loại nghiệp vụ {kind} của gói edXML không được hỗ trợ.")
