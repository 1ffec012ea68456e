"""The outbox: what an outgoing document's life sends, and the job that sends each message.

Issuing sends the document (business type 0) to every exchange recipient; revoking sends type
1, replacing sends the replacement as type 3, an update after issue type 2. Each message is an
``ExchangeDispatch`` row sent by a job with the same idempotency key, and goes queued → sent
(handed to the national axis) → delivered, or failed with its reason.

Routing happens when the message leaves: an organisation of this installation gets it through
:func:`eoffice.exchange.inbound.take_in` in the job's own transaction (the same edXML bytes a
remote one would get, parsed on arrival), anything else goes to the configured
``remote_transport()`` and is retried with a growing delay while it is unavailable.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from eoffice import audit
from eoffice.accounts.models import User
from eoffice.documents.exchange import store_record
from eoffice.documents.models import Direction, Document, DocumentComment
from eoffice.documents.states import Out
from eoffice.documents.workflow import Transition
from eoffice.errors import DomainError
from eoffice.exchange import inbound, live
from eoffice.exchange.dispatches import queue_dispatch
from eoffice.exchange.models import (
    BUSINESS_REPLACE,
    BUSINESS_REVOKE,
    DispatchState,
    ExchangeDispatch,
    ExchangeRecipient,
)
from eoffice.exchange.packages import (
    SECRET_REFUSED,
    build_package,
    build_status,
    response_for,
)
from eoffice.exchange.ports import (
    MessageKind,
    OutgoingMessage,
    ReceivedMessage,
    TransportRefused,
    TransportUnavailable,
    remote_transport,
)
from eoffice.exchange.recipients import (
    organ_info,
    package_dispatch_key,
    recipients_of,
    send_new,
)
from eoffice.exchange.routing import LOCAL, NO_AXIS, REMOTE, route_for
from eoffice.exchange.statuses import description_for
from eoffice.extensions import db
from eoffice.files.service import object_store
from eoffice.jobs import JobFailed
from eoffice.jobs.models import Job
from eoffice.jobs.queue import MAX_ATTEMPTS
from eoffice.timestamps import utcnow
from formats import edxml

#: How long a message waits for an unreachable axis before it is recorded as failed.
GIVE_UP_AFTER = timedelta(hours=24)


def sent_to(document: Document) -> list[ExchangeRecipient]:
    """Recipients the document itself was queued to (type 0 or 3)."""
    ids = set(db.session.execute(select(ExchangeDispatch.recipient_id).where(
        ExchangeDispatch.document_id == document.id, ExchangeDispatch.kind == "package",
        ExchangeDispatch.business_type.in_((0, BUSINESS_REPLACE)))).scalars())
    return [r for r in recipients_of(document) if r.id in ids]


def queue_business(actor: User | None, document: Document, recipient: ExchangeRecipient,
                   business_type: int, suffix: str = "") -> ExchangeDispatch:
    """Queue ``document`` as a package of ``business_type`` to one recipient."""
    return queue_dispatch(
        actor, key=package_dispatch_key(document, recipient.organ_id, business_type, suffix),
        kind="package", document=document, to_organ_id=recipient.organ_id,
        document_key=response_for(document).document_id, business_type=business_type,
        recipient=recipient)


def _replace(actor: User, old: Document) -> None:
    """The replacement goes to the old document's recipients as type 3 (they link the two);
    its own recipient rows are added so their statuses show on its page."""
    replacement = db.session.get(Document, old.replaced_by_id) if old.replaced_by_id else None
    if replacement is None or replacement.is_secret:
        return
    for recipient in sent_to(old):
        row = db.session.execute(select(ExchangeRecipient).where(
            ExchangeRecipient.document_id == replacement.id,
            ExchangeRecipient.organ_id == recipient.organ_id)).scalar_one_or_none()
        if row is None:
            row = ExchangeRecipient(document_id=replacement.id, organ_id=recipient.organ_id,
                                    organ_name=recipient.organ_name, added_by_id=actor.id)
            db.session.add(row)
            db.session.flush()
        queue_business(actor, replacement, row, BUSINESS_REPLACE, f":{old.id}")


def after_transition(actor: User, document: Document, row: Transition) -> None:
    """Subscribed to every transition: issue, revoke and replace reach the recipients."""
    if document.direction != Direction.OUTGOING or document.is_secret:
        return
    if row.target == Out.ISSUED:
        for recipient in recipients_of(document):
            send_new(actor, document, recipient)
    elif row.target == Out.REVOKED:
        for recipient in sent_to(document):
            queue_business(actor, document, recipient, BUSINESS_REVOKE)
    elif row.target == Out.REPLACED:
        _replace(actor, document)


# --------------------------------------------------------------------------- the job
def _reason(document: Document, since: Any) -> str:
    """The sender's note written with the act (a revocation's reason), read after commit."""
    return db.session.execute(select(DocumentComment.body).where(
        DocumentComment.document_id == document.id,
        DocumentComment.created_at >= since - timedelta(seconds=5))
        .order_by(DocumentComment.id.desc()).limit(1)).scalar() or ""


def _build(dispatch: ExchangeDispatch, document: Document) -> bytes:
    author = db.session.get(User, dispatch.created_by_id) if dispatch.created_by_id else None
    if dispatch.kind == MessageKind.STATUS.value:
        return build_status(document, dispatch.to_organ_id, dispatch.document_key,
                            edxml.StatusCode(dispatch.status_code),
                            description_for(dispatch, document),
                            author.full_name if author else "")
    to = organ_info(dispatch.to_organ_id, dispatch.recipient.organ_name
                    if dispatch.recipient else dispatch.to_organ_id)
    replaces = None
    if dispatch.business_type == BUSINESS_REPLACE:
        replaces = db.session.execute(select(Document).where(
            Document.replaced_by_id == document.id,
            Document.organisation_id == document.organisation_id)
            .order_by(Document.id.desc()).limit(1)).scalar_one_or_none()
    reason = (_reason(document, dispatch.created_at)
              if dispatch.business_type != 0 and not dispatch.reason else dispatch.reason)
    return build_package(document, to, dispatch.business_type, reason=reason, actor=author,
                         replaces=replaces)


def _bytes(dispatch: ExchangeDispatch, document: Document) -> bytes:
    """The message's bytes: built once and kept, so that every retry sends the same ones."""
    if dispatch.object_key:
        return object_store().read_bytes(dispatch.object_key)
    data = _build(dispatch, document)
    kind = "status_out" if dispatch.kind == MessageKind.STATUS.value else "package_out"
    record = store_record(None, document, kind, data, status_code=dispatch.status_code)
    dispatch.object_key, dispatch.size = record.object_key, record.size
    return data


