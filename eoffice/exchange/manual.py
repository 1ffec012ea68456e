"""The manual channel: a recipient the exchange cannot reach (not in the directory, no national
axis) gets the same signed edXML package an electronic one would, downloaded by the clerk and
handed over by other means; the status file that agency sends back is uploaded by the clerk
and updates that recipient's row.

edXML files are not user uploads of office formats, so they do not go through the foundation's
content sniffing: a status file is parsed here (``edxml.parse_status`` refuses anything
hostile). Secret documents never leave, by hand either.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial

from sqlalchemy import select

from eoffice import audit
from eoffice.accounts.models import User
from eoffice.accounts.permissions import has_role
from eoffice.accounts.roles import Role
from eoffice.documents.exchange import may_add_recipients, store_record
from eoffice.documents.models import Direction, Document, DocumentComment, EdxmlRecord
from eoffice.documents.states import Out
from eoffice.errors import Forbidden, InvalidInput, NotFound
from eoffice.exchange import live
from eoffice.exchange.manual_models import DocumentUpdate, ManualMessage
from eoffice.exchange.models import (
    BUSINESS_LABELS,
    BUSINESS_NEW,
    BUSINESS_REPLACE,
    BUSINESS_REVOKE,
    BUSINESS_UPDATE,
    ExchangeRecipient,
)
from eoffice.exchange.packages import SECRET_REFUSED, build_package, response_for
from eoffice.exchange.recipients import organ_info, package_dispatch_key, recipients_of
from eoffice.extensions import db
from eoffice.files.service import object_store
from eoffice.organisation.models import Organisation
from eoffice.timestamps import utcnow
from formats import edxml

MAX_STATUS_BYTES = 1024 * 1024
#: States in which the issued document can still be handed over by hand.
EXPORTABLE = (Out.ISSUED, Out.ARCHIVED)


def may_hand_over(actor: User, document: Document) -> bool:
    """Who downloads packages to hand over by hand (each download is dated on the row as
    handed over): the clerk, or the drafter while he may still choose recipients."""
    return has_role(actor, Role.CLERK) or may_add_recipients(actor, document)


def _manual_recipient(actor: User, document: Document, recipient_id: int) -> ExchangeRecipient:
    """The manual recipient ``recipient_id`` of ``document``, after the checks every hand-over
    shares (an outgoing, non-secret document; someone who may hand it over)."""
    if document.direction != Direction.OUTGOING:
        raise InvalidInput("Chỉ văn bản đi được xuất gói edXML.")
    if document.is_secret:
        raise InvalidInput(SECRET_REFUSED)
    if not may_hand_over(actor, document):
        raise Forbidden("Chỉ văn thư hoặc người soạn thảo được tải gói edXML gửi thủ công.")
    recipient = db.session.get(ExchangeRecipient, recipient_id)
    if recipient is None or recipient.document_id != document.id:
        raise NotFound("Không tìm thấy nơi nhận.")
    if not recipient.manual:
        raise InvalidInput(f"{recipient.organ_name} nhận văn bản qua liên thông; "
                           "không cần tải gói edXML.")
    return recipient


def may_download(document: Document, recipient: ExchangeRecipient) -> bool:
    """Whether the package of ``document`` for ``recipient`` is offered for download (not
    once it is revoked or replaced: its content is withdrawn; what is owed then is in
    :func:`owed_to`)."""
    return (recipient.manual and not document.is_secret and document.state in EXPORTABLE
            and document.issued_date is not None)


@dataclass(frozen=True)
class Export:
    data: bytes
    filename: str
    recipient: ExchangeRecipient


def export_package(actor: User, document: Document, recipient_id: int) -> Export:
    """The signed edXML package of an issued outgoing document for one manual recipient."""
    recipient = _manual_recipient(actor, document, recipient_id)
    if document.state not in EXPORTABLE or document.issued_date is None:
        raise InvalidInput("Chỉ xuất gói edXML cho văn bản đã phát hành.")
    to = organ_info(recipient.organ_id, recipient.organ_name, document.organisation_id)
    data = build_package(document, to, BUSINESS_NEW, actor=actor)
    recipient.exported_at = utcnow()
    key = response_for(document).document_id
    audit.record(actor, "exported", "document", document.id, direction=document.direction,
                 organ_id=recipient.organ_id, external_recipient_id=recipient.id,
                 document_key=key, number=document.number_and_notation)
    return Export(data, edxml.package_filename(f"{key}-{recipient.organ_id}"), recipient)


# --------------------------------------------------------------------------- business messages
@dataclass(frozen=True)
class Owed:
    """A business message an unconnected agency is owed after the first package: what an
    electronic recipient gets from the outbox, handed over by the clerk instead."""

    recipient: ExchangeRecipient
    business_type: int
    # An update's number in its message key (``DocumentUpdate.number``; not always 1, 2, 3
    # for updates sent before they were recorded) and its place among the updates; else 0.
    sequence: int
    ordinal: int
    package_of: Document  # the document the package is of: the replacement for type 3
    replaces: Document | None
    reason: Callable[[], str]  # read when the package is built, not for every page
    downloadable: bool
    downloaded: ManualMessage | None

    @property
    def key(self) -> str:
        return _message_key(self.package_of, self.recipient, self.business_type,
                            self.sequence, self.replaces)

    @property
    def label(self) -> str:
        label = BUSINESS_LABELS[self.business_type]
        return f"{label} lần {self.ordinal}" if self.business_type == BUSINESS_UPDATE else label


def _message_key(package_of: Document, recipient: ExchangeRecipient, business_type: int,
                 sequence: int, replaces: Document | None) -> str:
    """The outbox's key for the same message to an electronic recipient (``outbox``):
    updates are numbered, a replacement names the document it replaces."""
    suffix = {BUSINESS_UPDATE: f":{sequence}",
              BUSINESS_REPLACE: f":{replaces.id if replaces else 0}"}.get(business_type, "")
    return package_dispatch_key(package_of, recipient.organ_id, business_type, suffix)


def _updates(document: Document) -> list[DocumentUpdate]:
    """The updates sent after issue, in order (``handling.send_update`` records each once,
    whoever it reaches)."""
    return list(db.session.execute(select(DocumentUpdate).where(
        DocumentUpdate.document_id == document.id).order_by(DocumentUpdate.number)).scalars())


def _revoke_reason(document: Document) -> str:
    """The note written with the revocation (the step and its comment are one act)."""
    since = document.updated_at - timedelta(seconds=5)
    return db.session.execute(select(DocumentComment.body).where(
        DocumentComment.document_id == document.id, DocumentComment.created_at >= since)
        .order_by(DocumentComment.id.desc()).limit(1)).scalar() or ""


def _replace_reason(old: Document) -> str:
    """The note written when ``old`` was marked replaced (the outbox sends the replacement
    with the note of that act; it is kept on the old document)."""
    return _revoke_reason(old)


def owed_to(document: Document, recipient: ExchangeRecipient) -> list[Owed]:
    """The business messages ``recipient`` (a manual recipient of ``document``) is owed after
    the first package, in order, each either downloadable now or already downloaded.

    Every manual recipient is owed them, downloaded first package or not: the agency may hold
    a paper copy, and being told of a revocation it did not need is harmless where missing
    one is not. An update made before the agency was chosen is in its first package already.
    Once the document is revoked or replaced, an update not yet handed over is moot (its
    content is withdrawn); the revocation or the replacement is what is owed."""
    if not recipient.manual or document.is_secret or document.issued_date is None:
        return []
    done = {m.key: m for m in db.session.execute(select(ManualMessage).where(
        ManualMessage.recipient_id == recipient.id)).scalars()}
    owed: list[Owed] = []

    def add(business_type: int, sequence: int, ordinal: int, reason: Callable[[], str],
            downloadable: bool) -> None:
        key = _message_key(document, recipient, business_type, sequence, None)
        if downloadable or key in done:
            owed.append(Owed(recipient, business_type, sequence, ordinal, document, None,
                             reason, downloadable, done.get(key)))

    current = document.state in EXPORTABLE
    for ordinal, update in enumerate(_updates(document), start=1):
        if recipient.added_at <= update.created_at:
            add(BUSINESS_UPDATE, update.number, ordinal, partial(str, update.reason), current)
    if document.state == Out.REVOKED:
        add(BUSINESS_REVOKE, 0, 0, partial(_revoke_reason, document), True)
    elif document.state == Out.REPLACED and document.replaced_by_id is not None:
        replacement = db.session.get(Document, document.replaced_by_id)
        if replacement is not None and not replacement.is_secret:
            # Sent once the replacement is issued (the outbox's type 3 is built from it).
            ready = (replacement.state in EXPORTABLE and replacement.issued_date is not None)
            owed.append(Owed(recipient, BUSINESS_REPLACE, 0, 0, replacement, document,
                             partial(_replace_reason, document), ready,
                             done.get(_message_key(replacement, recipient, BUSINESS_REPLACE,
                                                   0, document))))
    return owed


def replacement_owed(document: Document) -> list[Owed]:
    """The replacement (type 3) owed by hand for ``document`` as the replacing one: the manual
    recipients of each document it replaced (they are not its own recipients; the outbox adds
    only the electronic ones). Listed on its page too, but each is still the old document's
    row (its ``owed_to``, its download route, its record)."""
    if document.direction != Direction.OUTGOING or document.is_secret:
        return []
    owed: list[Owed] = []
    for old in db.session.execute(select(Document).where(
            Document.replaced_by_id == document.id,
            Document.organisation_id == document.organisation_id,
            Document.state == Out.REPLACED).order_by(Document.id)).scalars():
        for recipient in recipients_of(old):
            if recipient.manual:
                owed.extend(o for o in owed_to(old, recipient)
                            if o.business_type == BUSINESS_REPLACE)
    return owed


def export_business(actor: User, document: Document, recipient_id: int, business_type: int,
                    sequence: int = 0) -> Export:
    """The signed package of one owed business message for one manual recipient: built the
    way the outbox builds it for an electronic recipient (``packages.build_package``), kept,
    and the same bytes again on a later download. Audited as ``exported`` with its type."""
    recipient = _manual_recipient(actor, document, recipient_id)
    owed = next((o for o in owed_to(document, recipient)
                 if o.business_type == business_type and o.sequence == sequence), None)
    if owed is None:
        raise NotFound("Không có thông điệp này cho cơ quan nhận.")
    if not owed.downloadable:  # an update of a document since revoked carries its content
        raise InvalidInput("Văn bản thay thế chưa phát hành: chưa có gói để gửi."
                           if owed.business_type == BUSINESS_REPLACE else
                           "Nội dung văn bản đã bị thu hồi hoặc thay thế: không xuất lại gói "
                           "này.")
    if owed.downloaded is not None:
        row = owed.downloaded
        record = db.session.get(EdxmlRecord, row.record_id)
        assert record is not None
        data = object_store().read_bytes(record.object_key)
    else:
        to = organ_info(recipient.organ_id, recipient.organ_name, document.organisation_id)
        data = build_package(owed.package_of, to, business_type, reason=owed.reason(),
                             actor=actor, replaces=owed.replaces)
        record = store_record(actor, owed.package_of, "package_out", data,
                              recipient_id=recipient.id if owed.package_of is document
                              else None)
        row = ManualMessage(key=owed.key, recipient_id=recipient.id,
                            business_type=business_type, document_id=owed.package_of.id,
                            record_id=record.id)
        db.session.add(row)
    row.downloaded_at, row.downloaded_by_id = utcnow(), actor.id
    db.session.flush()
    key = response_for(owed.package_of).document_id
    audit.record(actor, "exported", "document", document.id, direction=document.direction,
                 organ_id=recipient.organ_id, external_recipient_id=recipient.id,
                 document_key=key, business_type=business_type, sequence=sequence,
                 message_key=owed.key, number=owed.package_of.number_and_notation)
    name = f"{key}-{recipient.organ_id}-{business_type}" + (f"-{sequence}" if sequence else "")
    return Export(data, edxml.package_filename(name), recipient)


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
