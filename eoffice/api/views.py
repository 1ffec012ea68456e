"""/api/v1: health, who am I, files, and the API's own description (OpenAPI, Swagger UI).
Same permission checks as the pages."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy import text

from eoffice.api.openapi import binary, build_openapi, documented, ref
from eoffice.extension_points import registered
from eoffice.extensions import db
from eoffice.files.models import StoredFile
from eoffice.files.service import UploadError, object_store, save_upload
from eoffice.files.views import send_verified, viewable_file_or_404
from storage import StorageError

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def file_json(stored: StoredFile) -> dict[str, Any]:
    return {
        "id": stored.id,
        "name": stored.original_name,
        "size": stored.size,
        "content_type": stored.content_type,
        "sha256": stored.sha256,
        "uploaded_at": stored.uploaded_at.isoformat(),
        "uploaded_by": stored.uploaded_by_id,
    }


FILE_SCHEMA: dict[str, Any] = {"type": "object", "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"}, "size": {"type": "integer"},
    "content_type": {"type": "string"}, "sha256": {"type": "string"},
    "uploaded_at": {"type": "string", "format": "date-time"},
    "uploaded_by": {"type": "integer"}}}
ME_SCHEMA: dict[str, Any] = {"type": "object", "properties": {
    "id": {"type": "integer"}, "username": {"type": "string"}, "full_name": {"type": "string"},
    "title": {"type": ["string", "null"]},
    "organisation": {"type": "object", "properties": {"organ_id": {"type": "string"},
                                                      "name": {"type": "string"}}},
    "roles": {"type": "array", "items": {"type": "string"}},
    "units": {"type": "array", "items": {"type": "object", "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"}}}}}}


HEALTH_SCHEMA: dict[str, Any] = {"type": "object", "properties": {
    "status": {"enum": ["ok", "degraded"]},
    "checks": {"type": "object", "properties": {
        part: {"type": "string"} for part in ("database", "storage", "jobs")}}}}


@bp.get("/health")
@documented("Hệ thống trả lời: cơ sở dữ liệu, kho lưu trữ tệp, hàng đợi việc nền (503 khi một "
            "phần không trả lời)", HEALTH_SCHEMA, public=True, errors=())
def health() -> ResponseReturnValue:
    """What a load balancer and an operator poll. The database answers a query; the object
    store says whether an object exists (one cheap call: a HEAD on S3); the job broker counts
    what waits. A failing part answers 503 naming it, so a proxy stops sending traffic here."""
    checks: dict[str, str] = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as error:  # the check reports; it must not crash
        db.session.rollback()
        checks["database"] = f"lỗi: {type(error).__name__}"
    try:
        object_store().exists("0" * 64)
        checks["storage"] = "ok"
    except StorageError as error:
        checks["storage"] = f"lỗi: {type(error).__name__}"
    try:
        current_app.extensions["eoffice.huey"].pending_count()
        checks["jobs"] = "ok"
    except Exception as error:
        checks["jobs"] = f"lỗi: {type(error).__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return {"status": "ok" if healthy else "degraded", "checks": checks}, 200 if healthy else 503


@bp.get("/me")
@documented("Người dùng đang gọi API", ME_SCHEMA, errors=())
@login_required
def me() -> ResponseReturnValue:
    user = current_user
    return {
        "id": user.id,
        "username": user.username,
        "full_name": user.full_name,
        "title": user.title,
        "organisation": {"organ_id": user.organisation.organ_id, "name": user.organisation.name},
        "roles": sorted(role.value for role in user.roles),
        "units": [{"id": u.id, "name": u.name} for u in user.units],
    }


@bp.post("/files")
@documented("Tải lên một tệp (kiểm tra theo nội dung); trả về thông tin tệp", ref("File"),
            status=201, body={"type": "object", "required": ["file"], "properties": {
                "file": {"type": "string", "format": "binary"}}}, multipart=True, errors=())
@login_required
def upload_file() -> ResponseReturnValue:
    upload = request.files.get("file")
    if upload is None:
        return {"error": "missing_file", "message": "Thiếu tệp (trường 'file')."}, 400
    try:
        stored = save_upload(current_user, upload.stream, upload.filename)
    except UploadError as error:
        db.session.rollback()
        return {"error": "upload_rejected", "message": str(error)}, 400
    db.session.commit()
    return file_json(stored), 201


@bp.get("/files/<int:file_id>")
@documented("Thông tin một tệp người dùng được xem", ref("File"))
@login_required
def file_metadata(file_id: int) -> ResponseReturnValue:
    return jsonify(file_json(viewable_file_or_404(file_id)))


@bp.get("/files/<int:file_id>/content")
@documented("Nội dung tệp (đã kiểm tra mã băm)", binary("application/octet-stream"))
@login_required
def file_content(file_id: int) -> ResponseReturnValue:
    return send_verified(viewable_file_or_404(file_id))


@bp.get("/openapi.json")
@documented("Tài liệu OpenAPI này", {"type": "object"}, public=True, errors=())
def openapi() -> ResponseReturnValue:
    schemas: dict[str, Any] = {"File": FILE_SCHEMA}
    for module_schemas in registered("api_schemas"):
        schemas.update(module_schemas)
    return jsonify(build_openapi(current_app, schemas))


@bp.get("/docs")
@documented("Trang Swagger UI đọc tài liệu OpenAPI", {"media": "text/html", "schema": {
    "type": "string"}}, public=True, errors=())
def docs() -> ResponseReturnValue:
    return render_template("api/docs.html")


@bp.route("/<path:_unknown>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def not_found(_unknown: str) -> ResponseReturnValue:
    abort(404)