def _finish(dispatch_id: int, state: str, reason: str = "", **values: Any) -> ExchangeDispatch:
    dispatch = db.session.get(ExchangeDispatch, dispatch_id)
    assert dispatch is not None
    now = utcnow()
    dispatch.state, dispatch.reason, dispatch.updated_at = state, reason[:1000], now
    for name, value in values.items():
        setattr(dispatch, name, value)
    document = db.session.get(Document, dispatch.document_id)
    assert document is not None
    audit.record(None, f"exchange_{state}", "document", document.id,
                 direction=document.direction, organ_id=dispatch.to_organ_id,
                 kind=dispatch.kind, business_type=dispatch.business_type,
                 status_code=dispatch.status_code, dispatch_id=dispatch.id, route=dispatch.route,
                 reason=reason[:500])
    db.session.commit()
    if dispatch.kind == MessageKind.PACKAGE.value:
        live.status_changed([dispatch.document_id])
    return dispatch


def _fail(dispatch_id: int, reason: str) -> JobFailed:
    db.session.rollback()
    _finish(dispatch_id, DispatchState.FAILED, reason)
    return JobFailed(reason)


def run_dispatch(job: Job) -> dict[str, Any]:
    """The ``exchange_dispatch`` job: send one outbox message (idempotent: a sent or
    delivered message is never sent again)."""
    dispatch = db.session.get(ExchangeDispatch, int(job.params.get("dispatch_id", 0)))
    if dispatch is None:
        raise JobFailed("Không tìm thấy thông điệp cần gửi.")
    if dispatch.state != DispatchState.QUEUED:
        return {"state": dispatch.state}
    dispatch_id = dispatch.id
    document = db.session.get(Document, dispatch.document_id)
    assert document is not None
    if document.is_secret:
        raise _fail(dispatch_id, SECRET_REFUSED)
    dispatch.attempts += 1
    dispatch.route = route_for(dispatch.to_organ_id)
    try:
        data = _bytes(dispatch, document)
    except DomainError as error:
        raise _fail(dispatch_id, error.message) from None
    db.session.commit()  # the bytes are kept before they leave: a retry sends the same
    if dispatch.route == LOCAL:
        return _deliver_locally(dispatch, data)
    return _send_remote(job, dispatch, data)


