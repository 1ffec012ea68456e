"""JSON API under /api/v1/documents, with the same services and checks as the pages.

Unknown or invisible documents are 404; illegal moves 409; wrong person 403; a locked PIN 423.
POSTs need the ``X-CSRFToken`` header (CSRFProtect), like every form of the site.
The OpenAPI document describing these endpoints is served at /api/v1/openapi.json.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, abort, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from eoffice.documents import notifications, service, signing_service
from eoffice.documents.exchange import XML
from eoffice.documents.forms import end_of_day
from eoffice.documents.models import Direction, Document
from eoffice.documents.workflow import STATE_LABELS, WorkflowError, available
from eoffice.extensions import db
from eoffice.files.views import send_generated, send_verified

bp = Blueprint("documents_api", __name__, url_prefix="/api/v1")


def api_errors(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except WorkflowError as error:
            db.session.rollback()
            return jsonify(error=error.status, message=error.message), error.status

    return wrapped


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def document_json(document: Document, *, full: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": document.id,
        "direction": document.direction,
        "state": document.state,
        "state_label": STATE_LABELS.get(document.state, document.state),
        "subject": document.subject,
        "type_code": document.type_code,
        "type_name": document.type_name,
        "number": document.number_and_notation or None,
        "code_number": document.code_number,
        "code_notation": document.code_notation,
        "organ_id": document.organ_id,
        "organ_name": document.organ_name,
        "issued_date": _iso(document.issued_date),
        "arrival_number": document.arrival_number,
        "arrival_date": _iso(document.arrival_date),
        "urgency": document.urgency,
        "urgency_label": document.urgency_label,
        "secrecy": document.secrecy,
        "secrecy_label": document.secrecy_label,
        "due_date": _iso(document.due_date),
        "overdue": service.is_overdue(document),
        "created_at": _iso(document.created_at),
    }
    if full:
        data["versions"] = [{
            "number": v.number, "kind": v.kind, "file_id": v.file_id,
            "content_type": v.file.content_type, "created_at": _iso(v.created_at),
            "created_by": v.created_by_id, "note": v.note,
        } for v in document.versions]
        data["participants"] = [{"user_id": p.user_id, "role": p.role}
                                for p in document.participants]
        data["comments"] = [{"author_id": c.author_id, "kind": c.kind, "body": c.body,
                             "created_at": _iso(c.created_at)}
                            for c in service.comments_of(document)]
        data["assignments"] = [{"id": a.id, "role": a.role, "unit_id": a.unit_id,
                                "user_id": a.user_id, "deadline": _iso(a.deadline),
                                "completed_at": _iso(a.completed_at)}
                               for a in service.assignments_of(document)]
        data["actions"] = [t.action for t in available(current_user, document)]
    return data


def delivery_json(delivery: Any) -> dict[str, Any]:
    return {"user_id": delivery.user_id, "unit_id": delivery.unit_id,
            "delivered_at": _iso(delivery.delivered_at),
            "first_opened_at": _iso(delivery.first_opened_at),
            "first_opened_by": delivery.first_opened_by_id}


def _body() -> dict[str, Any]:
    return request.get_json(silent=True) or request.form.to_dict() or {}


def _finish(result: service.Result, status: int = 200) -> ResponseReturnValue:
    db.session.commit()
    if result.purge_keys:
        from eoffice.documents.revocation import purge_unreferenced

        purge_unreferenced(result.purge_keys)
    notifications.send(result.notices)
    payload = document_json(result.document, full=True)
    if result.warnings:
        payload["warnings"] = result.warnings
    return jsonify(payload), status


@bp.get("/documents")
@login_required
def list_documents() -> ResponseReturnValue:
    direction = request.args.get("direction", Direction.INCOMING)
    if direction not in (Direction.INCOMING, Direction.OUTGOING):
        return jsonify(error=400, message="direction phải là incoming hoặc outgoing."), 400
    rows, total = service.list_documents(
        current_user, direction, state=request.args.get("state") or None,
        page=request.args.get("page", 1, type=int),
        per_page=min(request.args.get("per_page", 50, type=int), 200))
    return jsonify(total=total, items=[document_json(d) for d in rows])


@bp.get("/documents/search")
@login_required
def search() -> ResponseReturnValue:
    direction = request.args.get("direction") or None
    if direction not in (None, Direction.INCOMING, Direction.OUTGOING):
        return jsonify(error=400, message="direction phải là incoming hoặc outgoing."), 400
    rows, total = service.search_documents(
        current_user, request.args.get("q", ""), direction=direction,
        page=request.args.get("page", 1, type=int),
        per_page=min(request.args.get("per_page", 20, type=int), 200))
    return jsonify(total=total, items=[document_json(d) for d in rows])


@bp.get("/documents/my-work")
@login_required
def my_work() -> ResponseReturnValue:
    return jsonify(items=[document_json(d) for d in service.waiting_for(current_user)])


@bp.get("/documents/<int:document_id>")
@login_required
@api_errors
def get_document(document_id: int) -> ResponseReturnValue:
    document = service.get_visible(current_user, document_id)
    if service.mark_opened(current_user, document):
        db.session.commit()
    return jsonify(document_json(document, full=True))


@bp.get("/documents/<int:document_id>/deliveries")
@login_required
@api_errors
def deliveries(document_id: int) -> ResponseReturnValue:
    document = service.get_visible(current_user, document_id)
    return jsonify(items=[delivery_json(d) for d in service.deliveries_of(document)])


@bp.get("/documents/<int:document_id>/versions/<int:number>/content")
@login_required
@api_errors
def version_content(document_id: int, number: int) -> ResponseReturnValue:
    document = service.get_visible(current_user, document_id)
    version = next((v for v in document.versions if v.number == number), None)
    if version is None or version.revoked:
        abort(404)
    return send_verified(version.file)


@bp.get("/documents/<int:document_id>/edxml")
@login_required
@api_errors
def edxml_list(document_id: int) -> ResponseReturnValue:
    """The edXML files kept for a document and its external recipients' handling status."""
    from eoffice.documents import exchange

    document = service.get_visible(current_user, document_id)
    return jsonify(
        records=[{"id": r.id, "kind": r.kind, "status_code": r.status_code or None,
                  "size": r.size, "revoked": r.revoked, "created_at": _iso(r.created_at),
                  "external_recipient_id": r.external_recipient_id}
                 for r in exchange.records_of(document)],
        external_recipients=[{"id": r.id, "organ_id": r.organ.organ_id, "name": r.organ.name,
                              "status_code": r.status_code or None,
                              "status_label": exchange.status_label(r.status_code),
                              "status_at": _iso(r.status_at),
                              "exported_at": _iso(r.exported_at)}
                             for r in exchange.external_recipients_of(document)])


