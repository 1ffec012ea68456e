"""Keeping the full-text index (``eoffice.documents.search``) in step with documents.

Called in the same transaction as the change, so the index never shows a state that was
rolled back. The file's text is extracted only when a new version arrives; other changes
(state, number) rebuild the row from the document's columns and the text already indexed.
"""

from __future__ import annotations

import io
import zipfile

from sqlalchemy import select

from eoffice.documents.models import Direction, Document
from eoffice.documents.search import IndexEntry, extract_pdf_text, index_document
from eoffice.documents.search_models import DocumentSearch
from eoffice.extensions import db
from eoffice.files.content_check import DOCX, PDF
from eoffice.files.models import StoredFile
from eoffice.files.service import object_store

MAX_EXTRACT_BYTES = 30 * 1024 * 1024


def file_text(stored: StoredFile) -> str:
    """Plain text of a PDF or DOCX (empty for anything unreadable: indexing never fails)."""
    if stored.size > MAX_EXTRACT_BYTES:
        return ""
    try:
        data = object_store().read_bytes(stored.sha256)
    except Exception:  # a missing object must not stop the user's action
        return ""
    if stored.content_type == PDF:
        return extract_pdf_text(data)
    if stored.content_type == DOCX:
        try:
            from docx import Document as Docx

            return "\n".join(p.text for p in Docx(io.BytesIO(data)).paragraphs)
        except (ValueError, KeyError, zipfile.BadZipFile):
            return ""
    return ""


def entry_for(document: Document, body_text: str) -> IndexEntry:
    recipients = ""
    if document.direction == Direction.OUTGOING:
        recipients = document.to_places
    return IndexEntry(
        document_id=document.id,
        organisation_id=document.organisation_id,
        direction=document.direction,
        subject=document.subject,
        register_kind=document.register_kind,
        doc_type=document.type_code,
        type_name=document.type_name,
        number_notation=document.number_and_notation,
        status=document.state,
        unit_id=document.drafting_unit_id,
        document_date=document.issued_date or (
            document.arrival_date or document.created_at).date(),
        organ_name=document.organ_name,
        signer=document.signer_full_name,
        recipients=recipients,
        extra=str(document.arrival_number or ""),
        body_text=body_text,
    )


def reindex(document: Document, *, new_file: StoredFile | None = None) -> None:
    """Refresh the document's index row; read the text of ``new_file`` when one is given."""
    if new_file is not None:
        body = file_text(new_file)
    else:
        body = db.session.execute(
            select(DocumentSearch.body_text).where(DocumentSearch.document_id == document.id)
        ).scalar() or ""
    index_document(entry_for(document, body))


def reindex_after_transition(_actor: object, document: Document, _row: object) -> None:
    """Subscribed to every transition (``workflow.on_transition``): the index shows the new
    state at once."""
    reindex(document)
