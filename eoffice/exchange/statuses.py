"""Handling status flowing back to the sender (QCVN 102:2016 status messages).

On the recipient's side, a workflow transition of an incoming document that came through the
exchange queues a status message to its sender (01 arrived is queued on arrival). On the
sender's side, a status message updates that recipient's latest status on the outgoing
document, kept with its time and who reported it.
"""

from __future__ import annotations

from sqlalchemy import select

from eoffice import audit
from eoffice.accounts.models import User
from eoffice.documents.exchange import store_record
from eoffice.documents.models import Direction, Document, DocumentComment
from eoffice.documents.states import In
from eoffice.documents.workflow import Transition
from eoffice.errors import InvalidInput
from eoffice.exchange.dispatches import queue_dispatch
from eoffice.exchange.models import (
    BUSINESS_NEW,
    BUSINESS_REPLACE,
    DispatchState,
    ExchangeDispatch,
    ExchangeInbound,
    ExchangeRecipient,
)
from eoffice.extensions import db
from eoffice.organisation.models import Organisation
from eoffice.timestamps import utcnow
from formats.edxml import StatusCode, StatusMessage

#: (from state, to state) of an incoming document → the status its sender is told.
STATUS_ON_TRANSITION: dict[str, StatusCode] = {
    In.REGISTERED: StatusCode.ACCEPTED,
    In.PRESENTED: StatusCode.ASSIGNED,  # handed on for handling (to the leader)
    In.DIRECTED: StatusCode.ASSIGNED,  # the leader named who handles it
    In.IN_PROGRESS: StatusCode.IN_PROGRESS,
    In.COMPLETED: StatusCode.COMPLETED,
    In.RETURNED: StatusCode.REJECTED,
}


def origin(document: Document) -> ExchangeInbound | None:
    """How an incoming document came through the exchange (None: it did not)."""
    if document.direction != Direction.INCOMING:
        return None
    return db.session.execute(select(ExchangeInbound).where(
        ExchangeInbound.document_id == document.id,
        ExchangeInbound.business_type.in_((BUSINESS_NEW, BUSINESS_REPLACE)))
        .order_by(ExchangeInbound.id).limit(1)).scalar_one_or_none()


def queue_status(actor: User | None, document: Document, code: StatusCode,
                 step: str) -> ExchangeDispatch | None:
    """Queue the status message ``code`` about ``document`` to its sender (once per step)."""
    source = origin(document)
    if source is None:
        return None
    return queue_dispatch(
        actor, key=f"status:{document.id}:{code.value}:{step}", kind="status",
        document=document, to_organ_id=source.from_organ_id, document_key=source.document_key,
        status_code=code.value)


def after_transition(actor: User, document: Document, row: Transition) -> None:
    """Subscribed to every transition (``workflow.on_transition``): tell the sender."""
    code = STATUS_ON_TRANSITION.get(row.target)
    if code is not None and document.direction == Direction.INCOMING:
        queue_status(actor, document, code, f"{row.source}-{row.target}")


def description_for(dispatch: ExchangeDispatch, document: Document) -> str:
    """What the status says beside its code: the clerk's reason for a return (written with
    the step, read when the message is built after the commit)."""
    if dispatch.status_code == StatusCode.REJECTED.value:
        reason = db.session.execute(select(DocumentComment.body).where(
            DocumentComment.document_id == document.id, DocumentComment.kind == "return")
            .order_by(DocumentComment.id.desc()).limit(1)).scalar()
        return f"Trả lại: {reason}" if reason else "Văn bản bị trả lại nơi gửi."
    if dispatch.status_code == StatusCode.ACCEPTED.value and document.arrival_number:
        return f"Đã vào sổ văn bản đến, số đến {document.arrival_number}."
    return StatusCode(dispatch.status_code).label


def apply_status(organisation: Organisation, status: StatusMessage, data: bytes) -> Document:
    """A recipient's status about one of ``organisation``'s outgoing documents."""
    key = status.response_for.document_id
    dispatch = db.session.execute(select(ExchangeDispatch).where(
        ExchangeDispatch.kind == "package", ExchangeDispatch.document_key == key,
        ExchangeDispatch.from_organ_id == organisation.organ_id,
        ExchangeDispatch.to_organ_id == status.from_org.organ_id,
        ExchangeDispatch.recipient_id.isnot(None)).order_by(ExchangeDispatch.id)
        .limit(1)).scalar_one_or_none()
    if dispatch is None:
        raise InvalidInput(f"Không tìm thấy văn bản đi {key} gửi "
                           f"{status.from_org.organ_name or status.from_org.organ_id}.")
    recipient = db.session.get(ExchangeRecipient, dispatch.recipient_id)
    document = db.session.get(Document, recipient.document_id) if recipient else None
    assert recipient is not None and document is not None
    if recipient.status_at is None or status.timestamp >= recipient.status_at:
        recipient.status_code = status.code.value
        recipient.status_description = (status.description or status.code.label)[:500]
        recipient.status_at = status.timestamp
        recipient.status_by = status.staff.staff[:255]
    if status.code == StatusCode.ARRIVED:
        now = utcnow()
        for row in db.session.execute(select(ExchangeDispatch).where(
                ExchangeDispatch.recipient_id == recipient.id,
                ExchangeDispatch.kind == "package",
                ExchangeDispatch.state == DispatchState.SENT)).scalars():
            row.state, row.delivered_at, row.updated_at = DispatchState.DELIVERED, now, now
    store_record(None, document, "status_in", data, status_code=status.code.value)
    audit.record(None, "status_received", "document", document.id,
                 direction=document.direction, status_code=status.code.value,
                 organ_id=status.from_org.organ_id, exchange_recipient_id=recipient.id,
                 staff=status.staff.staff, document_key=key)
    return document
