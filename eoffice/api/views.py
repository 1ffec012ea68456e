"""/api/v1: who am I, files. Same permission checks as the pages."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, jsonify, request
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy import text

from eoffice.extensions import db
from eoffice.files.models import StoredFile
from eoffice.files.service import UploadError, save_upload
from eoffice.files.views import send_verified, viewable_file_or_404

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


@bp.get("/health")
def health() -> ResponseReturnValue:
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}


@bp.get("/me")
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
@login_required
def file_metadata(file_id: int) -> ResponseReturnValue:
    return jsonify(file_json(viewable_file_or_404(file_id)))


@bp.get("/files/<int:file_id>/content")
@login_required
def file_content(file_id: int) -> ResponseReturnValue:
    return send_verified(viewable_file_or_404(file_id))


@bp.route("/<path:_unknown>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def not_found(_unknown: str) -> ResponseReturnValue:
    abort(404)