@bp.get("/documents/<int:document_id>/edxml/<int:record_id>")
@login_required
@api_errors
def edxml_record(document_id: int, record_id: int) -> ResponseReturnValue:
    from eoffice.documents import exchange

    document = service.get_visible(current_user, document_id)
    data, name = exchange.record_bytes(document, record_id)
    return send_generated(data, name, XML)


@bp.post("/documents/<int:document_id>/edxml/export/<int:recipient_id>")  # an act: POST
@login_required
@api_errors
def edxml_export(document_id: int, recipient_id: int) -> ResponseReturnValue:
    from eoffice.documents import exchange

    document = service.get_visible(current_user, document_id)
    export = exchange.export_package(current_user, document, recipient_id)
    db.session.commit()
    return send_generated(export.data, export.filename, XML)


@bp.post("/documents/<int:document_id>/external-recipients")
@login_required
@api_errors
def add_external_recipient(document_id: int) -> ResponseReturnValue:
    from eoffice.documents import exchange

    document = service.get_visible(current_user, document_id)
    body = _body()
    row = exchange.add_external_recipient(current_user, document, body.get("organ_id", ""),
                                          body.get("name", ""))
    db.session.commit()
    return jsonify(id=row.id, organ_id=row.organ.organ_id, name=row.organ.name), 201


