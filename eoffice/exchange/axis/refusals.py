"""The sender's side of a refusal: a package another installation refused (the hub says
``fail`` with a reason) becomes a failed dispatch on the sender's document, with that reason,
instead of waiting forever for a 01 that will not come."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from eoffice.audit import record
from eoffice.documents.models import Document
from eoffice.exchange import live
from eoffice.exchange.axis import protocol
from eoffice.exchange.axis.client import AxisClient
from eoffice.exchange.models import DispatchState, ExchangeDispatch
from eoffice.exchange.ports import MessageKind
from eoffice.exchange.routing import REMOTE
from eoffice.extensions import db
from eoffice.timestamps import utcnow

#: Packages are asked about while they wait for their 01, at most this long after sending.
WATCH_FOR = timedelta(days=7)
#: At most this many packages are asked about per poll (newest first).
BATCH = 50


def reconcile_refusals(client: AxisClient) -> list[int]:
    """Mark sent packages the recipient refused as failed, with its reason; return their
    dispatch ids."""
    waiting = list(db.session.execute(select(ExchangeDispatch).where(
        ExchangeDispatch.state == DispatchState.SENT, ExchangeDispatch.route == REMOTE,
        ExchangeDispatch.kind == MessageKind.PACKAGE.value,
        ExchangeDispatch.sent_at >= utcnow() - WATCH_FOR,
    ).order_by(ExchangeDispatch.id.desc()).limit(BATCH)).scalars())
    db.session.rollback()  # no transaction held open across the hub's answers
    failed: list[int] = []
    for dispatch in waiting:
        refusals = [status for status in client.sent_status(dispatch.key)
                    if status.status == protocol.FAIL]
        if not refusals:
            continue
        reason = "Nơi nhận từ chối: " + "; ".join(s.description or "không nêu lý do"
                                                  for s in refusals)
        row = db.session.get(ExchangeDispatch, dispatch.id)
        if row is None or row.state != DispatchState.SENT:
            continue  # changed meanwhile (a 01 arrived after all)
        row.state, row.reason, row.updated_at = DispatchState.FAILED, reason[:1000], utcnow()
        document = db.session.get(Document, row.document_id)
        record(None, "exchange_failed", "document", row.document_id,
               direction=document.direction if document else "", organ_id=row.to_organ_id,
               kind=row.kind, business_type=row.business_type, dispatch_id=row.id,
               route=row.route, reason=reason[:500])
        db.session.commit()
        live.status_changed([row.document_id])
        failed.append(row.id)
    return failed
