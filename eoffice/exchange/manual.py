"""The manual channel: a recipient the exchange cannot reach (not in the directory, no national
axis) gets the same signed edXML package an electronic one would, downloaded by the clerk and
handed over by other means; the status file that agency sends back is uploaded by the clerk
and updates that recipient's row.

edXML files are not user uploads of office formats, so they do not go through the foundation's
content sniffing: a status file is parsed here (``edxml.parse_status`` refuses anything
hostile). Secret documents never leave, by hand either.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from eoffice import audit
from eoffice.accounts.models import User
from eoffice.accounts.permissions import has_role
from eoffice.accounts.roles import Role
from eoffice.documents.exchange import store_record
from eoffice.documents.models import Direction, Document
from eoffice.documents.states import Out
from eoffice.errors import Forbidden, InvalidInput, NotFound
from eoffice.exchange import live
from eoffice.exchange.models import BUSINESS_NEW, ExchangeRecipient
from eoffice.exchange.packages import SECRET_REFUSED, build_package, response_for
from eoffice.exchange.recipients import organ_info
from eoffice.extensions import db
from eoffice.organisation.models import Organisation
from eoffice.timestamps import utcnow
from formats import edxml

MAX_STATUS_BYTES = 1024 * 1024
#: States in which the issued document can still be handed over by hand.
EXPORTABLE = (Out.ISSUED, Out.ARCHIVED)


def may_download(document: Document, recipient: ExchangeRecipient) -> bool:
    """Whether the package of ``document`` for ``recipient`` is offered for download."""
    return (recipient.manual and not document.is_secret and document.state in EXPORTABLE
            and document.issued_date is not None)


@dataclass(frozen=True)
class Export:
    data: bytes
    filename: str
    recipient: ExchangeRecipient


def export_package(actor: User, document: Document, recipient_id: int) -> Export:
    """The signed edXML package of an issued outgoing document for one manual recipient."""
    if document.direction != Direction.OUTGOING:
        raise InvalidInput("Chỉ văn bản đi được xuất gói edXML.")
    if document.is_secret:
        raise InvalidInput(SECRET_REFUSED)
    if document.state not in EXPORTABLE or document.issued_date is None:
        raise InvalidInput("Chỉ xuất gói edXML cho văn bản đã phát hành.")
    recipient = db.session.get(ExchangeRecipient, recipient_id)
    if recipient is None or recipient.document_id != document.id:
        raise NotFound("Không tìm thấy nơi nhận.")
    if not recipient.manual:
        raise InvalidInput(f"{recipient.organ_name} nhận văn bản qua liên thông; "
                           "không cần tải gói edXML.")
    to = organ_info(recipient.organ_id, recipient.organ_name, document.organisation_id)
    data = build_package(document, to, BUSINESS_NEW, actor=actor)
    recipient.exported_at = utcnow()
    key = response_for(document).document_id
    audit.record(actor, "exported", "document", document.id, direction=document.direction,
                 organ_id=recipient.organ_id, external_recipient_id=recipient.id,
                 document_key=key, number=document.number_and_notation)
    return Export(data, edxml.package_filename(f"{key}-{recipient.organ_id}"), recipient)


# --------------------------------------------------------------------------- status file
def _parse_document_key(key: str) -> tuple[str, date, int, str] | None:
    try:
        organ_id, day, code = key.split(",", 2)
        number, notation = code.split("/", 1)
        return (organ_id.strip(), datetime.strptime(day.strip(), "%Y/%m/%d").date(),
                int(number), notation.strip())
    except ValueError:
        return None


def _recipient_for_status(actor: User, status: edxml.StatusMessage) -> ExchangeRecipient:
    """The one place a status file is tied to what we sent: the full identity of the document
    (our organisation, number, notation, date, a register that may travel, i.e. not secret)
    and the sender being one of its recipients.

    Numbers restart per register, so ``01/QĐ-UBND`` can exist twice on a day (the normal and
    the secret series); number and notation alone are never enough. Should two sent documents
    still share that identity, the message is refused rather than attached to either."""
    key = status.response_for.document_id
    parsed = _parse_document_key(key)
    if parsed is None:
        raise InvalidInput("Mã văn bản (DocumentId) trong thông điệp không hợp lệ.")
    organ_id, day, number, notation = parsed
    sender = status.from_org
    candidates = list(db.session.execute(select(Document.id).join(Organisation).where(
        Document.organisation_id == actor.organisation_id,
        Organisation.organ_id == organ_id,
        Document.direction == Direction.OUTGOING, Document.secrecy == 0,
        Document.code_number == number, Document.code_notation == notation,
        Document.issued_date == day)).scalars())
    if not candidates:
        raise InvalidInput(f"Không tìm thấy văn bản đi được nói tới trong thông điệp ({key}).")
    found = list(db.session.execute(select(ExchangeRecipient).where(
        ExchangeRecipient.document_id.in_(candidates),
        ExchangeRecipient.organ_id == sender.organ_id)).scalars())
    if not found:
        raise InvalidInput(f"Cơ quan {sender.organ_name or sender.organ_id} "
                           "không có trong danh sách nơi nhận của văn bản.")
    if len(found) > 1:
        raise InvalidInput(f"Có {len(found)} văn bản đi cùng số, ký hiệu và ngày ({key}) "
                           f"gửi {sender.organ_name or sender.organ_id}; không thể xác định "
                           "thông điệp nói về văn bản nào. Hãy liên hệ cơ quan nhận.")
    return found[0]


def receive_status(actor: User, data: bytes) -> tuple[Document, ExchangeRecipient]:
    """A status file about one of our issued documents (matched by its DocumentId and the
    sender's OrganId), uploaded by the clerk: the recipient's latest handling status."""
    if not has_role(actor, Role.CLERK):
        raise Forbidden("Chỉ văn thư được tiếp nhận thông điệp trạng thái.")
    if len(data) > MAX_STATUS_BYTES:
        raise InvalidInput("Thông điệp trạng thái vượt quá dung lượng cho phép.")
    try:
        status = edxml.parse_status(data)
    except edxml.EdxmlError as error:
        raise InvalidInput(str(error)) from None
    recipient = _recipient_for_status(actor, status)
    document = db.session.get(Document, recipient.document_id)
    assert document is not None
    if recipient.status_at is None or status.timestamp >= recipient.status_at:
        recipient.status_code = status.code.value
        recipient.status_description = (status.description or status.code.label)[:500]
        recipient.status_at = status.timestamp
        recipient.status_by = status.staff.staff[:255]
    store_record(actor, document, "status_in", data, status_code=status.code.value,
                 recipient_id=recipient.id)
    audit.record(actor, "status_received", "document", document.id,
                 direction=document.direction, status_code=status.code.value,
                 organ_id=status.from_org.organ_id, external_recipient_id=recipient.id)
    return document, recipient


def after_status(document: Document) -> None:
    """After the commit: pages showing the document's recipients re-read their table."""
    live.status_changed([document.id])
