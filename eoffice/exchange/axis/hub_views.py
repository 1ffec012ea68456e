"""The hub's HTTP face: ``POST /axis/<operation>`` for other installations (enabled by
``EOFFICE_HUB=1``). Machines call it with a system id and secret in headers, never a browser:
no session, no CSRF token; refusals answer as the axis does (``status: FAIL`` with a code and a
description) with the HTTP status of the refusal."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request
from flask.typing import ResponseReturnValue

from eoffice.errors import DomainError, InvalidInput
from eoffice.exchange.axis import hub, protocol
from eoffice.exchange.axis.models import HubDelivery, HubSystem
from eoffice.extensions import csrf, db

bp = Blueprint("axis_hub", __name__, url_prefix="/axis")
csrf.exempt(bp)


@bp.errorhandler(DomainError)
def _refused(error: DomainError) -> ResponseReturnValue:
    db.session.rollback()
    return _answer(status="FAIL", code=str(error.status), description=error.message), error.status


def _answer(*, status: str = "OK", code: str = "0", description: str = "",
            **fields: Any) -> Response:
    return jsonify(status=status, ErrorCode=code, ErrorDesc=description, **fields)


def _caller() -> HubSystem:
    return hub.authenticate(request.headers.get(protocol.SYSTEM_HEADER),
                            request.headers.get(protocol.SECRET_HEADER))


def _body() -> dict[str, Any]:
    payload = request.get_json(silent=True)
    if payload is None:
        return {}
    if not isinstance(payload, dict):
        raise InvalidInput("Thân yêu cầu phải là một đối tượng JSON.")
    return payload


def _text_field(payload: dict[str, Any], name: str, *, required: bool = True) -> str | None:
    value = payload.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value:
        raise InvalidInput(f"Thiếu trường {name}.")
    return value


def _delivery_json(item: HubDelivery) -> dict[str, Any]:
    message = item.message
    return {"docId": item.delivery_id, "from": message.from_organ_id, "to": item.to_organ_id,
            "messageType": message.kind, "created_time": message.received_at.isoformat(),
            "size": message.size, "sha256": message.sha256}


@bp.post(f"/{protocol.GET_AGENCIES}")
def get_agencies() -> ResponseReturnValue:
    """The organisations reachable through this hub."""
    _caller()
    return _answer(data=[{"code": agency.organ_id, "name": agency.name,
                          "system": agency.system_id} for agency in hub.agencies()])


@bp.post(f"/{protocol.SEND}")
def send() -> ResponseReturnValue:
    """Keep the edXML message in the body for the recipients named in the headers."""
    system = _caller()
    headers = request.headers
    recipients = [part.strip() for part in headers.get(protocol.TO_HEADER, "").split(",")]
    message = hub.store(system, key=headers.get(protocol.KEY_HEADER, ""),
                        kind=headers.get(protocol.KIND_HEADER, ""),
                        from_organ_id=headers.get(protocol.FROM_HEADER, ""),
                        to_organ_ids=[organ for organ in recipients if organ],
                        data=request.get_data(cache=False))
    message_id = message.message_id
    db.session.commit()
    return _answer(DocId=message_id)


@bp.post(f"/{protocol.LIST_RECEIVED}")
def list_received() -> ResponseReturnValue:
    """Messages waiting for the caller's organisations (``to``: only that one)."""
    system = _caller()
    payload = _body()
    limit = payload.get("limit", 100)
    if not isinstance(limit, int) or not 1 <= limit <= 1000:
        raise InvalidInput("limit phải từ 1 đến 1000.")
    items = hub.waiting(system, _text_field(payload, "to", required=False), limit)
    return _answer(data=[_delivery_json(item) for item in items])


@bp.post(f"/{protocol.GET}")
def get() -> ResponseReturnValue:
    """One waiting message's bytes; what it is travels in the headers."""
    system = _caller()
    item = hub.fetched(system, _text_field(_body(), "docId") or "")
    message = item.message
    response = Response(message.data, mimetype="application/octet-stream")
    response.headers[protocol.DOC_ID_HEADER] = item.delivery_id
    response.headers[protocol.FROM_HEADER] = message.from_organ_id
    response.headers[protocol.TO_HEADER] = item.to_organ_id
    response.headers[protocol.KIND_HEADER] = message.kind
    response.headers["ETag"] = message.sha256
    db.session.commit()
    return response


@bp.post(f"/{protocol.UPDATE_STATUS}")
def update_status() -> ResponseReturnValue:
    """Acknowledge a message: ``done``, or ``fail`` with a ``description`` for the sender."""
    system = _caller()
    payload = _body()
    description = payload.get("description", "")
    if not isinstance(description, str):
        raise InvalidInput("description phải là chuỗi.")
    item = hub.set_status(system, _text_field(payload, "docId") or "",
                          _text_field(payload, "status") or "", description)
    answer = _answer(docId=item.delivery_id, receiveStatus=item.status)
    db.session.commit()
    return answer


@bp.post(f"/{protocol.LIST_SENT}")
def list_sent() -> ResponseReturnValue:
    """Where a message the caller sent (by its ``key``) stands, per recipient."""
    system = _caller()
    items = hub.sent(system, _text_field(_body(), "key") or "")
    return _answer(data=[{
        "toCode": item.to_organ_id, "receiveStatus": item.status,
        "receiveStatusDesc": item.description,
        "receivedTime": item.acknowledged_at.isoformat() if item.acknowledged_at else None,
    } for item in items])
