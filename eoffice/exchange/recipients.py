"""Choosing where an outgoing document goes through the exchange: organisations picked from
the directory by their edXML OrganId (of this installation or outside it).

Secret documents never leave: they cannot be given an exchange recipient at all (and the
outbox refuses them again when a message is sent).
"""

from __future__ import annotations

import re

from sqlalchemy import select

from eoffice import audit
from eoffice.accounts.models import User
from eoffice.documents.exchange import may_add_recipients
from eoffice.documents.models import Direction, Document
from eoffice.documents.states import Out
from eoffice.errors import Forbidden, InvalidInput, NotFound
from eoffice.exchange.dispatches import queue_dispatch
from eoffice.exchange.models import BUSINESS_NEW, ExchangeDispatch, ExchangeRecipient
from eoffice.exchange.packages import SECRET_REFUSED, response_for
from eoffice.exchange.routing import local_organisation
from eoffice.extensions import db
from formats import edxml

try:  # the installation's directory of organisations (engineer B's module)
    from eoffice.organisation.directory import find_organ
except ImportError:  # pragma: no cover - before the directory exists
    find_organ = None

ORGAN_ID = re.compile(r"^[0-9A-Za-z.]{13}$")


def recipients_of(document: Document) -> list[ExchangeRecipient]:
    """The document's exchange recipients, in the order they were chosen."""
    return list(db.session.execute(select(ExchangeRecipient).where(
        ExchangeRecipient.document_id == document.id).order_by(ExchangeRecipient.id)).scalars())


def _name_for(organ_id: str, given: str) -> str:
    """The directory's name for ``organ_id`` (our own organisations first), else ``given``."""
    organisation = local_organisation(organ_id)
    if organisation is not None:
        return organisation.name
    if find_organ is not None:
        entry = find_organ(organ_id)
        if entry is not None:
            return str(entry.name)
    return given.strip()


def organ_info(organ_id: str, name: str) -> edxml.OrganInfo:
    """The edXML To of a recipient, with the contact details the directory knows."""
    organisation = local_organisation(organ_id)
    if organisation is not None:
        return edxml.OrganInfo(organ_id=organ_id, organ_name=organisation.name,
                               organization_in_charge=organisation.parent_name or "",
                               organ_add=organisation.address or organisation.place,
                               email=organisation.email, telephone=organisation.telephone)
    entry = find_organ(organ_id) if find_organ is not None else None
    if entry is None:
        return edxml.OrganInfo(organ_id=organ_id, organ_name=name)
    return edxml.OrganInfo(organ_id=organ_id, organ_name=entry.name or name,
                           organ_add=entry.address, email=entry.email,
                           telephone=entry.telephone)


def package_dispatch_key(document: Document, organ_id: str, business_type: int,
                         suffix: str = "") -> str:
    """The key of one package to one recipient (``suffix`` tells several updates apart)."""
    return f"package:{document.id}:{organ_id}:{business_type}{suffix}"


def send_new(actor: User | None, document: Document, recipient: ExchangeRecipient) -> None:
    """Queue the document itself (business type 0) to one recipient."""
    queue_dispatch(actor, key=package_dispatch_key(document, recipient.organ_id, BUSINESS_NEW),
                   kind="package", document=document, to_organ_id=recipient.organ_id,
                   document_key=_document_key(document), recipient=recipient)


def _document_key(document: Document) -> str:
    return response_for(document).document_id


def add_recipient(actor: User, document: Document, organ_id: str,
                  name: str = "") -> ExchangeRecipient:
    """Name an organisation as a recipient; once the document is issued, it is sent at once."""
    if document.direction != Direction.OUTGOING:
        raise InvalidInput("Chỉ văn bản đi được gửi liên thông.")
    if document.is_secret:
        raise InvalidInput(SECRET_REFUSED)
    if not may_add_recipients(actor, document):
        raise Forbidden("Chỉ người soạn thảo hoặc văn thư được chọn nơi nhận liên thông.")
    organ_id = (organ_id or "").strip()
    if not ORGAN_ID.match(organ_id):
        raise InvalidInput("Mã định danh cơ quan (OrganId) phải gồm đúng 13 ký tự, "
                           "ví dụ 000.00.00.H41.")
    if organ_id == document.organisation.organ_id:
        raise InvalidInput("Nơi nhận liên thông không được là chính cơ quan mình.")
    name = _name_for(organ_id, name)[:255]
    if not name:
        raise InvalidInput("Chưa có tên cơ quan nhận.")
    row = db.session.execute(select(ExchangeRecipient).where(
        ExchangeRecipient.document_id == document.id,
        ExchangeRecipient.organ_id == organ_id)).scalar_one_or_none()
    if row is not None:
        return row
    row = ExchangeRecipient(document_id=document.id, organ_id=organ_id, organ_name=name,
                            added_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "exchange_recipient_added", "document", document.id,
                 direction=document.direction, organ_id=organ_id, organ_name=name)
    if document.state == Out.ISSUED:
        send_new(actor, document, row)
    return row


def remove_recipient(actor: User, document: Document, recipient_id: int) -> None:
    """Take a recipient off before anything was sent to it."""
    row = db.session.get(ExchangeRecipient, recipient_id)
    if row is None or row.document_id != document.id:
        raise NotFound("Không tìm thấy nơi nhận.")
    if not may_add_recipients(actor, document):
        raise Forbidden("Chỉ người soạn thảo hoặc văn thư được chọn nơi nhận liên thông.")
    sent = db.session.execute(select(ExchangeDispatch.id).where(
        ExchangeDispatch.recipient_id == row.id).limit(1)).first()
    if sent:
        raise InvalidInput("Văn bản đã gửi tới cơ quan này; hãy thu hồi nếu cần.")
    db.session.delete(row)
    audit.record(actor, "exchange_recipient_removed", "document", document.id,
                 direction=document.direction, organ_id=row.organ_id)
