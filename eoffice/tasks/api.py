"""/api/v1/tasks: the same task rules as the pages, as JSON (POSTs carry X-CSRFToken or a
Bearer token).

Every act on a task is ``POST /api/v1/tasks/<id>/actions/<name>``, derived from its
declaration (``eoffice.tasks.actions``); refusals are answered by the app's one handler
(``{"error": status, "message": ...}``).
"""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from eoffice.actions.parsing import parse_model
from eoffice.actions.routes import add_api_routes
from eoffice.api.openapi import documented, ref
from eoffice.extensions import db
from eoffice.tasks import service
from eoffice.tasks.actions import NewTask, deadline_from
from eoffice.tasks.representation import task_json

api = Blueprint("tasks_api", __name__, url_prefix="/api/v1")


@api.get("/tasks")
@documented("Việc được giao cho tôi và việc tôi giao", {"type": "object", "properties": {
    "assigned_to_me": {"type": "array", "items": ref("Task")},
    "assigned_by_me": {"type": "array", "items": ref("Task")}}})
@login_required
def list_tasks() -> ResponseReturnValue:
    return jsonify(
        assigned_to_me=[task_json(t) for t in service.tasks_for(current_user)],
        assigned_by_me=[task_json(t) for t in service.tasks_for(current_user, role="assigner")],
    )


@api.post("/tasks")
@documented("Giao việc (cho người và/hoặc đơn vị; thời hạn hoặc số ngày làm việc)",
            ref("Task"), status=201, body=NewTask, errors=(401, 403))
@login_required
def create_task() -> ResponseReturnValue:
    data = parse_model(NewTask)
    task = service.assign_task(
        current_user, title=data.title, description=data.description,
        assignee_ids=data.assignee_ids, unit_ids=data.unit_ids,
        deadline=deadline_from(data.deadline, data.working_days),
        priority=data.priority,
    )
    db.session.commit()
    return jsonify(task_json(task)), 201


@api.get("/tasks/<int:task_id>")
@documented("Chi tiết một việc", ref("Task"))
@login_required
def get_task(task_id: int) -> ResponseReturnValue:
    return jsonify(task_json(service.get_visible(current_user, task_id)))


# Every act on a task: its JSON route comes from its declaration.
add_api_routes(api, "tasks")
