"""Choosing where an outgoing document goes outside the organisation: organisations picked
from the directory by their edXML OrganId (of this installation or outside it), or an agency
the exchange cannot reach, typed by OrganId and name.

How a recipient is reached is decided when it is chosen (:func:`channel_for`): through the
exchange if it is an organisation of this installation or a national axis is configured, else
by hand (the clerk downloads its edXML package, ``eoffice.exchange.manual``). Secret documents
never leave: they cannot be given a recipient at all (and the outbox refuses them again when a
message is sent).
"""

from __future__ import annotations

import re

from sqlalchemy import select

from eoffice import audit
from eoffice.accounts.models import User
from eoffice.documents.exchange import may_add_recipients
from eoffice.documents.models import Direction, Document, ExternalOrgan
from eoffice.documents.states import Out
from eoffice.errors import Forbidden, InvalidInput, NotFound
from eoffice.exchange.dispatches import queue_dispatch
from eoffice.exchange.manual_models import ManualMessage
from eoffice.exchange.models import BUSINESS_NEW, Channel, ExchangeDispatch, ExchangeRecipient
from eoffice.exchange.packages import SECRET_REFUSED, response_for
from eoffice.exchange.ports import remote_transport
from eoffice.exchange.routing import local_organisation
from eoffice.extensions import db
from eoffice.organisation.directory import find_organ
from formats import edxml

ORGAN_ID = re.compile(r"^[0-9A-Za-z.]{13}$")


def recipients_of(document: Document) -> list[ExchangeRecipient]:
    """The document's recipients outside the organisation (both channels), in the order they
    were chosen."""
    return list(db.session.execute(select(ExchangeRecipient).where(
        ExchangeRecipient.document_id == document.id).order_by(ExchangeRecipient.id)).scalars())


def in_directory(organ_id: str) -> bool:
    """Whether the installation's directory knows ``organ_id`` (its own organisations too)."""
    return local_organisation(organ_id) is not None or find_organ(organ_id) is not None


def channel_for(organ_id: str) -> str:
    """How a new recipient is reached: electronically when it is an organisation of this
    installation or a national axis is configured (anything outside goes through it); by hand
    otherwise, even for an agency the directory lists: without an axis nothing could carry
    the package there, and a clerk can still deliver the file."""
    if local_organisation(organ_id) is not None or remote_transport() is not None:
        return Channel.EXCHANGE
    return Channel.MANUAL


def address_book_entry(organisation_id: int, organ_id: str) -> ExternalOrgan | None:
    """What the organisation's clerks typed about an agency outside the directory."""
    return db.session.execute(select(ExternalOrgan).where(
        ExternalOrgan.organisation_id == organisation_id,
        ExternalOrgan.organ_id == organ_id)).scalar_one_or_none()


def _remember(document: Document, organ_id: str, name: str, email: str) -> None:
    """Keep an agency outside the directory in the organisation's address book by its OrganId,
    so the next document finds its name and e-mail."""
    organ = address_book_entry(document.organisation_id, organ_id)
    if organ is None:
        organ = ExternalOrgan(organisation_id=document.organisation_id, organ_id=organ_id,
                              name=name)
        db.session.add(organ)
    elif name:
        organ.name = name
    if email.strip():
        organ.email = email.strip()[:120]


def _name_for(document: Document, organ_id: str, given: str) -> str:
    """The directory's name for ``organ_id`` (our own organisations first), else ``given``,
    else the name the address book kept."""
    organisation = local_organisation(organ_id)
    if organisation is not None:
        return organisation.name
    if find_organ is not None:
        entry = find_organ(organ_id)
        if entry is not None:
            return str(entry.name)
    if given.strip():
        return given.strip()
    known = address_book_entry(document.organisation_id, organ_id)
    return known.name if known is not None else ""


def organ_info(organ_id: str, name: str, organisation_id: int | None = None) -> edxml.OrganInfo:
    """The edXML To of a recipient, with the contact details the directory knows (else those
    of the sending organisation's address book)."""
    organisation = local_organisation(organ_id)
    if organisation is not None:
        return edxml.OrganInfo(organ_id=organ_id, organ_name=organisation.name,
                               organization_in_charge=organisation.parent_name or "",
                               organ_add=organisation.address or organisation.place,
                               email=organisation.email, telephone=organisation.telephone)
    entry = find_organ(organ_id) if find_organ is not None else None
    if entry is None:
        known = (address_book_entry(organisation_id, organ_id)
                 if organisation_id is not None else None)
        if known is None:
            return edxml.OrganInfo(organ_id=organ_id, organ_name=name)
        return edxml.OrganInfo(organ_id=organ_id, organ_name=name or known.name,
                               organ_add=known.organ_add, email=known.email,
                               telephone=known.telephone, fax=known.fax,
                               website=known.website)
    return edxml.OrganInfo(organ_id=organ_id, organ_name=entry.name or name,
                           organ_add=entry.address, email=entry.email,
                           telephone=entry.telephone)


