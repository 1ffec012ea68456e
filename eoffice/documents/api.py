"""JSON API under /api/v1/documents, with the same services and checks as the pages.

Every act on a document is a declared action (``eoffice.documents.actions``) and gets its
route from there; here are the reads, the creations and the downloads. Refusals are
``eoffice.errors`` answered once for the app (JSON with the status); the OpenAPI document
(/api/v1/openapi.json) is built from these routes.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, jsonify, request
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from pydantic import BaseModel, Field

from eoffice.actions import ActionInput
from eoffice.actions.parsing import parse_model
from eoffice.actions.routes import add_api_routes
from eoffice.api.openapi import binary, documented, list_of, ref
from eoffice.documents import actions as _declared  # noqa: F401  (the declarations)
from eoffice.documents import batch_signing, creation, exchange, notifications, service
from eoffice.documents import box_placement_actions as _placing  # noqa: F401  (declared)
from eoffice.documents.case_files import case_files_of
from eoffice.documents.errors import InvalidInput
from eoffice.documents.exchange import XML
from eoffice.documents.models import Direction
from eoffice.documents.queries import internal_inbox as inbox_of
from eoffice.documents.recipient_view import require_whole, view_of
from eoffice.documents.representation import (
    case_file_json,
    delivery_json,
    document_json,
    inbox_item_json,
    iso,
)
from eoffice.exchange import manual
from eoffice.exchange.recipients import recipients_of
from eoffice.extensions import db
from eoffice.files.views import send_generated, send_verified
from eoffice.jobs.views import job_json

bp = Blueprint("documents_api", __name__, url_prefix="/api/v1")

DOCUMENT_LIST = list_of("Document", total={"type": "integer"})
EDXML_LIST: dict[str, Any] = {"type": "object", "properties": {
    "records": {"type": "array", "items": {"type": "object", "properties": {
        "id": {"type": "integer"}, "kind": {"enum": ["package_in", "status_out", "status_in"]},
        "status_code": {"type": ["string", "null"]}, "size": {"type": "integer"},
        "revoked": {"type": "boolean"}, "created_at": {"type": "string"},
        "external_recipient_id": {"type": ["integer", "null"]}}}},
    "external_recipients": {"type": "array", "items": {"type": "object", "properties": {
        "id": {"type": "integer"}, "organ_id": {"type": "string"}, "name": {"type": "string"},
        "channel": {"enum": ["exchange", "manual"]},
        "status_code": {"type": ["string", "null"]}, "status_label": {"type": "string"},
        "status_at": {"type": ["string", "null"]},
        "exported_at": {"type": ["string", "null"]}}}}}}
STATUS_ANSWER: dict[str, Any] = {"type": "object", "properties": {
    "document_id": {"type": "integer"}, "external_recipient_id": {"type": "integer"},
    "status_code": {"type": "string"}}}

class StatusUpload(BaseModel):
    status: bytes = Field(title="Tệp thông điệp trạng thái edXML",
                          json_schema_extra={"format": "binary"})


class BatchSign(ActionInput):
    document_ids: list[int] = Field(title="Các văn bản cần ký")
    pin: str = Field(title="Mã PIN")


def _created(result: service.Result) -> ResponseReturnValue:
    db.session.commit()
    notifications.send(result.notices)
    payload = document_json(result.document, full=True)
    if result.warnings:
        payload["warnings"] = result.warnings
    return jsonify(payload), 201


@bp.get("/documents")
@documented("Danh sách văn bản người dùng được xem (direction, state, page, per_page)",
            DOCUMENT_LIST)
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
@documented("Tìm kiếm toàn văn không dấu (q, direction, page)", DOCUMENT_LIST)
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
@documented("Văn bản đang chờ người dùng xử lý, khẩn và gần hạn trước",
            list_of("Document"))
@login_required
def my_work() -> ResponseReturnValue:
    return jsonify(items=[document_json(d) for d in service.waiting_for(current_user)])


@bp.get("/documents/internal-inbox")
@documented("Văn bản đến nội bộ: văn bản đi đã phát hành gửi đến người dùng hoặc đơn vị của "
            "họ, mới nhất trước, kèm dấu chưa mở (page, per_page)",
            list_of("InboxItem", total={"type": "integer"}))
@login_required
def internal_inbox() -> ResponseReturnValue:
    rows, total = inbox_of(
        current_user, page=request.args.get("page", 1, type=int),
        per_page=max(min(request.args.get("per_page", 50, type=int), 200), 1))
    return jsonify(total=total, items=[inbox_item_json(item) for item in rows])


@bp.get("/documents/<int:document_id>")
@documented("Chi tiết văn bản (ghi nhận lần mở đầu tiên của người nhận)",
            ref("Document"))
@login_required
def get_document(document_id: int) -> ResponseReturnValue:
    document = service.get_visible(current_user, document_id)
    if service.mark_opened(current_user, document):
        db.session.commit()
    return jsonify(document_json(document, full=True))


@bp.get("/documents/<int:document_id>/deliveries")
@documented("Nơi nhận nội bộ: thời điểm chuyển và lần mở đầu tiên",
            list_of("Delivery"))
@login_required
def deliveries(document_id: int) -> ResponseReturnValue:
    document = service.get_visible(current_user, document_id)
    require_whole(current_user, document)  # the clerk's tracking, not a recipient's
    return jsonify(items=[delivery_json(d) for d in service.deliveries_of(document)])


@bp.get("/documents/<int:document_id>/versions/<int:number>/content")
@documented("Tải tệp của một phiên bản (PDF hoặc DOCX)",
            binary("application/octet-stream"))
@login_required
def version_content(document_id: int, number: int) -> ResponseReturnValue:
    document = service.get_visible(current_user, document_id)
    # A recipient has the official copy only: a draft's number answers 404 to them.
    version = view_of(current_user, document).version(number)
    if version is None or version.revoked:
        abort(404)
    return send_verified(version.file)


@bp.get("/documents/<int:document_id>/edxml")
@documented("Tệp edXML của văn bản và tình trạng xử lý của nơi nhận bên ngoài (gửi qua liên "
            "thông hoặc thủ công)", EDXML_LIST)
@login_required
def edxml_list(document_id: int) -> ResponseReturnValue:
    """The edXML files kept for a document and its recipients outside the organisation (the
    one list of ``eoffice.exchange``, with how each is reached)."""
    document = service.get_visible(current_user, document_id)
    require_whole(current_user, document)
    return jsonify(
        records=[{"id": r.id, "kind": r.kind, "status_code": r.status_code or None,
                  "size": r.size, "revoked": r.revoked, "created_at": iso(r.created_at),
                  "external_recipient_id": r.external_recipient_id}
                 for r in exchange.records_of(document)],
        external_recipients=[{"id": r.id, "organ_id": r.organ_id, "name": r.organ_name,
                              "channel": r.channel, "status_code": r.status_code or None,
                              "status_label": exchange.status_label(r.status_code),
                              "status_at": iso(r.status_at),
                              "exported_at": iso(r.exported_at)}
                             for r in recipients_of(document)])


@bp.get("/documents/<int:document_id>/edxml/<int:record_id>")
@documented("Tải một tệp edXML đã lưu (gói nhận được, thông điệp trạng thái)",
            binary(XML))
@login_required
def edxml_record(document_id: int, record_id: int) -> ResponseReturnValue:
    document = service.get_visible(current_user, document_id)
    require_whole(current_user, document)
    data, name = exchange.record_bytes(document, record_id)
    return send_generated(data, name, XML)


@bp.post("/documents/<int:document_id>/edxml/export/<int:recipient_id>")  # an act: POST
@documented("Xuất gói edXML đã ký của văn bản đã phát hành cho một nơi nhận chưa kết nối liên "
            "thông (gửi thủ công; văn bản mật bị từ chối)", binary(XML),
            errors=(401, 403, 404, 409))
@login_required
def edxml_export(document_id: int, recipient_id: int) -> ResponseReturnValue:
    document = service.get_visible(current_user, document_id)
    require_whole(current_user, document)
    export = manual.export_package(current_user, document, recipient_id)
    db.session.commit()
    return send_generated(export.data, export.filename, XML)


@bp.post("/documents/edxml/status")
@documented("Tiếp nhận tệp thông điệp trạng thái edXML về một văn bản đi đã gửi thủ công "
            "(cập nhật tình trạng xử lý của nơi nhận đó)", STATUS_ANSWER,
            body=StatusUpload, multipart=True, errors=(401, 403))
@login_required
def receive_status() -> ResponseReturnValue:
    upload = request.files.get("status")
    data = upload.stream.read(manual.MAX_STATUS_BYTES + 1) if upload else request.get_data()
    document, recipient = manual.receive_status(current_user, data)
    db.session.commit()
    manual.after_status(document)
    return jsonify(document_id=document.id, external_recipient_id=recipient.id,
                   status_code=recipient.status_code)



@bp.post("/documents/outgoing")
@documented("Tạo dự thảo văn bản đi: từ tệp (file) hoặc soạn theo mẫu Nghị định 30 (body)",
            ref("Document"), status=201, body=creation.NewOutgoing, multipart=True,
            errors=(401, 403))
@login_required
def create_outgoing() -> ResponseReturnValue:
    return _created(creation.new_outgoing(current_user, parse_model(creation.NewOutgoing)))


@bp.post("/documents/incoming")
@documented("Vào sổ văn bản đến với đủ siêu dữ liệu Phụ lục VI và tệp PDF; trùng số, ký hiệu "
            "và cơ quan ban hành thì trả 409 kèm danh sách (gửi lại với confirm_duplicate)",
            ref("Document"), status=201, body=creation.NewIncoming, multipart=True,
            errors=(401, 403, 409))
@login_required
def register_incoming() -> ResponseReturnValue:
    data = parse_model(creation.NewIncoming)
    duplicates = creation.duplicates_of(current_user, data)
    if duplicates:
        return jsonify(error=409, message="Trùng số, ký hiệu và cơ quan ban hành.",
                       duplicates=[d.id for d in duplicates]), 409
    return _created(creation.new_incoming(current_user, data))


class NewCaseFile(ActionInput):
    code: str = Field(title="Mã hồ sơ", max_length=50)
    title: str = Field(title="Tiêu đề hồ sơ", max_length=500)
    year: int | None = Field(None, title="Năm (mặc định: năm nay)")


@bp.get("/case-files")
@documented("Hồ sơ của cơ quan, năm gần nhất trước", list_of("CaseFile"))
@login_required
def list_case_files() -> ResponseReturnValue:
    return jsonify(items=[case_file_json(c) for c in case_files_of(current_user)])


@bp.post("/case-files")
@documented("Tạo hồ sơ (mã, tiêu đề, năm)", ref("CaseFile"), status=201, body=NewCaseFile,
            errors=(401,))
@login_required
def create_case_file() -> ResponseReturnValue:
    data = parse_model(NewCaseFile)
    row = service.create_case_file(current_user, data.code, data.title, data.year)
    db.session.commit()
    return jsonify(case_file_json(row)), 201


@bp.post("/documents/batch-sign")
@documented("Ký số hàng loạt với một lần nhập PIN: PIN được kiểm tra ngay, việc ký chạy nền "
            "(202) và tiến độ đẩy qua /notify (batch_progress, batch_done); theo dõi ở "
            "/api/v1/jobs/{id}", ref("Job"), status=202, body=BatchSign, errors=(401, 423))
@login_required
def batch_sign() -> ResponseReturnValue:
    data = parse_model(BatchSign)
    if not data.document_ids:
        raise InvalidInput("Hãy chọn ít nhất một văn bản.")
    job = batch_signing.start(current_user, data.document_ids, data.pin)
    return jsonify(job_json(job)), 202


# Every act on a document: ``POST /api/v1/documents/<id>/actions/<name>`` (and the older
# paths kept as aliases), from the declarations in ``eoffice.documents.actions``.
add_api_routes(bp, "documents")
