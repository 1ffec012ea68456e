"""What of a document a user may see: its whole record, or only the issued copy.

``access.can_view`` decides whether a user sees a document at all. This module decides how
much of it, and is the one place that does (issue #12):

Someone who can see an issued outgoing document only because it was delivered to them — by
name or to a unit they belong to — and who had no part in it (not its drafter, reviewer,
format checker, signer, a consulted or named person, nor a clerk of the organisation) is
its **recipient**. A recipient sees the official copy — the current version once the
document is issued, i.e. the organisation-signed PDF, and the signed separate appendices —
and the public metadata (number, date, issuing body, subject, signer, urgency). Nothing of
how it was made: no draft versions, comments, consultations, approval history, internal
deliveries, external (edXML) recipients or packages.

Everyone else who can see a document sees all of it, as before. The page
(``views._detail``), the JSON (``representation.document_json``), the version and edXML
routes (``require_whole``, ``DocumentView.version``) and the file veto
(``files_rule.recipient_file_veto``, so ``/files/<id>/download`` and every route serving a
file under another object's rules) all ask here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eoffice.accounts.permissions import has_role
from eoffice.accounts.roles import Role
from eoffice.documents.errors import NotVisible
from eoffice.documents.models import (
    Direction,
    Document,
    DocumentAttachment,
    DocumentVersion,
    ParticipantRole,
)
from eoffice.documents.states import Out

#: States of an outgoing document that has been issued (its current version is official).
ISSUED_STATES = frozenset({Out.ISSUED, Out.ARCHIVED, Out.REVOKED, Out.REPLACED})
#: The version kind the clerk's organisation signature leaves: the copy that was issued.
OFFICIAL_KIND = "org_signed"


def sees_whole(user: Any, document: Document) -> bool:
    """True when ``user`` may see the whole record of ``document`` (drafts, comments,
    history, exchange); False for its recipients. Ask only once ``can_view`` said yes.
    """
    if document.direction != Direction.OUTGOING:
        return True
    if has_role(user, Role.CLERK) and user.organisation_id == document.organisation_id:
        return True
    return any(p.user_id == user.id and p.role != ParticipantRole.RECIPIENT
               for p in document.participants)


def official_version(document: Document) -> DocumentVersion | None:
    """The issued copy: the current version of an issued outgoing document when it is the
    organisation-signed PDF (and its content was not withdrawn); otherwise none."""
    if document.direction != Direction.OUTGOING or document.state not in ISSUED_STATES:
        return None
    version = document.current_version
    if version is None or version.kind != OFFICIAL_KIND or version.revoked:
        return None
    return version


def official_attachments(document: Document,
                         attachments: list[DocumentAttachment]) -> list[DocumentAttachment]:
    """The separate appendices as issued: those the clerk signed (their signed file)."""
    if official_version(document) is None:
        return []
    return [a for a in attachments if a.signed_file_id is not None and not a.revoked]


def official_file_ids(document: Document, attachments: list[DocumentAttachment]) -> set[int]:
    version = official_version(document)
    ids = {version.file_id} if version is not None else set()
    ids.update(a.signed_file_id for a in official_attachments(document, attachments)
               if a.signed_file_id is not None)
    return ids


@dataclass(frozen=True)
class DocumentView:
    """What of one document one user may see (``whole``, or the recipient's part)."""

    whole: bool
    versions: tuple[DocumentVersion, ...]
    attachments: tuple[DocumentAttachment, ...]

    def version(self, number: int) -> DocumentVersion | None:
        """The version ``number`` if this user may have it (a draft is none for recipients)."""
        return next((v for v in self.versions if v.number == number), None)

    def attachment_file_id(self, attachment: DocumentAttachment) -> int:
        """The file of an appendix this user is given: the signed one when there is one."""
        return attachment.signed_file_id or attachment.file_id


def view_of(user: Any, document: Document,
            attachments: list[DocumentAttachment] | None = None) -> DocumentView:
    """What of ``document`` ``user`` may see; the caller loaded it through ``can_view``.

    ``attachments`` are the document's appendix rows when the caller has them (only the
    recipient's part needs them filtered; the whole view passes them through)."""
    rows = list(attachments or [])
    if sees_whole(user, document):
        return DocumentView(True, tuple(document.versions), tuple(rows))
    version = official_version(document)
    return DocumentView(False, (version,) if version is not None else (),
                        tuple(official_attachments(document, rows)))


def require_whole(user: Any, document: Document) -> None:
    """For the parts only those with a hand in the document see (edXML, deliveries): a
    recipient gets the same 404 as anyone who cannot see the document."""
    if not sees_whole(user, document):
        raise NotVisible("Không tìm thấy văn bản.")
