"""Files attached to documents are visible to whoever may see the document (``can_view``),
except a draft for a recipient of the issued document (``recipient_view``)."""

from __future__ import annotations

from sqlalchemy import or_, select

from eoffice.accounts.models import User
from eoffice.documents.access import can_view
from eoffice.documents.models import (
    Document,
    DocumentAttachment,
    DocumentVersion,
    EdxmlRecord,
)
from eoffice.documents.recipient_view import official_file_ids, sees_whole
from eoffice.extensions import db
from eoffice.files.models import StoredFile


def documents_using(stored: StoredFile) -> list[Document]:
    version_docs = select(DocumentVersion.document_id).where(DocumentVersion.file_id == stored.id)
    attachment_docs = select(DocumentAttachment.document_id).where(
        or_(DocumentAttachment.file_id == stored.id, DocumentAttachment.signed_file_id == stored.id)
    )
    return list(
        db.session.execute(
            select(Document).where(
                or_(Document.id.in_(version_docs), Document.id.in_(attachment_docs))
            )
        ).scalars()
    )


def document_file_rule(user: User, stored: StoredFile) -> bool:
    return any(can_view(user, document) for document in documents_using(stored))


def secret_document_veto(user: User, stored: StoredFile) -> bool:
    """Files of a secret document are for the people named on it, admins included; the
    content of a revoked document is served to nobody."""
    from eoffice.documents.revocation import is_revoked_file

    if is_revoked_file(stored):
        return True
    return any(d.is_secret and not can_view(user, d) for d in documents_using(stored))


def recipient_file_veto(user: User, stored: StoredFile) -> bool:
    """A recipient of an issued document gets its official copy only: any other file of it
    (a draft version, an appendix before signing) is withheld, whatever route asks, unless
    the same file reaches the user through a document they see whole."""
    barred = False
    for document in documents_using(stored):
        if not can_view(user, document):
            continue
        if sees_whole(user, document):
            return False
        attachments = list(db.session.execute(select(DocumentAttachment).where(
            DocumentAttachment.document_id == document.id)).scalars())
        if stored.id in official_file_ids(document, attachments):
            return False
        barred = True
    return barred


def edxml_record_names(key: str) -> bool:
    """edXML packages and status messages name their objects directly (no ``StoredFile``):
    registered with ``eoffice.files.orphans`` so a kept record keeps its object."""
    return db.session.execute(
        select(EdxmlRecord.id).where(EdxmlRecord.object_key == key).limit(1)).first() is not None
