"""Pages and API of the exchange: the one table of an outgoing document's recipients outside
the organisation, electronic or by hand (a fragment the page re-reads when a status arrives),
its JSON twin, and what the document page's partial needs (``exchange_panel``)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy import select

from eoffice.accounts.models import User
from eoffice.accounts.permissions import has_role
from eoffice.accounts.roles import Role
from eoffice.actions.routes import add_api_routes, add_page_routes
from eoffice.api.openapi import binary, documented
from eoffice.documents.access import can_view
from eoffice.documents.common import get_visible
from eoffice.documents.exchange import XML, may_add_recipients, status_label
from eoffice.documents.models import Direction, Document
from eoffice.documents.recipient_view import sees_whole
from eoffice.documents.states import In
from eoffice.documents.workflow import available
from eoffice.errors import NotFound
from eoffice.exchange import actions as _declared  # noqa: F401  (the declarations)
from eoffice.exchange import live, manual
from eoffice.exchange.handling import may_update
from eoffice.exchange.manual import EXPORTABLE, may_download
from eoffice.exchange.models import (
    BUSINESS_LABELS,
    DISPATCH_STATE_LABELS,
    MANUAL_LABEL,
    ExchangeDispatch,
    ExchangeRecipient,
)
from eoffice.exchange.recipients import recipients_of
from eoffice.exchange.statuses import origin
from eoffice.extensions import db
from eoffice.files.views import send_generated
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
        "status_by": {"type": "string"},
        "owed": {"type": "array", "items": {"type": "object", "properties": {
            "business_type": {"type": "integer"}, "sequence": {"type": "integer"},
            "label": {"type": "string"}, "kind": {"type": "string"},
            "downloadable": {"type": "boolean"},
            "downloaded_at": {"type": ["string", "null"]},
            "download": {"type": ["string", "null"]}}}}}}}}}


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


def _owed_rows(document: Document, recipient: ExchangeRecipient) -> list[dict[str, Any]]:
    """What an unconnected agency is owed after the first package (``manual.owed_to``)."""
    return [{
        "business_type": o.business_type, "sequence": o.sequence, "label": o.label,
        "kind": BUSINESS_LABELS[o.business_type],
        "downloadable": o.downloadable,
        "downloaded_at": o.downloaded.downloaded_at.isoformat() if o.downloaded else None,
        "downloaded_at_local": format_local(o.downloaded.downloaded_at) if o.downloaded
        else "",
        "download": url_for("exchange_api.business_export_api", document_id=document.id,
                            recipient_id=recipient.id, business_type=o.business_type,
                            sequence=o.sequence) if o.downloadable else None,
    } for o in manual.owed_to(document, recipient)]


def rows_of(document: Document) -> list[dict[str, Any]]:
    """One line per recipient: how it is reached, where its latest message stands (or, by
    hand, whether its package may be downloaded) and its latest status."""
    latest = _latest_dispatches(document)
    rows = []
    for recipient in recipients_of(document):
        dispatch = latest.get(recipient.id)
        owed = _owed_rows(document, recipient) if recipient.manual else []
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
            "owed": owed,
            # Nothing handed over yet, by either channel.
            "removable": (dispatch is None and recipient.exported_at is None
                          and not any(o["downloaded_at"] for o in owed)),
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
        "manual_notice": _manual_notice(rows) if rows else "",
        "may_hand_over": outgoing and whole and manual.may_hand_over(user, document),
        "replacement_owed": _replacement_rows(user, document)
        if outgoing and whole and not document.is_secret else [],
    }


def _replacement_rows(user: User, document: Document) -> list[dict[str, Any]]:
    """On the replacing document's page: which agencies still need the replacement by hand.
    Each is a row of the replaced document (``manual.replacement_owed``): the link goes to
    that row, and the download, where the viewer may act on the old document, is its route."""
    rows = []
    for o in manual.replacement_owed(document):
        old = o.replaces
        assert old is not None
        whole = can_view(user, old) and sees_whole(user, old)
        rows.append({
            "organ_name": o.recipient.organ_name, "organ_id": o.recipient.organ_id,
            "old_id": old.id, "old_label": old.number_and_notation or old.subject,
            "old_link": url_for("documents.outgoing_view", document_id=old.id)
            + f"#exchange-recipient-{o.recipient.id}" if whole else None,
            "downloadable": o.downloadable,
            "downloaded_at_local": format_local(o.downloaded.downloaded_at) if o.downloaded
            else "",
            "download": url_for("exchange.business_export", document_id=old.id,
                                recipient_id=o.recipient.id, business_type=o.business_type,
                                sequence=o.sequence)
            if whole and o.downloadable else None,
        })
    return rows


def _manual_notice(rows: list[dict[str, Any]]) -> str:
    """What the clerk still has to hand over by hand, said once above the table."""
    counts: dict[str, int] = {}
    for row in rows:
        for kind in {o["kind"] for o in row["owed"]
                     if o["downloadable"] and not o["downloaded_at"]}:
            counts[kind] = counts.get(kind, 0) + 1
    if not counts:
        return ""
    parts = [f"thông báo {kind.lower()} cho {count} cơ quan chưa kết nối liên thông"
             for kind, count in counts.items()]
    return f"Cần gửi thủ công: {'; '.join(parts)}."


@bp.get("/<int:document_id>/recipients")
@login_required
def recipients_fragment(document_id: int) -> ResponseReturnValue:
    """The recipients table alone, re-read by the page when a status arrives."""
    document = get_visible(current_user, document_id)
    if document.direction != Direction.OUTGOING or not sees_whole(current_user, document):
        raise NotFound("Không tìm thấy văn bản.")
    rows = rows_of(document)
    return render_template("exchange/_table.html", rows=rows, document=document,
                           manual_notice=_manual_notice(rows),
                           may_hand_over=manual.may_hand_over(current_user, document))


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
        for owed in row["owed"]:
            owed.pop("downloaded_at_local", None)
    return {"recipients": rows}


# --------------------------------------------------------------------------- manual channel
# POST, as the first package's export: a download is an act (audited, dated on the row).
def _business_export(document_id: int, recipient_id: int, business_type: int,
                     sequence: int) -> ResponseReturnValue:
    document = get_visible(current_user, document_id)
    if document.direction != Direction.OUTGOING or not sees_whole(current_user, document):
        raise NotFound("Không tìm thấy văn bản.")
    export = manual.export_business(current_user, document, recipient_id, business_type,
                                    sequence)
    db.session.commit()
    live.status_changed([document.id])
    return send_generated(export.data, export.filename, XML)


@bp.post("/<int:document_id>/manual/<int:recipient_id>/<int:business_type>/<int:sequence>")
@login_required
def business_export(document_id: int, recipient_id: int, business_type: int,
                    sequence: int) -> ResponseReturnValue:
    return _business_export(document_id, recipient_id, business_type, sequence)


@api.post("/exchange/<int:document_id>/manual/<int:recipient_id>/<int:business_type>"
          "/<int:sequence>")
@documented("Xuất gói edXML đã ký của một thông điệp nghiệp vụ (1 thu hồi, 2 cập nhật lần "
            "<sequence>, 3 thay thế) cho một nơi nhận chưa kết nối liên thông (gửi thủ công; "
            "văn bản mật bị từ chối)", binary(XML), errors=(401, 403, 404, 409))
@login_required
def business_export_api(document_id: int, recipient_id: int, business_type: int,
                        sequence: int) -> ResponseReturnValue:
    return _business_export(document_id, recipient_id, business_type, sequence)


add_page_routes(bp, "exchange")
add_api_routes(api, "exchange")
