"""Sign what you see (issue #11): the leader signs exactly the PDF he viewed and approved.

A draft is rendered to PDF when it is submitted (``outgoing.render_for_signing``); that PDF
is what reviewers, the format checker and the leader see inline, with its SHA-256. The
leader's "Duyệt ban hành" records the hash of the PDF he approved (``ApprovedPdf``), and the
sign form posts the hash of the PDF on his screen. At signing:

- no rendered PDF yet (the job has not run): refused, nothing is rendered at signing;
- the PDF on screen is not the current one: refused, nothing changed (he looks again);
- the current PDF is not the one approved (content changed after approval): the draft is
  sent back to revision (committed, audited) and signing is refused; every approval is
  then given again on the new PDF.

The signed PDF is the viewed one plus the signature: the bytes returned here are the ones
signed, never re-rendered.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask
from sqlalchemy import select

from eoffice.accounts.models import User
from eoffice.documents.errors import IllegalTransition, InvalidInput
from eoffice.documents.models import Direction, Document, DocumentVersion
from eoffice.documents.output_records import ApprovedPdf
from eoffice.documents.states import Out
from eoffice.documents.workflow import Transition, on_transition, transition
from eoffice.extensions import db
from eoffice.files.content_check import PDF
from eoffice.files.service import object_store

NOT_RENDERED = ("Bản PDF của dự thảo đang được tạo; hãy tải lại trang sau ít giây và xem bản "
                "PDF trước khi duyệt hoặc ký.")
STALE_VIEW = ("Bản PDF trên màn hình của bạn không còn là bản hiện tại của văn bản (mã SHA-256 "
              "khác); chưa ký gì. Hãy tải lại trang, xem lại bản PDF rồi ký.")
CHANGED_AFTER_APPROVAL = ("Nội dung văn bản đã thay đổi sau khi được duyệt ban hành; chưa ký "
                          "gì. Dự thảo đã được trả lại để sửa và phải được kiểm tra, duyệt lại.")

#: States in which the PDF shown is the one being reviewed, checked, approved or signed.
REVIEW_STATES = frozenset({Out.DRAFT, Out.REVISION, Out.CONTENT_OK, Out.FORMAT_OK,
                           Out.APPROVED})


class ViewedPdfChanged(IllegalTransition):
    """The PDF the signer looked at is not the one that would be signed."""


def rendered_version(document: Document) -> DocumentVersion | None:
    """The current version when it is a PDF (the rendering of a DOCX draft, or an uploaded
    PDF); None while a DOCX draft waits for its rendering."""
    version = document.current_version
    if version is None or version.file.content_type != PDF:
        return None
    return version


def approved_pdf(document: Document) -> ApprovedPdf | None:
    """The latest approval of a rendered PDF for ``document``."""
    return db.session.execute(
        select(ApprovedPdf).where(ApprovedPdf.document_id == document.id)
        .order_by(ApprovedPdf.id.desc()).limit(1)).scalar_one_or_none()


def record_approval(actor: User, document: Document, row: Transition) -> None:
    """Transition listener: "Duyệt ban hành" approves the rendered PDF on screen, by hash.

    Refused (the whole transition with it) while there is no PDF to look at: approving a
    DOCX would let the leader sign a PDF nobody approved."""
    if row.action != "approve":
        return
    version = rendered_version(document)
    if version is None:
        raise InvalidInput(NOT_RENDERED)
    db.session.add(ApprovedPdf(document_id=document.id, version_id=version.id,
                               sha256=version.file.sha256, approved_by_id=actor.id))


def pdf_to_sign(actor: User, document: Document, viewed_sha256: str | None) -> bytes:
    """The exact bytes the leader signs, after the checks above (see the module's doc)."""
    version = rendered_version(document)
    if version is None:
        raise InvalidInput(NOT_RENDERED)
    current = version.file.sha256
    approved = approved_pdf(document)
    if approved is not None and approved.sha256 != current:
        # Sent back for good: the refusal below rolls back the request, not this.
        transition(actor, document, "return", reason="content_changed_after_approval",
                   approved_sha256=approved.sha256, current_sha256=current)
        db.session.commit()
        raise ViewedPdfChanged(CHANGED_AFTER_APPROVAL)
    if viewed_sha256 is not None and viewed_sha256.strip().lower() != current:
        raise ViewedPdfChanged(STALE_VIEW)
    return object_store().read_bytes(current)


def init_app(app: Flask) -> None:
    """Bind the approval to the PDF approved."""
    on_transition(app, record_approval)


@dataclass(frozen=True)
class PdfView:
    """What the inline viewer shows: the rendered PDF and its hash, or that it is coming."""

    version: DocumentVersion | None
    sha256: str

    @property
    def pending(self) -> bool:
        return self.version is None


def view_for(document: Document) -> PdfView | None:
    """The viewer of an outgoing document while it is reviewed, checked, approved, signed."""
    if document.direction != Direction.OUTGOING or document.state not in REVIEW_STATES:
        return None
    version = rendered_version(document)
    return PdfView(version, version.file.sha256 if version is not None else "")