@bp.post("/documents/edxml/status")
@login_required
@api_errors
def receive_status() -> ResponseReturnValue:
    from eoffice.documents import exchange

    upload = request.files.get("status")
    data = upload.stream.read(exchange.MAX_STATUS_BYTES + 1) if upload else request.get_data()
    document, recipient = exchange.receive_status(current_user, data)
    db.session.commit()
    return jsonify(document_id=document.id, external_recipient_id=recipient.id,
                   status_code=recipient.status_code)



@bp.post("/documents/outgoing")
@login_required
@api_errors
def create_outgoing() -> ResponseReturnValue:
    upload = request.files.get("file")
    if upload is None:
        raise service.InvalidInput("Thiếu tệp dự thảo (trường 'file').")
    form = request.form

    def ids(name: str) -> list[int]:
        return [int(v) for v in form.getlist(name) if v.isdigit()]

    try:
        draft = service.OutgoingDraft(
            subject=form.get("subject", ""), type_code=form.get("type_code", ""),
            reviewer_id=int(form.get("reviewer_id", 0)), checker_id=int(form.get("checker_id", 0)),
            signer_id=int(form.get("signer_id", 0)), urgency=int(form.get("urgency", 0)),
            secrecy=int(form.get("secrecy", 0)), authority=form.get("authority", ""),
            to_places=form.get("to_places", ""),
            is_legal_normative=form.get("is_legal_normative") in ("1", "true", "on"),
            recipient_user_ids=ids("recipient_user_ids"),
            recipient_unit_ids=ids("recipient_unit_ids"), named_user_ids=ids("named_user_ids"))
    except ValueError:
        raise service.InvalidInput("Dữ liệu không hợp lệ.") from None
    stored = service.store_file(current_user, upload.stream, upload.filename)
    return _finish(service.create_outgoing(current_user, draft, stored), 201)


@bp.post("/documents/incoming")
@login_required
@api_errors
def register_incoming() -> ResponseReturnValue:
    upload = request.files.get("file")
    if upload is None:
        raise service.InvalidInput("Thiếu tệp văn bản (trường 'file').")
    form = request.form
    try:
        meta = service.IncomingMetadata(
            subject=form.get("subject", ""), organ_name=form.get("organ_name", ""),
            organ_id=form.get("organ_id", ""),
            code_number=int(form["code_number"]) if form.get("code_number") else None,
            code_notation=form.get("code_notation", ""), type_code=form.get("type_code", ""),
            urgency=int(form.get("urgency", 0)), secrecy=int(form.get("secrecy", 0)))
    except ValueError:
        raise service.InvalidInput("Dữ liệu không hợp lệ.") from None
    duplicates = service.find_duplicates(current_user, meta)
    if duplicates and form.get("confirm_duplicate") not in ("1", "true", "on"):
        return jsonify(error=409, message="Trùng số, ký hiệu và cơ quan ban hành.",
                       duplicates=[d.id for d in duplicates]), 409
    result = service.register_incoming_upload(current_user, meta, upload.stream,
                                              upload.filename)
    return _finish(result, 201)


@bp.post("/documents/<int:document_id>/actions/<action>")
@login_required
@api_errors
def act(document_id: int, action: str) -> ResponseReturnValue:
    document = service.get_visible(current_user, document_id)
    return _finish(service.act(current_user, document, action, _body().get("note", "")))


@bp.post("/documents/<int:document_id>/comments")
@login_required
@api_errors
def comment(document_id: int) -> ResponseReturnValue:
    document = service.get_visible(current_user, document_id)
    service.comment(current_user, document, _body().get("body", ""))
    return _finish(service.Result(document), 201)