def _deliver_locally(dispatch: ExchangeDispatch, data: bytes) -> dict[str, Any]:
    dispatch_id = dispatch.id
    message = ReceivedMessage(message_id=dispatch.key, kind=MessageKind(dispatch.kind),
                              from_organ_id=dispatch.from_organ_id,
                              to_organ_id=dispatch.to_organ_id, data=data)
    try:
        intake = inbound.take_in(message)
    except DomainError as error:
        raise _fail(dispatch_id, error.message) from None
    now = utcnow()
    _finish(dispatch_id, DispatchState.DELIVERED, sent_at=now, delivered_at=now)
    inbound.after_commit(intake)
    return {"state": DispatchState.DELIVERED, "route": LOCAL}


def _send_remote(job: Job, dispatch: ExchangeDispatch, data: bytes) -> dict[str, Any]:
    dispatch_id = dispatch.id
    transport = remote_transport()
    if transport is None:
        raise _fail(dispatch_id, NO_AXIS)
    message = OutgoingMessage(key=dispatch.key, kind=MessageKind(dispatch.kind),
                              from_organ_id=dispatch.from_organ_id,
                              to_organ_ids=(dispatch.to_organ_id,), data=data)
    try:
        transport_id = transport.send(message)
    except TransportRefused as error:
        raise _fail(dispatch_id, str(error) or "Trục liên thông từ chối thông điệp.") from None
    except TransportUnavailable as error:
        reason = f"Trục liên thông chưa phản hồi: {error}".strip()
        dispatch = db.session.get(ExchangeDispatch, dispatch_id)  # type: ignore[assignment]
        if utcnow() - dispatch.created_at > GIVE_UP_AFTER:
            raise _fail(dispatch_id, reason) from None
        dispatch.reason, dispatch.updated_at = f"{reason} (sẽ thử lại)"[:1000], utcnow()
        # The queue gives a job MAX_ATTEMPTS tries with a doubling delay; an outbox outlives
        # an axis outage: the count is held below the last try, so the delay stops growing
        # (RETRY_DELAY * 2 ** (MAX_ATTEMPTS - 2) seconds) until GIVE_UP_AFTER has passed.
        db.session.execute(update(Job).where(Job.id == job.id).values(
            attempts=min(job.attempts, MAX_ATTEMPTS - 1)))
        db.session.commit()
        raise  # the job queue retries it later
    _finish(dispatch_id, DispatchState.SENT, sent_at=utcnow(),
            transport_id=str(transport_id)[:200])
    return {"state": DispatchState.SENT, "route": REMOTE}


def names_object(key: str) -> bool:
    """The outbox keeps the bytes it sent (``eoffice.files.orphans``: a named object stays)."""
    return db.session.execute(select(ExchangeDispatch.id).where(
        ExchangeDispatch.object_key == key).limit(1)).first() is not None
