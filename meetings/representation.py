"""A meeting as the API shows it (the one JSON shape of every answer about a meeting).

What a person reads here is what the meeting page shows them: the meeting, its invitees and
their answers, its agenda and papers, where a paper they may not open keeps its title but not
its file (``viewable`` is false, ``file_id`` null), and their own part in it.
``MEETING_SCHEMA`` describes it for the OpenAPI document (``meetings.init_app`` registers it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from eoffice.accounts.models import User
from meetings.access import can_manage, can_view_document, live_role, participant_row
from meetings.models import RESPONSE_LABELS, Meeting, ParticipantRole, Response


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def meeting_json(meeting: Meeting, user: User, *, full: bool = True) -> dict[str, Any]:
    """``meeting`` as ``user`` sees it; ``full`` adds the invitees and the agenda."""
    mine = participant_row(user, meeting)
    data: dict[str, Any] = {
        "id": meeting.id,
        "title": meeting.title,
        "description": meeting.description,
        "status": meeting.status,
        "status_label": meeting.status_label,
        "starts_at": iso(meeting.starts_at),
        "ends_at": iso(meeting.ends_at),
        "location": meeting.location,
        "online_url": meeting.online_url,
        "quorum_percent": meeting.quorum_percent,
        "chair_id": meeting.chair_id,
        "secretary_id": meeting.secretary_id,
        "created_by_id": meeting.created_by_id,
        "created_at": iso(meeting.created_at),
        "invitation_file_id": meeting.invitation_file_id,
        "minutes_status": meeting.minutes_status,
        "minutes_file_id": meeting.minutes_file_id,
        "can_manage": can_manage(user, meeting),
        "my_role": live_role(user, meeting),
        "my_response": mine.response if mine is not None else None,
    }
    if full:
        data["participants"] = [{
            "user_id": p.user_id, "name": p.user.full_name, "role": p.role,
            "role_label": ParticipantRole(p.role).label, "response": p.response,
            "response_label": RESPONSE_LABELS[Response(p.response)],
            "response_reason": p.response_reason, "delegated_from_id": p.delegated_from_id,
            "attendance": p.attendance,
        } for p in meeting.participants]
        data["items"] = [{
            "id": item.id, "position": item.position, "title": item.title,
            "duration_minutes": item.duration_minutes, "presenter_id": item.presenter_id,
            "restricted": item.restricted, "conclusion": item.conclusion,
            "documents": [_document(d, user) for d in item.documents],
        } for item in meeting.items]
    return data


def _document(document: Any, user: User) -> dict[str, Any]:
    viewable = can_view_document(user, document)
    return {"id": document.id, "title": document.title, "viewable": viewable,
            "file_id": document.file_id if viewable else None}


_TEXT = {"type": "string"}
_INT = {"type": "integer"}
_INT_OR_NULL = {"type": ["integer", "null"]}
_WHEN = {"type": "string", "format": "date-time"}
_WHEN_OR_NULL = {"type": ["string", "null"], "format": "date-time"}

#: JSON Schema of ``meeting_json``'s answer, for the OpenAPI document.
MEETING_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["id", "title", "status", "starts_at"],
    "properties": {
        "id": _INT, "title": _TEXT, "description": _TEXT,
        "status": {"enum": ["draft", "invited", "live", "closed", "cancelled"]},
        "status_label": _TEXT, "starts_at": _WHEN, "ends_at": _WHEN_OR_NULL,
        "location": _TEXT, "online_url": _TEXT, "quorum_percent": _INT,
        "chair_id": _INT, "secretary_id": _INT, "created_by_id": _INT, "created_at": _WHEN,
        "invitation_file_id": {**_INT_OR_NULL, "description": "Giấy mời (PDF), đọc qua "
                               "/api/v1/files/{file_id}/content"},
        "minutes_status": {"enum": ["none", "generated", "secretary_signed", "signed"]},
        "minutes_file_id": _INT_OR_NULL,
        "can_manage": {"type": "boolean",
                       "description": "Người gọi chuẩn bị cuộc họp (người tạo, chủ trì, thư ký)"},
        "my_role": {"type": ["string", "null"],
                    "description": "Vai trò của người gọi trong phiên họp (null: không dự)"},
        "my_response": {"type": ["string", "null"],
                        "description": "Phản hồi giấy mời của người gọi (null: không được mời)"},
        "participants": {"type": "array", "items": {"type": "object", "properties": {
            "user_id": _INT, "name": _TEXT,
            "role": {"enum": ["chair", "secretary", "member", "guest"]}, "role_label": _TEXT,
            "response": {"enum": ["pending", "accepted", "declined", "delegated"]},
            "response_label": _TEXT, "response_reason": _TEXT,
            "delegated_from_id": _INT_OR_NULL,
            "attendance": {"enum": ["absent", "present", "excused"]}}}},
        "items": {"type": "array", "items": {"type": "object", "properties": {
            "id": _INT, "position": _INT, "title": _TEXT, "duration_minutes": _INT,
            "presenter_id": _INT_OR_NULL, "restricted": {"type": "boolean"},
            "conclusion": _TEXT,
            "documents": {"type": "array", "items": {"type": "object", "properties": {
                "id": _INT, "title": _TEXT, "viewable": {"type": "boolean"},
                "file_id": {**_INT_OR_NULL, "description": "null khi người gọi không được xem"},
            }}}}}},
        "message": {"type": "string", "description": "Thông báo kết quả (sau một thao tác)"},
    },
}
