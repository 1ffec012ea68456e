"""What every documents service shares: results and notices, checked inputs, files and
versions, comments, child rows.

Callers commit; every function here works inside the caller's transaction, records its audit
events there and raises ``eoffice.errors`` refusals (with Vietnamese messages). Notifications
are returned as ``Notice`` lists for the caller to send after the commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from sqlalchemy import func, select

from eoffice import audit
from eoffice.accounts.models import User
from eoffice.documents.access import can_view
from eoffice.documents.errors import InvalidInput, NotVisible
from eoffice.documents.indexing import reindex
from eoffice.documents.models import (
    Document,
    DocumentAttachment,
    DocumentComment,
    DocumentParticipant,
    DocumentVersion,
    ParticipantRole,
    Secrecy,
    Urgency,
)
from eoffice.extensions import db
from eoffice.files.content_check import DOCX, PDF
from eoffice.files.models import StoredFile
from eoffice.files.service import UploadError, save_upload
from eoffice.organisation.models import Unit

DRAFT_FILES = frozenset({PDF, DOCX})

PDF_ONLY = frozenset({PDF})


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

def add_named_viewers(actor: User, document: Document, user_ids: Iterable[int]) -> None:
    """The people named to see the document, each an active person of the actor's
    organisation."""
    for user_id in user_ids:
        add_participant(
            document, org_user(actor, user_id, "người được xem").id, ParticipantRole.NAMED
        )

def org_user(actor: User, user_id: int | None, what: str) -> User:
    user = db.session.get(User, user_id) if user_id else None
    if user is None or user.organisation_id != actor.organisation_id or not user.active:
        raise InvalidInput(f"Chưa chọn {what} hợp lệ.")
    return user

def org_unit(actor: User, unit_id: int | None) -> Unit | None:
    if not unit_id:
        return None
    unit = db.session.get(Unit, unit_id)
    if unit is None or unit.organisation_id != actor.organisation_id:
        raise InvalidInput("Đơn vị không hợp lệ.")
    return unit

def clean_subject(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput("Trích yếu không được để trống.")
    if len(text) > 500:
        raise InvalidInput("Trích yếu dài quá 500 ký tự.")
    return text

def checked_level(value: int | str | None, enum: type[Urgency] | type[Secrecy]) -> int:
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
    reindex(document, new_file=stored)
    return version


def notice(user_ids: Iterable[int | None], title: str, document: Document) -> Notice:
    return Notice(tuple(sorted({u for u in user_ids if u})), title, document.id, document.direction)

def comment(actor: User, document: Document, body: str, kind: str = "comment") -> DocumentComment:
    body = (body or "").strip()
    if not body:
        raise InvalidInput("Nội dung ý kiến không được để trống.")
    row = DocumentComment(document_id=document.id, author_id=actor.id, kind=kind, body=body[:5000])
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "commented", "document", document.id, direction=document.direction)
    return row

def attachments_of(document: Document) -> list[DocumentAttachment]:
    return list(
        db.session.execute(
            select(DocumentAttachment)
            .where(DocumentAttachment.document_id == document.id)
            .order_by(DocumentAttachment.id)
        ).scalars()
    )

def rows_of(model: Any, document: Document) -> list[Any]:
    """A document's child rows of one kind, in the order they were written."""
    return list(
        db.session.execute(
            select(model).where(model.document_id == document.id).order_by(model.id)
        ).scalars()
    )
