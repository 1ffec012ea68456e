"""Receiving an electronic document as an edXML package (QCVN 102:2016).

The package's MessageHeader fills the incoming metadata (Appendix VI maps 1:1), its first PDF
becomes the received version and other PDFs its attachments; the signatures on the main file
are checked on receipt and the verdict is written into the document's history, as Decree 30
asks ("verify authenticity on receipt"). Secret documents never travel as edXML: refused.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, time

import signing
from eoffice.accounts.models import User
from eoffice.documents.common import PDF_ONLY, Result, comment, store_file
from eoffice.documents.errors import InvalidInput
from eoffice.documents.exchange import report_status, store_record
from eoffice.documents.incoming import IncomingMetadata, find_duplicates, register_incoming
from eoffice.documents.models import DocumentAttachment
from eoffice.extensions import db
from eoffice.signing_keys.trust import validate_pdf
from eoffice.timestamps import VIETNAM
from formats.doctypes import DOCUMENT_TYPES
from formats.edxml import EdxmlError, EdxmlPackage, StatusCode, parse_package

MAX_PACKAGE_BYTES = 100 * 1024 * 1024
_TYPE_BY_NAME = {name.lower(): code for code, name in DOCUMENT_TYPES.items()}


def looks_like_edxml(head: bytes) -> bool:
    start = head.lstrip()[:200]
    return start.startswith(b"<?xml") or start.startswith(b"<edXML") or b"edXML" in start


def read_package(data: bytes) -> EdxmlPackage:
    if len(data) > MAX_PACKAGE_BYTES:
        raise InvalidInput("Gói edXML vượt quá dung lượng cho phép.")
    try:
        package = parse_package(data)
    except EdxmlError as error:
        raise InvalidInput(str(error)) from None
    if package.message.secrecy:
        raise InvalidInput("Văn bản mật không được gửi, nhận qua trục liên thông (edXML).")
    if not any(a.content_type == "application/pdf" for a in package.attachments):
        raise InvalidInput("Gói edXML không có tệp văn bản PDF.")
    return package


def metadata_of(package: EdxmlPackage) -> IncomingMetadata:
    message = package.message
    number = message.code_number.strip()
    due = (datetime.combine(message.due_date, time(23, 59, 59), tzinfo=VIETNAM)
           .astimezone(UTC) if message.due_date else None)
    return IncomingMetadata(
        subject=message.subject[:500],
        organ_name=message.from_org.organ_name,
        organ_id=message.from_org.organ_id,
        code_number=int(number) if number.isdigit() else None,
        code_notation=message.code_notation,
        type_code=_TYPE_BY_NAME.get(message.type_name.strip().lower(), ""),
        issued_date=message.promulgation_date,
        signer_full_name=message.signer.full_name,
        signer_position=" ".join(p for p in (message.signer.competence,
                                             message.signer.position) if p),
        urgency=min(max(message.other_info.priority, 0), 3),
        due_date=due,
        page_amount=message.other_info.page_amount or None,
        description=message.content,
    )


def receive_package(actor: User, data: bytes, *, confirm_duplicate: bool = False) -> Result:
    """Register an arriving edXML package; the duplicate check is the same as on paper."""
    package = read_package(data)
    meta = metadata_of(package)
    duplicates = find_duplicates(actor, meta)
    if duplicates and not confirm_duplicate:
        raise InvalidInput("Văn bản này đã được vào sổ (trùng số, ký hiệu và cơ quan ban "
                           f"hành, số đến {duplicates[0].arrival_number}).")
    pdfs = [a for a in package.attachments if a.content_type == "application/pdf"]
    main = store_file(actor, io.BytesIO(pdfs[0].data), pdfs[0].name, PDF_ONLY)
    result = register_incoming(actor, meta, main, received_kind="received")
    document = result.document
    for extra in pdfs[1:]:
        stored = store_file(actor, io.BytesIO(extra.data), extra.name, PDF_ONLY)
        db.session.add(DocumentAttachment(document_id=document.id, file_id=stored.id))
    comment(actor, document, f"Nhận qua trục liên thông (edXML), mã văn bản "
                             f"{package.document_id}. {signature_verdict(pdfs[0].data)}")
    store_record(actor, document, "package_in", data)
    report_status(actor, document, StatusCode.ARRIVED)
    report_status(actor, document, StatusCode.ACCEPTED,
                  f"Đã vào sổ văn bản đến, số đến {document.arrival_number}.")
    return result


def signature_verdict(pdf: bytes) -> str:
    """One Vietnamese sentence about the file's digital signatures (never raises)."""
    try:
        report = validate_pdf(pdf)
    except signing.SigningError:
        return "Không kiểm tra được chữ ký số của tệp."
    if not report.signatures:
        return "Tệp không có chữ ký số."
    return f"Kiểm tra chữ ký số: {report.verdict_vi}"
