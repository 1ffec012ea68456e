"""A task as the API shows it (the one JSON shape of every answer about a task)."""

from __future__ import annotations

from typing import Any

from eoffice.tasks.models import Task
from eoffice.tasks.service import STATE_LABELS

#: OpenAPI schema "Task": what ``task_json`` answers.
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
        "reason": {"type": "string"}, "status": {"type": "string"}}}},
    "message": {"type": "string", "description": "Thông báo kết quả (sau một thao tác)"}}}


def task_json(task: Task) -> dict[str, Any]:
    return {
        "id": task.id,
        "title": task.title,
        "description": task.description,
        "state": task.state,
        "state_label": STATE_LABELS[task.state],
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
