"""Generating a Decree 30 draft from the form (formats engineer's drafting + conversion).

The DOCX is kept as the editable version and its PDF as the one to sign; where the number,
date and signature go is measured on that PDF and kept on the document (``layout``), so the
leader's signature and the reserved number/date fields land exactly in their places.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from eoffice.accounts.models import User
from eoffice.documents import numbering
from eoffice.documents.common import DRAFT_FILES, Result, add_version, store_file
from eoffice.documents.errors import InvalidInput
from eoffice.documents.models import Document, Secrecy, Urgency
from eoffice.documents.outgoing import OutgoingDraft, create_outgoing
from eoffice.extensions import db
from eoffice.files.content_check import DOCX
from eoffice.jobs import Job, JobFailed
from eoffice.organisation.models import Unit
from formats.conversion import ConversionError, convert_docx_to_pdf
from formats.drafting import DraftSpec, Signer, build_draft_docx, locate_reserved_areas


def spec_for(actor: User, draft: OutgoingDraft, body: Sequence[str],
             addressees: Sequence[str] = ()) -> DraftSpec:
    organisation = actor.organisation
    unit = db.session.get(Unit, draft.drafting_unit_id) if draft.drafting_unit_id else (
        actor.units[0] if actor.units else None)
    signer = db.session.get(User, draft.signer_id)
    if signer is None:
        raise InvalidInput("Chưa chọn người ký hợp lệ.")
    probe = Document(type_code=draft.type_code)
    return DraftSpec(
        issuing_body=organisation.name,
        parent_body=organisation.parent_name or "",
        notation=numbering.notation_for(probe, organisation, unit),
        place=organisation.place,
        subject=draft.subject.strip(),
        body=tuple(p.strip() for p in body if p.strip()),
        signer=Signer(title=signer.title, full_name=signer.full_name,
                      authority=draft.authority.strip()),
        recipients=tuple(line.strip(" -;") for line in draft.to_places.splitlines()
                         if line.strip(" -;")),
        archive_unit=unit.abbreviation if unit else "",
        type_name=None if not draft.type_code else _type_name(draft.type_code),
        urgency=Urgency(int(draft.urgency)).label if draft.urgency else None,
        secrecy=Secrecy(int(draft.secrecy)).label if draft.secrecy else None,
        addressees=tuple(a.strip() for a in addressees if a.strip()),
    )


def _type_name(code: str) -> str:
    from formats.doctypes import type_name

    return type_name(code)


def generate_outgoing(actor: User, draft: OutgoingDraft, body: Sequence[str],
                      addressees: Sequence[str] = ()) -> Result:
    """Create the draft from text: DOCX (editable) then its PDF (for signing) as versions."""
    if not [p for p in body if p.strip()]:
        raise InvalidInput("Nội dung văn bản không được để trống.")
    spec = spec_for(actor, draft, body, addressees)
    docx = build_draft_docx(spec)
    try:
        pdf = convert_docx_to_pdf(docx)
    except ConversionError as error:
        raise InvalidInput(str(error)) from None
    try:
        areas = locate_reserved_areas(pdf, spec)
    except ValueError:
        areas = None
    stored_docx = store_file(actor, io.BytesIO(docx), "du-thao.docx", DRAFT_FILES)
    result = create_outgoing(actor, draft, stored_docx)
    stored_pdf = store_file(actor, io.BytesIO(pdf), "du-thao.pdf", DRAFT_FILES)
    add_version(actor, result.document, stored_pdf, "converted", "Bản PDF tạo từ dự thảo")
    if areas is not None:
        result.document.layout = {
            "number_rect": list(areas.number_rect),
            "date_rect": list(areas.date_rect),
            "header_page": areas.header_page,
            "signature_rect": list(areas.signature_rect),
            "signature_page": areas.signature_page,
            "number_only": True,
        }
    return result


def convert_current(actor: User, document: Document) -> None:
    """Add a PDF version converted from the current DOCX (before signing)."""
    from eoffice.files.service import object_store

    version = document.current_version
    assert version is not None
    data = object_store().read_bytes(version.file.sha256)
    try:
        pdf = convert_docx_to_pdf(data)
    except ConversionError as error:
        raise InvalidInput(str(error)) from None
    stored = store_file(actor, io.BytesIO(pdf), "ban-chuyen-doi.pdf", DRAFT_FILES)
    add_version(actor, document, stored, "converted", "Chuyển sang PDF để ký số")


def convert_draft_job(job: Job) -> dict[str, object]:
    """Render the submitted DOCX version to PDF, unless the draft moved on meanwhile (a newer
    version, already rendered, no longer a draft): a retry or a late job changes nothing."""
    document = db.session.get(Document, job.params["document_id"])
    version = document.current_version if document is not None else None
    if (document is None or version is None or version.number != job.params["version"]
            or version.file.content_type != DOCX):
        return {"skipped": True}
    actor = db.session.get(User, job.requested_by_id)
    if actor is None:
        raise JobFailed("Người gửi dự thảo không còn trong hệ thống.")
    try:
        convert_current(actor, document)
    except InvalidInput as error:
        raise JobFailed(error.message) from None
    db.session.commit()
    return {"document_id": document.id, "version": document.current_version.number}
