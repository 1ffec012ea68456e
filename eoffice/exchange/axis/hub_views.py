"""The hub's HTTP face: ``POST /axis/<operation>`` for other installations (enabled by
``EOFFICE_HUB=1``), on the national axis's wire (``protocol``), so that the axis's own SDK
can use it as it would the real axis. Machines call it with signed headers, never a browser:
no session, no CSRF token; refusals answer as the axis does (``status: FAIL`` with a code and a
description) with the HTTP status of the refusal."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from flask import Blueprint, Response, jsonify, request
from flask.typing import ResponseReturnValue

from eoffice.errors import DomainError, InvalidInput
from eoffice.exchange.axis import hub, protocol
from eoffice.exchange.axis.models import HubDelivery, HubSystem
from eoffice.extensions import csrf, db
from formats.edxml import EdxmlError, EdxmlPackage, parse_message

bp = Blueprint("axis_hub", __name__, url_prefix="/axis")
csrf.exempt(bp)


@bp.errorhandler(DomainError)
def _refused(error: DomainError) -> ResponseReturnValue:
    db.session.rollback()
    # DocId too: the SDK's sendEdoc reads it whatever the status (and fails without it).
    return _answer(status="FAIL", code=str(error.status), description=error.message,
                   DocId=""), error.status


def _answer(*, status: str = "OK", code: str = "0", description: str = "",
            **fields: Any) -> Response:
    return jsonify(status=status, ErrorCode=code, ErrorDesc=description, **fields)


def _caller() -> tuple[HubSystem, dict[str, str]]:
    return hub.authenticate(request.headers.get(protocol.SIGNED_HEADER),
                            request.headers.get(protocol.SIGNATURE_HEADER))


def _required(params: dict[str, str], name: str) -> str:
    value = params.get(name, "")
    if not value:
        raise InvalidInput(f"Thiếu tham số {name}.")
    return value


def _time(value: Any) -> str:
    return value.isoformat() if value is not None else ""


def _delivery_json(item: HubDelivery) -> dict[str, Any]:
    message = item.message
    return {"docId": item.delivery_id, "serviceType": protocol.SERVICE_TYPE_EDOC,
            "messageType": message.kind, "from": message.from_organ_id, "to": item.to_organ_id,
            "status": item.status, "status_desc": item.description or "",
            "created_time": _time(message.received_at),
            "updated_time": _time(item.acknowledged_at or message.received_at),
            "size": message.size, "sha256": message.sha256}


@bp.post(f"/{protocol.GET_AGENCIES}")
def get_agencies() -> ResponseReturnValue:
    """The organisations reachable through this hub."""
    _caller()
    return _answer(data=[{"id": agency.organ_id, "code": agency.organ_id, "name": agency.name,
                          "pid": "", "mail": "", "oldCode": "", "system": agency.system_id}
                         for agency in hub.agencies()])


def _sent_bytes(claimed_hash: str | None) -> bytes:
    """The message of a sendEdoc. The SDK sends the file itself as the body, labelled
    ``application/octet-stream``, followed by the CRLF its multipart writer ends a part with
    (no boundary is ever written: its header list replaces the multipart Content-Type); the
    signed ``hash-file`` tells whether that CRLF belongs to the file. A client that sends a
    real multipart form has its ``file_doc`` part read."""
    upload = request.files.get(protocol.FILE_PART)
    body = upload.read() if upload is not None else request.get_data(cache=False)
    if claimed_hash is None:
        return body
    for candidate in (body, body.removesuffix(b"\r\n")):
        if protocol.file_hash(candidate) == claimed_hash.lower():
            return candidate
    raise InvalidInput("Nội dung gói tin không khớp hash-file đã ký.")


@bp.post(f"/{protocol.SEND}")
def send() -> ResponseReturnValue:
    """Keep the edXML message for its recipients: those of the ``to`` parameter, else the
    package's own (the SDK's own example names none)."""
    system, params = _caller()
    data = _sent_bytes(params.get(protocol.FILE_HASH))
    kind = params.get(protocol.MESSAGE_TYPE, "edoc")
    try:
        recipients = protocol.recipients(params.get(protocol.TO))
    except ValueError as error:
        raise InvalidInput(str(error)) from None
    from_organ = params.get(protocol.FROM, "")
    if (not recipients or not from_organ) and kind == protocol.WIRE_KINDS["package"]:
        try:
            parsed = parse_message(data)
        except EdxmlError as error:
            raise InvalidInput(f"Gói tin edXML không đọc được: {error}") from None
        if isinstance(parsed, EdxmlPackage):
            recipients = recipients or [organ.organ_id for organ in parsed.message.to_orgs]
            from_organ = from_organ or parsed.message.from_org.organ_id
    # Without a key of ours (the SDK sends none), the content is the key: the same bytes sent
    # again by the same system are the same message.
    key = params.get(protocol.KEY) or "sha256:" + hashlib.sha256(data).hexdigest()
    message = hub.store(system, key=key, kind=kind, from_organ_id=from_organ,
                        to_organ_ids=recipients, data=data)
    message_id = message.message_id
    db.session.commit()
    return _answer(DocId=message_id)


@bp.post(f"/{protocol.LIST_RECEIVED}")
def list_received() -> ResponseReturnValue:
    """Messages waiting for the caller's organisations (``to``: only that one; ``messagetype``:
    only that kind; ``pageSize``: at most that many)."""
    system, params = _caller()
    try:
        limit = int(params.get("pagesize", "100"))
    except ValueError:
        limit = 0
    if not 1 <= limit <= 1000:
        raise InvalidInput("pageSize phải từ 1 đến 1000.")
    items = hub.waiting(system, params.get(protocol.TO) or None, limit)
    kind = params.get(protocol.MESSAGE_TYPE)
    return _answer(data=[_delivery_json(item) for item in items
                         if not kind or item.message.kind == kind])


@bp.post(f"/{protocol.GET}")
def get() -> ResponseReturnValue:
    """One waiting message, base64 in ``data`` (the SDK decodes it and keeps the file)."""
    system, params = _caller()
    item = hub.fetched(system, _required(params, protocol.DOC_ID))
    message = item.message
    answer = _answer(data=base64.b64encode(message.data).decode("ascii"),
                     docId=item.delivery_id, messageType=message.kind,
                     **{"from": message.from_organ_id, "to": item.to_organ_id})
    db.session.commit()
    return answer


@bp.post(f"/{protocol.UPDATE_STATUS}")
def update_status() -> ResponseReturnValue:
    """Acknowledge a message: ``done``, or ``fail`` with a ``description`` for the sender."""
    system, params = _caller()
    description = protocol.decode_text(params.get(protocol.DESCRIPTION, ""))
    item = hub.set_status(system, _required(params, protocol.DOC_ID),
                          _required(params, protocol.STATUS), description)
    answer = _answer(docId=item.delivery_id, receiveStatus=item.status)
    db.session.commit()
    return answer


@bp.post(f"/{protocol.LIST_SENT}")
def list_sent() -> ResponseReturnValue:
    """Where a message the caller sent (``docId``, the hub's id, or ``key``, ours) stands, per
    recipient."""
    system, params = _caller()
    items = hub.sent(system, key=params.get(protocol.KEY, ""),
                     message_id=params.get(protocol.DOC_ID, ""))
    return _answer(data=[{
        "serviceType": protocol.SERVICE_TYPE_EDOC, "messageType": item.message.kind,
        "title": "", "notation": "", "fromCode": item.message.from_organ_id,
        "toCode": item.to_organ_id,
        "senderDocId": item.message.message_id, "receiverDocId": item.delivery_id,
        "sendStatus": "done", "sendStatusDesc": "",
        "receiveStatus": item.status, "receiveStatusDesc": item.description or "",
        "sentTime": _time(item.message.received_at),
        "receivedTime": _time(item.acknowledged_at),
    } for item in items])
