"""Pages and API of the exchange: the one table of an outgoing document's recipients outside
the organisation, electronic or by hand (a fragment the page re-reads when a status arrives),
its JSON twin, and what the document page's partial needs (``exchange_panel``)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy import select

from eoffice.accounts.models import User
from eoffice.accounts.permissions import has_role
from eoffice.accounts.roles import Role
from eoffice.actions.routes import add_api_routes, add_page_routes
from eoffice.api.openapi import documented
from eoffice.documents.common import get_visible
from eoffice.documents.exchange import may_add_recipients, status_label
from eoffice.documents.models import Direction, Document
from eoffice.documents.recipient_view import sees_whole
from eoffice.documents.states import In
from eoffice.documents.workflow import available
from eoffice.errors import NotFound
from eoffice.exchange import actions as _declared  # noqa: F401  (the declarations)
from eoffice.exchange.handling import may_update
from eoffice.exchange.manual import EXPORTABLE, may_download
from eoffice.exchange.models import (
    BUSINESS_LABELS,
    DISPATCH_STATE_LABELS,
    MANUAL_LABEL,
    ExchangeDispatch,
)
from eoffice.exchange.recipients import recipients_of
from eoffice.exchange.statuses import origin
from eoffice.extensions import db
from eoffice.timestamps import format_local

bp = Blueprint("exchange", __name__, url_prefix="/exchange")
api = Blueprint("exchange_api", __name__, url_prefix="/api/v1")

RECIPIENTS: dict[str, Any] = {"type": "object", "properties": {"recipients": {
    "type": "array", "items": {"type": "object", "properties": {
        "id": {"type": "integer"}, "organ_id": {"type": "string"},
        "organ_name": {"type": "string"}, "channel": {"enum": ["exchange", "manual"]},
        "exported_at": {"type": ["string", "null"]},
        "dispatch_state": {"type": ["string", "null"]},
        "dispatch_label": {"type": "string"}, "dispatch_reason": {"type": "string"},
        "business_type": {"type": ["integer", "null"]},
        "status_code": {"type": "string"}, "status_label": {"type": "string"},
        "status_description": {"type": "string"}, "status_at": {"type": ["string", "null"]},
        "status_by": {"type": "string"}}}}}}


def _latest_dispatches(document: Document) -> dict[int, ExchangeDispatch]:
    latest: dict[int, ExchangeDispatch] = {}
    for dispatch in db.session.execute(select(ExchangeDispatch).where(
            ExchangeDispatch.document_id == document.id, ExchangeDispatch.kind == "package")
            .order_by(ExchangeDispatch.id)).scalars():
        if dispatch.recipient_id is not None:
            latest[dispatch.recipient_id] = dispatch
    return latest


def _dispatch_label(dispatch: ExchangeDispatch | None, manual: bool) -> str:
    if manual:
        return MANUAL_LABEL
    if dispatch is None:
        return "Chưa gửi (gửi khi phát hành)"
    return DISPATCH_STATE_LABELS.get(dispatch.state, dispatch.state)


def rows_of(document: Document) -> list[dict[str, Any]]:
    """One line per recipient: how it is reached, where its latest message stands (or, by
    hand, whether its package may be downloaded) and its latest status."""
    latest = _latest_dispatches(document)
    rows = []
    for recipient in recipients_of(document):
        dispatch = latest.get(recipient.id)
        rows.append({
            "id": recipient.id, "organ_id": recipient.organ_id,
            "organ_name": recipient.organ_name, "channel": recipient.channel,
            "manual": recipient.manual,
            "exported_at": recipient.exported_at.isoformat() if recipient.exported_at
            else None,
            "exported_at_local": format_local(recipient.exported_at) if recipient.exported_at
            else "",
            "downloadable": may_download(document, recipient),
            "dispatch_state": dispatch.state if dispatch else None,
            "dispatch_label": _dispatch_label(dispatch, recipient.manual),
            "dispatch_reason": dispatch.reason if dispatch and dispatch.state == "failed"
            else "",
            "business_type": dispatch.business_type if dispatch else None,
            "business_label": BUSINESS_LABELS.get(dispatch.business_type, "")
            if dispatch else "",
            "status_code": recipient.status_code,
            "status_label": status_label(recipient.status_code) if recipient.status_code
            else "Chưa có phản hồi",
            "status_description": recipient.status_description,
            "status_at": recipient.status_at.isoformat() if recipient.status_at else None,
            "status_at_local": format_local(recipient.status_at) if recipient.status_at else "",
            "status_by": recipient.status_by,
            "removable": dispatch is None and recipient.exported_at is None,
        })
    return rows


def exchange_panel(document: Document) -> dict[str, Any]:
    """What ``templates/exchange/_recipients.html`` shows for ``document`` and the viewer."""
    user: User = current_user  # type: ignore[assignment]
    outgoing = document.direction == Direction.OUTGOING
    whole = sees_whole(user, document)
    source = origin(document) if not outgoing else None
    may_register = (source is not None and document.state == In.RECEIVED
                    and any(t.action == "register" for t in available(user, document)))
    rows = rows_of(document) if outgoing and whole else []
    return {
        "outgoing": outgoing,
        "show": outgoing and whole and (not document.is_secret),
        "secret": document.is_secret,
        "rows": rows,
        "may_pick": outgoing and whole and may_add_recipients(user, document),
        "may_update": outgoing and whole and may_update(user, document),
        # A status file an unconnected agency sent back, uploaded by the clerk.
        "may_upload_status": (outgoing and whole and document.state in EXPORTABLE
                              and has_role(user, Role.CLERK)
                              and any(row["manual"] for row in rows)),
        "origin": source,
        "may_register": may_register,
    }


@bp.get("/<int:document_id>/recipients")
@login_required
def recipients_fragment(document_id: int) -> ResponseReturnValue:
    """The recipients table alone, re-read by the page when a status arrives."""
    document = get_visible(current_user, document_id)
    if document.direction != Direction.OUTGOING or not sees_whole(current_user, document):
        raise NotFound("Không tìm thấy văn bản.")
    return render_template("exchange/_table.html", rows=rows_of(document), document=document)


@api.get("/exchange/<int:document_id>/recipients")
@documented("Nơi nhận bên ngoài của một văn bản đi: cách gửi (liên thông hoặc thủ công), trạng "
            "thái gửi và tình trạng xử lý mới nhất của từng cơ quan", RECIPIENTS)
@login_required
def recipients_json(document_id: int) -> ResponseReturnValue:
    """The recipients table as JSON (same rule as the page: another organisation gets 404)."""
    document = get_visible(current_user, document_id)
    if document.direction != Direction.OUTGOING or not sees_whole(current_user, document):
        raise NotFound("Không tìm thấy văn bản.")
    rows = rows_of(document)
    for row in rows:
        for local in ("status_at_local", "exported_at_local", "manual", "downloadable"):
            row.pop(local, None)
    return {"recipients": rows}


add_page_routes(bp, "exchange")
add_api_routes(api, "exchange")
