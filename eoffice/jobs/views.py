"""The jobs a person started, with their state (page and API)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, jsonify, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy import select

from eoffice.api.openapi import documented, list_of, ref
from eoffice.extensions import db
from eoffice.jobs.models import Job
from eoffice.timestamps import format_local

bp = Blueprint("jobs", __name__, url_prefix="/jobs")
api = Blueprint("jobs_api", __name__, url_prefix="/api/v1/jobs")

KIND_LABELS = {
    "mail": "Gửi thư điện tử", "convert_draft": "Chuyển dự thảo sang PDF",
    "sign_batch": "Ký số hàng loạt", "register_export": "Xuất sổ văn bản",
    "documents_overdue": "Rà soát văn bản quá hạn", "tasks_remind": "Nhắc hạn công việc",
    "meetings_remind": "Nhắc lịch họp",
    "validate_signatures": "Kiểm tra chữ ký số văn bản ban hành",
    "minutes_pdf": "Lập biên bản cuộc họp",
    "exchange.axis.poll": "Nhận văn bản liên thông",
}

JOB_SCHEMA: dict[str, Any] = {"type": "object", "properties": {
    "id": {"type": "integer"}, "kind": {"type": "string"}, "kind_label": {"type": "string"},
    "state": {"enum": ["queued", "running", "done", "failed"]},
    "state_label": {"type": "string"}, "message": {"type": "string"},
    "attempts": {"type": "integer"}, "result": {"type": "object"},
    "created_at": {"type": "string"}, "finished_at": {"type": ["string", "null"]}}}


def job_json(job: Job) -> dict[str, Any]:
    return {"id": job.id, "kind": job.kind, "kind_label": KIND_LABELS.get(job.kind, job.kind),
            "state": job.state, "state_label": job.state_label, "message": job.message,
            "attempts": job.attempts, "result": job.result,
            "created_at": job.created_at.isoformat(),
            "finished_at": job.finished_at.isoformat() if job.finished_at else None}


def _mine(limit: int = 100) -> list[Job]:
    return list(db.session.execute(
        select(Job).where(Job.requested_by_id == current_user.id)
        .order_by(Job.id.desc()).limit(limit)).scalars())


@bp.get("/")
@login_required
def index() -> ResponseReturnValue:
    return render_template("jobs/index.html", jobs=_mine(), kinds=KIND_LABELS,
                           local=format_local)


@api.get("")
@documented("Các việc nền tôi đã yêu cầu, mới nhất trước", list_of("Job"))
@login_required
def list_jobs() -> ResponseReturnValue:
    return jsonify(items=[job_json(j) for j in _mine()])


@api.get("/<int:job_id>")
@documented("Trạng thái một việc nền tôi đã yêu cầu", ref("Job"))
@login_required
def get_job(job_id: int) -> ResponseReturnValue:
    job = db.session.get(Job, job_id)
    if job is None or job.requested_by_id != current_user.id:
        abort(404)
    return jsonify(job_json(job))
