"""Putting a message in the outbox: one row per message and recipient organisation, and the
job that sends it, both keyed by the same idempotency key (asking twice is one message)."""

from __future__ import annotations

from sqlalchemy import select

from eoffice import audit
from eoffice.accounts.models import User
from eoffice.documents.models import Document
from eoffice.exchange import at_once
from eoffice.exchange.models import BUSINESS_NEW, ExchangeDispatch, ExchangeRecipient
from eoffice.exchange.packages import ready_to_sign
from eoffice.extensions import db
from eoffice.jobs import submit

JOB_KIND = "exchange_dispatch"


def job_key(dispatch_key: str) -> str:
    """The job's idempotency key: the dispatch's own, in the exchange's namespace."""
    return f"exchange:{dispatch_key}"


def queue_dispatch(actor: User | None, *, key: str, kind: str, document: Document,
                   to_organ_id: str, document_key: str, status_code: str = "",
                   business_type: int = BUSINESS_NEW,
                   recipient: ExchangeRecipient | None = None) -> ExchangeDispatch:
    """The dispatch for ``key`` (created and queued with the caller's commit, or the one
    that already exists)."""
    existing = db.session.execute(select(ExchangeDispatch).where(
        ExchangeDispatch.key == key)).scalar_one_or_none()
    if existing is not None:
        return existing
    if kind == "package":  # its key then is not made in the second a delivery has
        ready_to_sign(document.organisation)
    dispatch = ExchangeDispatch(
        key=key, kind=kind, business_type=business_type, status_code=status_code,
        document_id=document.id, recipient_id=recipient.id if recipient else None,
        from_organ_id=document.organisation.organ_id, to_organ_id=to_organ_id,
        document_key=document_key, created_by_id=actor.id if actor else None)
    db.session.add(dispatch)
    db.session.flush()
    job = submit(JOB_KIND, job_key(key), requested_by=actor, params={"dispatch_id": dispatch.id})
    at_once.note(job.id)
    audit.record(actor, "exchange_queued", "document", document.id,
                 direction=document.direction, organ_id=to_organ_id, kind=kind,
                 business_type=business_type, status_code=status_code, dispatch_id=dispatch.id)
    return dispatch
