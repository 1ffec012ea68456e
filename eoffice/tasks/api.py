"""/api/v1/tasks: the same task rules as the pages, as JSON (POSTs carry X-CSRFToken)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, abort, jsonify, request
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from eoffice.api.openapi import documented, ref
from eoffice.extensions import db
from eoffice.tasks import service
from eoffice.tasks.models import Task, TaskExtension

api = Blueprint("tasks_api", __name__, url_prefix="/api/v1/tasks")


TASK_SCHEMA: dict[str, Any] = {"type": "object", "required": ["id", "title", "state"],
                               "properties": {
    "id": {"type": "integer"}, "title": {"type": "string"}, "description": {"type": "string"},
    "state": {"type": "string"}, "state_label": {"type": "string"},
    "priority": {"type": "string"}, "percent": {"type": "integer"},
    "deadline": {"type": "string", "format": "date-time"}, "assigner_id": {"type": "integer"},
    "assignees": {"type": "array", "items": {"type": "object", "properties": {
        "user_id": {"type": ["integer", "null"]}, "unit_id": {"type": ["integer", "null"]},
        "accepted_at": {"type": ["string", "null"]}}}},
    "source": {"type": ["object", "null"]}, "result": {"type": ["string", "null"]},
    "rating": {"type": ["integer", "null"]},
    "extensions": {"type": "array", "items": {"type": "object", "properties": {
        "id": {"type": "integer"}, "new_deadline": {"type": "string"},
        "reason": {"type": "string"}, "status": {"type": "string"}}}}}}


def task_json(task: Task) -> dict[str, Any]:
    return {
        "id": task.id,
        "title": task.title,
        "description": task.description,
        "state": task.state,
        "state_label": service.STATE_LABELS[task.state],
        "priority": task.priority,
        "percent": task.percent,
        "deadline": task.deadline.isoformat(),
        "assigner_id": task.assigner_id,
        "assignees": [{"user_id": a.user_id, "unit_id": a.unit_id,
                       "accepted_at": a.accepted_at.isoformat() if a.accepted_at else None}
                      for a in task.assignees],
        "source": {"kind": task.source_kind, "id": task.source_id} if task.source_kind else None,
        "result": task.result,
        "rating": task.rating,
        "extensions": [{"id": e.id, "new_deadline": e.new_deadline.isoformat(),
                        "reason": e.reason, "status": e.status} for e in task.extensions],
    }


def _task_or_404(task_id: int) -> Task:
    task = db.session.get(Task, task_id)
    if task is None or not service.can_view(current_user, task):
        abort(404)
    return task


def _when(value: Any) -> datetime:
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise service.TaskError("Thời hạn không hợp lệ (ISO 8601 có múi giờ).") from None
    if parsed.tzinfo is None:
        raise service.TaskError("Thời hạn không hợp lệ (ISO 8601 có múi giờ).")
    return parsed


def _refused(error: service.TaskError) -> ResponseReturnValue:
    db.session.rollback()
    return {"error": "task_refused", "message": str(error)}, 409


@api.get("")
@documented("Việc được giao cho tôi và việc tôi giao", {"type": "object", "properties": {
    "assigned_to_me": {"type": "array", "items": ref("Task")},
    "assigned_by_me": {"type": "array", "items": ref("Task")}}})
@login_required
def list_tasks() -> ResponseReturnValue:
    return jsonify(
        assigned_to_me=[task_json(t) for t in service.tasks_for(current_user)],
        assigned_by_me=[task_json(t) for t in service.tasks_for(current_user, role="assigner")],
    )


@api.post("")
@documented("Giao việc (title, description, assignee_ids, unit_ids, deadline, priority)",
            ref("Task"), status=201, body={"type": "object"}, errors=(401, 409))
@login_required
def create_task() -> ResponseReturnValue:
    body = request.get_json(silent=True) or {}
    try:
        task = service.assign_task(
            current_user, title=str(body.get("title", "")),
            description=str(body.get("description", "")),
            assignee_ids=[int(i) for i in body.get("assignee_ids", [])],
            unit_ids=[int(i) for i in body.get("unit_ids", [])],
            deadline=_when(body.get("deadline")), priority=str(body.get("priority", "normal")),
        )
    except (TypeError, ValueError) as error:
        if isinstance(error, service.TaskError):
            return _refused(error)
        return {"error": "bad_request", "message": "Dữ liệu không hợp lệ."}, 400
    db.session.commit()
    return task_json(task), 201


@api.get("/<int:task_id>")
@documented("Chi tiết một việc", ref("Task"))
@login_required
def get_task(task_id: int) -> ResponseReturnValue:
    return jsonify(task_json(_task_or_404(task_id)))


@api.post("/<int:task_id>/<action>")
@documented("Thao tác trên việc (accept, progress, extension, grant, refuse, complete, "
            "approve, return, rate)", ref("Task"), body={"type": "object"},
            errors=(401, 404, 409))
@login_required
def act(task_id: int, action: str) -> ResponseReturnValue:
    task = _task_or_404(task_id)
    body = request.get_json(silent=True) or {}
    try:
        if action == "accept":
            service.accept_task(current_user, task)
        elif action == "progress":
            service.report_progress(current_user, task, percent=int(body.get("percent", -1)),
                                    note=str(body.get("note", "")))
        elif action == "extension":
            service.request_extension(current_user, task,
                                      new_deadline=_when(body.get("new_deadline")),
                                      reason=str(body.get("reason", "")))
        elif action in ("grant", "refuse"):
            extension = db.session.get(TaskExtension, int(body.get("extension_id", 0)))
            if extension is None or extension.task_id != task.id:
                abort(404)
            service.decide_extension(current_user, extension, grant=action == "grant")
        elif action == "complete":
            service.complete_task(current_user, task, result=str(body.get("result", "")))
        elif action == "approve":
            rating = body.get("rating")
            service.approve_task(current_user, task, note=str(body.get("note", "")),
                                 rating=int(rating) if rating is not None else None)
        elif action == "return":
            service.return_task(current_user, task, note=str(body.get("note", "")))
        elif action == "rate":
            service.rate_task(current_user, task, rating=int(body.get("rating", 0)))
        else:
            abort(404)
    except service.TaskError as error:
        return _refused(error)
    except (TypeError, ValueError):
        db.session.rollback()
        return {"error": "bad_request", "message": "Dữ liệu không hợp lệ."}, 400
    db.session.commit()
    return jsonify(task_json(task))