@bp.post("/documents/<int:document_id>/sign")
@login_required
@api_errors
def sign(document_id: int) -> ResponseReturnValue:
    document = service.get_visible(current_user, document_id)
    return _finish(signing_service.sign_as_leader(current_user, document,
                                                  str(_body().get("pin", ""))))


@bp.post("/documents/<int:document_id>/number")
@login_required
@api_errors
def number(document_id: int) -> ResponseReturnValue:
    document = service.get_visible(current_user, document_id)
    return _finish(signing_service.assign_number(current_user, document))


@bp.post("/documents/<int:document_id>/org-sign")
@login_required
@api_errors
def org_sign(document_id: int) -> ResponseReturnValue:
    document = service.get_visible(current_user, document_id)
    return _finish(signing_service.org_sign(current_user, document,
                                            str(_body().get("pin", ""))))


@bp.post("/documents/<int:document_id>/issue")
@login_required
@api_errors
def issue(document_id: int) -> ResponseReturnValue:
    document = service.get_visible(current_user, document_id)
    return _finish(service.issue(current_user, document))


@bp.post("/documents/<int:document_id>/present")
@login_required
@api_errors
def present(document_id: int) -> ResponseReturnValue:
    document = service.get_visible(current_user, document_id)
    body = _body()
    return _finish(service.present(current_user, document, int(body.get("leader_id") or 0),
                                   body.get("note", "")))


@bp.post("/documents/<int:document_id>/direct")
@login_required
@api_errors
def direct(document_id: int) -> ResponseReturnValue:
    from datetime import date

    document = service.get_visible(current_user, document_id)
    body = request.get_json(silent=True) or {}
    try:
        lines = [service.Handling(
            line.get("role", "support"), unit_id=line.get("unit_id"),
            user_id=line.get("user_id"),
            deadline=end_of_day(date.fromisoformat(line["deadline"]))
            if line.get("deadline") else None,
        ) for line in body.get("lines", [])]
    except (ValueError, TypeError, AttributeError):
        raise service.InvalidInput("Dòng phân công không hợp lệ.") from None
    return _finish(service.direct(current_user, document, lines, body.get("opinion", "")))


@bp.post("/documents/<int:document_id>/progress")
@login_required
@api_errors
def progress(document_id: int) -> ResponseReturnValue:
    document = service.get_visible(current_user, document_id)
    return _finish(service.report_progress(current_user, document, _body().get("body", "")))


@bp.post("/documents/<int:document_id>/complete")
@login_required
@api_errors
def complete(document_id: int) -> ResponseReturnValue:
    document = service.get_visible(current_user, document_id)
    body = _body()
    reply = body.get("reply_document_id")
    return _finish(service.complete(current_user, document, int(reply) if reply else None,
                                    body.get("note", "")))


@bp.post("/documents/batch-sign")
@login_required
@api_errors
def batch_sign() -> ResponseReturnValue:
    """Sign several documents with one PIN; progress is pushed to the user's /notify room."""
    body = request.get_json(silent=True) or {}
    try:
        ids = [int(i) for i in body.get("document_ids", [])]
    except (TypeError, ValueError):
        raise service.InvalidInput("Danh sách văn bản không hợp lệ.") from None
    if not ids:
        raise service.InvalidInput("Hãy chọn ít nhất một văn bản.")
    user_id = current_user.id

    def progress(done: int, total: int, outcome: signing_service.BatchOutcome) -> None:
        notifications.push([user_id], "batch_progress", {
            "done": done, "total": total, "document_id": outcome.document_id,
            "ok": outcome.ok, "message": outcome.message})

    outcomes = signing_service.sign_batch(current_user, ids, str(body.get("pin", "")),
                                          progress)
    return jsonify(results=[{"document_id": o.document_id, "ok": o.ok, "message": o.message}
                            for o in outcomes],
                   signed=sum(o.ok for o in outcomes), failed=sum(not o.ok for o in outcomes))


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    from eoffice.documents.openapi import build_openapi

    return jsonify(build_openapi(current_app))