def package_dispatch_key(document: Document, organ_id: str, business_type: int,
                         suffix: str = "") -> str:
    """The key of one package to one recipient (``suffix`` tells several updates apart)."""
    return f"package:{document.id}:{organ_id}:{business_type}{suffix}"


def send_new(actor: User | None, document: Document, recipient: ExchangeRecipient) -> None:
    """Queue the document itself (business type 0) to one recipient (a manual one gets
    nothing: its package is downloaded by the clerk)."""
    if recipient.manual:
        return
    queue_dispatch(actor, key=package_dispatch_key(document, recipient.organ_id, BUSINESS_NEW),
                   kind="package", document=document, to_organ_id=recipient.organ_id,
                   document_key=_document_key(document), recipient=recipient)


def _document_key(document: Document) -> str:
    return response_for(document).document_id


def add_recipient(actor: User, document: Document, organ_id: str,
                  name: str = "", email: str = "") -> ExchangeRecipient:
    """Name an organisation as a recipient; once the document is issued, one the exchange
    reaches is sent at once. An agency outside the directory needs its name (kept, with its
    e-mail, in the organisation's address book)."""
    if document.direction != Direction.OUTGOING:
        raise InvalidInput("Chỉ văn bản đi được gửi liên thông.")
    if document.is_secret:
        raise InvalidInput(SECRET_REFUSED)
    if not may_add_recipients(actor, document):
        raise Forbidden("Chỉ người soạn thảo hoặc văn thư được chọn nơi nhận bên ngoài.")
    organ_id = (organ_id or "").strip()
    if not ORGAN_ID.match(organ_id):
        raise InvalidInput("Mã định danh cơ quan (OrganId) phải gồm đúng 13 ký tự, "
                           "ví dụ 000.00.00.H41.")
    if organ_id == document.organisation.organ_id:
        raise InvalidInput("Nơi nhận bên ngoài không được là chính cơ quan mình.")
    name = _name_for(document, organ_id, name)[:255]
    if not name:
        raise InvalidInput("Cơ quan này không có trong danh bạ: hãy nhập tên cơ quan nhận.")
    row = db.session.execute(select(ExchangeRecipient).where(
        ExchangeRecipient.document_id == document.id,
        ExchangeRecipient.organ_id == organ_id)).scalar_one_or_none()
    if row is not None:
        return row
    channel = channel_for(organ_id)
    if not in_directory(organ_id):
        _remember(document, organ_id, name, email)
    row = ExchangeRecipient(document_id=document.id, organ_id=organ_id, organ_name=name,
                            added_by_id=actor.id, channel=channel)
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "exchange_recipient_added", "document", document.id,
                 direction=document.direction, organ_id=organ_id, organ_name=name,
                 channel=channel)
    if document.state == Out.ISSUED:
        send_new(actor, document, row)
    return row


def remove_recipient(actor: User, document: Document, recipient_id: int) -> None:
    """Take a recipient off before anything was sent to it (a manual one: before its package
    was downloaded)."""
    row = db.session.get(ExchangeRecipient, recipient_id)
    if row is None or row.document_id != document.id:
        raise NotFound("Không tìm thấy nơi nhận.")
    if not may_add_recipients(actor, document):
        raise Forbidden("Chỉ người soạn thảo hoặc văn thư được chọn nơi nhận bên ngoài.")
    sent = db.session.execute(select(ExchangeDispatch.id).where(
        ExchangeDispatch.recipient_id == row.id).limit(1)).first()
    handed_over = db.session.execute(select(ManualMessage.id).where(
        ManualMessage.recipient_id == row.id).limit(1)).first()
    if sent or handed_over or row.exported_at is not None:
        raise InvalidInput("Văn bản đã gửi tới cơ quan này; hãy thu hồi nếu cần.")
    db.session.delete(row)
    audit.record(actor, "exchange_recipient_removed", "document", document.id,
                 direction=document.direction, organ_id=row.organ_id)
