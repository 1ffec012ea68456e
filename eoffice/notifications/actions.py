"""Reading notifications, declared once (``eoffice.actions``): the list page's buttons and
``POST /api/v1/notifications/<id>/actions/<name>`` come from here."""

from __future__ import annotations

from typing import Any

from flask import url_for

from eoffice.actions import Action, Kind, declare
from eoffice.actions.declaration import NoInput
from eoffice.notifications import service
from eoffice.notifications.models import Notification
from eoffice.timestamps import format_local

NOTIFICATION_SCHEMA: dict[str, Any] = {"type": "object", "properties": {
    "id": {"type": "integer"}, "title": {"type": "string"}, "url": {"type": "string"},
    "created_at": {"type": "string", "format": "date-time"},
    "created_at_local": {"type": "string"},
    "read": {"type": "boolean"}, "unread": {"type": "integer"},
    "marked": {"type": "integer"}}}


def notification_json(note: Notification) -> dict[str, Any]:
    return {"id": note.id, "title": note.title, "url": note.url,
            "created_at": note.created_at.isoformat(),
            "created_at_local": format_local(note.created_at),
            "read": note.read_at is not None}


def _as_json(result: Any) -> dict[str, Any]:
    if isinstance(result, service.Marked):
        return {"marked": result.count, "unread": 0}
    return {**notification_json(result), "unread": service.unread_count(result.user_id)}


def _page_url(result: Any) -> str:
    """Reading one opens what it is about; marking all stays on the list."""
    if isinstance(result, Notification) and result.url:
        return result.url
    return url_for("notifications.index")


NOTIFICATIONS = Kind(
    name="notifications",
    load=service.get_own,
    page_url=_page_url,
    as_json=_as_json,
    id_param="notification_id",
    schema_name="Notification",
)

ACTIONS = (
    Action(NOTIFICATIONS, "read", "Đánh dấu một thông báo đã đọc (trang: mở nội dung của nó)",
           NoInput, lambda actor, note, data: service.mark_read(actor, note),
           "Đã đánh dấu đã đọc.", "/<int:notification_id>/read", "read"),
    Action(NOTIFICATIONS, "read_up_to",
           "Đánh dấu đã đọc thông báo này và mọi thông báo cũ hơn (\u201cđọc tất cả\u201d)",
           NoInput, lambda actor, note, data: service.mark_read_up_to(actor, note),
           lambda marked: f"Đã đánh dấu {marked.count} thông báo là đã đọc.",
           "/<int:notification_id>/read-up-to", "read_up_to"),
)
declare(*ACTIONS)
