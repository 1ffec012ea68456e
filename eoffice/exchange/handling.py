"""The two acts the exchange adds to a document's life: the clerk registers a document that
arrived through the exchange (RECEIVED → REGISTERED, with its arrival number), and the sender
amends an issued document's metadata, which reaches its recipients as an update (type 2)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from eoffice import audit
from eoffice.accounts.models import User
from eoffice.documents import numbering
from eoffice.documents.common import Result, clean_subject, comment
from eoffice.documents.exchange import may_add_recipients
from eoffice.documents.incoming import IncomingMetadata, find_duplicates
from eoffice.documents.models import Direction, Document
from eoffice.documents.states import In, Out
from eoffice.documents.workflow import check, transition
from eoffice.errors import Forbidden, InvalidInput
from eoffice.exchange.manual_models import DocumentUpdate
from eoffice.exchange.models import BUSINESS_UPDATE
from eoffice.exchange.outbox import queue_business, sent_to
from eoffice.exchange.recipients import recipients_of
from eoffice.extensions import db
from eoffice.timestamps import VIETNAM, utcnow


def register_arrival(actor: User, document: Document) -> Result:
    """Vào sổ: the arrival number from the yearly series, then REGISTERED (the sender is told
    03 by the status listener)."""
    if document.direction != Direction.INCOMING or document.state != In.RECEIVED:
        raise InvalidInput("Chỉ vào sổ văn bản đến đang chờ tiếp nhận.")
    check(actor, document, "register")
    warnings = _duplicates(actor, document)
    year = utcnow().astimezone(VIETNAM).year
    document.register_kind = numbering.register_kind_for(document)
    document.register_year = year
    document.arrival_number = numbering.take_number(actor.organisation_id, year,
                                                    document.register_kind)
    document.register_number = document.arrival_number
    db.session.flush()
    transition(actor, document, "register", _service=True, number=document.arrival_number)
    return Result(document, warnings=warnings)


def _duplicates(actor: User, document: Document) -> list[str]:
    """Decree 30's duplicate warning (same number, notation and issuing body), as on paper:
    the exchange never registers a package twice, but a paper copy may be in the book."""
    meta = IncomingMetadata(subject=document.subject, organ_name=document.organ_name,
                            organ_id=document.organ_id, code_number=document.code_number,
                            code_notation=document.code_notation)
    return [f"Văn bản trùng số, ký hiệu và cơ quan ban hành với văn bản đến số "
            f"{other.arrival_number} đã vào sổ." for other in find_duplicates(actor, meta)
            if other.id != document.id and other.arrival_number is not None]


def may_update(user: User, document: Document) -> bool:
    """Whether ``user`` may send an update of this issued document to its recipients: it
    went to someone outside, over the exchange or by hand (a manual recipient is owed every
    update, whether or not its first package was downloaded yet: ``manual.owed_to``)."""
    return (document.direction == Direction.OUTGOING and document.state == Out.ISSUED
            and not document.is_secret and _reached(document)
            and may_add_recipients(user, document))


def _reached(document: Document) -> bool:
    return bool(sent_to(document)) or any(r.manual for r in recipients_of(document))


def send_update(actor: User, document: Document, subject: str, description: str,
                due_date: datetime | None, reason: str) -> Result:
    """Amend the issued document's metadata and send it as an update (business type 2)."""
    if not may_update(actor, document):
        raise Forbidden("Chỉ người soạn thảo hoặc văn thư được cập nhật văn bản đã phát hành "
                        "và đã gửi tới nơi nhận bên ngoài.")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Hãy nhập lý do cập nhật.")
    document.subject = clean_subject(subject or document.subject)
    document.description = (description or "").strip() or document.description
    if due_date is not None:
        document.due_date = due_date
    document.updated_at = utcnow()
    comment(actor, document, f"Cập nhật thông tin văn bản: {reason}")
    # The update is recorded once; the outbox queues it to each electronic recipient and the
    # manual ones are owed it from this record (``manual.owed_to``).
    last = db.session.execute(select(func.max(DocumentUpdate.number)).where(
        DocumentUpdate.document_id == document.id)).scalar() or 0
    update = DocumentUpdate(document_id=document.id, number=last + 1, reason=reason[:1000],
                            created_by_id=actor.id, created_at=utcnow())
    db.session.add(update)
    db.session.flush()
    for recipient in sent_to(document):
        dispatch = queue_business(actor, document, recipient, BUSINESS_UPDATE,
                                  f":{update.number}")
        dispatch.reason = update.reason  # what the outbox builds the package with
    audit.record(actor, "exchange_updated", "document", document.id,
                 direction=document.direction, reason=reason[:500])
    return Result(document)
