"""Revocation of an incoming document (the sender withdraws it, Decree 30 Art. 24).

The content goes: every version, attachment and received edXML package is flagged revoked, is
no longer served, and its object is deleted once nothing else refers to the same bytes. The
fact stays: the rows, the state REVOKED, and the audit event with who, when and the reason.
"""

from __future__ import annotations

from sqlalchemy import select, update

from eoffice.accounts.models import User
from eoffice.documents.common import Result, comment
from eoffice.documents.errors import InvalidInput
from eoffice.documents.models import (
    Direction,
    Document,
    DocumentAttachment,
    DocumentVersion,
    EdxmlRecord,
)
from eoffice.documents.workflow import transition
from eoffice.extensions import db
from eoffice.files.models import StoredFile
from eoffice.files.service import object_store

#: Kept edXML files that carry the document's content (a package received by upload or
#: through the exchange): withdrawn with it.
CONTENT_KINDS = ("package_in", "exchange_in")


def revoke_incoming(actor: User, document: Document, reason: str) -> Result:
    """REVOKED with its reason; returns the object keys to purge once the caller committed."""
    reason = (reason or "").strip()
    if document.direction != Direction.INCOMING:
        raise InvalidInput("Chỉ văn bản đến được thu hồi theo cách này.")
    if not reason:
        raise InvalidInput("Hãy nhập lý do thu hồi (nơi gửi rút lại văn bản).")
    transition(actor, document, "revoke", reason=reason[:500])
    comment(actor, document, f"Thu hồi văn bản: {reason}", kind="revocation")
    file_ids = set(db.session.execute(select(DocumentVersion.file_id).where(
        DocumentVersion.document_id == document.id)).scalars())
    for file_id, signed_id in db.session.execute(select(
            DocumentAttachment.file_id, DocumentAttachment.signed_file_id).where(
            DocumentAttachment.document_id == document.id)):
        file_ids.update(i for i in (file_id, signed_id) if i)
    db.session.execute(update(DocumentVersion).where(DocumentVersion.document_id == document.id)
                       .values(revoked=True).execution_options(synchronize_session=False))
    db.session.execute(update(DocumentAttachment)
                       .where(DocumentAttachment.document_id == document.id)
                       .values(revoked=True).execution_options(synchronize_session=False))
    keys = [row.object_key for row in db.session.execute(select(EdxmlRecord).where(
        EdxmlRecord.document_id == document.id,
        EdxmlRecord.kind.in_(CONTENT_KINDS))).scalars()]
    db.session.execute(update(EdxmlRecord).where(EdxmlRecord.document_id == document.id,
                                                 EdxmlRecord.kind.in_(CONTENT_KINDS))
                       .values(revoked=True).execution_options(synchronize_session=False))
    db.session.expire(document, ["versions"])
    keys += list(db.session.execute(select(StoredFile.sha256).where(
        StoredFile.id.in_(file_ids))).scalars()) if file_ids else []
    from eoffice.documents.indexing import reindex

    reindex(document)
    result = Result(document)
    result.purge_keys = sorted(set(keys))
    return result


def purge_unreferenced(keys: list[str]) -> int:
    """After the commit: delete objects whose bytes only revoked rows still point at."""
    deleted = 0
    for key in keys:
        live_file = db.session.execute(select(StoredFile.id).where(
            StoredFile.sha256 == key,
            ~StoredFile.id.in_(select(DocumentVersion.file_id).where(
                DocumentVersion.revoked.is_(True))),
            ~StoredFile.id.in_(select(DocumentAttachment.file_id).where(
                DocumentAttachment.revoked.is_(True))),
            ~StoredFile.id.in_(select(DocumentAttachment.signed_file_id).where(
                DocumentAttachment.revoked.is_(True),
                DocumentAttachment.signed_file_id.isnot(None))),
        ).limit(1)).first()
        live_record = db.session.execute(select(EdxmlRecord.id).where(
            EdxmlRecord.object_key == key, EdxmlRecord.revoked.is_(False)).limit(1)).first()
        if live_file or live_record:
            continue
        object_store().delete(key)
        deleted += 1
    return deleted


def is_revoked_file(stored: StoredFile) -> bool:
    """True when ``stored`` belongs to revoked content (never served again)."""
    return db.session.execute(select(DocumentVersion.id).where(
        DocumentVersion.file_id == stored.id, DocumentVersion.revoked.is_(True)).limit(1)
    ).first() is not None or db.session.execute(select(DocumentAttachment.id).where(
        DocumentAttachment.revoked.is_(True),
        (DocumentAttachment.file_id == stored.id)
        | (DocumentAttachment.signed_file_id == stored.id)).limit(1)).first() is not None
