"""Telling browsers, after the commit, what the exchange changed: the sender's page refreshes
its recipients table when a status arrives, the recipient's clerks get a "new document" toast.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app, has_request_context
from sqlalchemy import select

from eoffice.accounts.models import User, UserRole
from eoffice.accounts.roles import Role
from eoffice.documents import notifications
from eoffice.documents.common import notice
from eoffice.documents.models import Document, DocumentParticipant
from eoffice.extensions import db
from eoffice.links import link_context

EVENT = "exchange_status"


def watchers(document: Document) -> list[int]:
    """Who may have the sender's page open: the people named on it and its clerks (the page
    itself re-checks who may see what when it fetches the table)."""
    named = set(db.session.execute(select(DocumentParticipant.user_id).where(
        DocumentParticipant.document_id == document.id)).scalars())
    clerks = set(db.session.execute(select(User.id).join(UserRole).where(
        User.organisation_id == document.organisation_id,
        UserRole.role == Role.CLERK.value)).scalars())
    return sorted(named | clerks)


def status_changed(document_ids: Iterable[int]) -> None:
    """Push "the recipients of these outgoing documents changed" to their watchers."""
    for document_id in sorted(set(document_ids)):
        document = db.session.get(Document, document_id)
        if document is not None:
            notifications.push(watchers(document), EVENT, {"document_id": document.id})


def arrived(document: Document, clerk_ids: list[int]) -> None:
    """Tell the recipient organisation's clerks a document arrived (toast and e-mail)."""
    item = notice(clerk_ids, "Văn bản đến qua liên thông", document)
    if has_request_context():
        notifications.send([item])
        return
    with link_context(current_app._get_current_object()):  # type: ignore[attr-defined]
        notifications.send([item])
