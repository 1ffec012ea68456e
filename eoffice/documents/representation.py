"""A document as the API shows it (the one JSON shape of every answer about a document)."""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from eoffice.documents.common import attachments_of
from eoffice.documents.models import Document
from eoffice.documents.queries import assignments_of, comments_of, is_overdue
from eoffice.documents.recipient_view import view_of
from eoffice.documents.workflow import STATE_LABELS, available


def iso(value: Any) -> str | None:
    """A date or time as ISO 8601 text (None stays None)."""
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
        "issued_date": iso(document.issued_date),
        "arrival_number": document.arrival_number,
        "arrival_date": iso(document.arrival_date),
        "urgency": document.urgency,
        "urgency_label": document.urgency_label,
        "secrecy": document.secrecy,
        "secrecy_label": document.secrecy_label,
        "due_date": iso(document.due_date),
        "overdue": is_overdue(document),
        "created_at": iso(document.created_at),
    }
    if full:
        # What of it the caller may see (``recipient_view``): a recipient of an issued
        # document gets its official copy and public metadata, none of its making.
        view = view_of(current_user, document, attachments_of(document))
        data["view"] = "whole" if view.whole else "recipient"
        data["signer"] = {"authority": document.authority,
                          "position": document.signer_position,
                          "full_name": document.signer_full_name}
        data["versions"] = [{
            "number": v.number, "kind": v.kind, "file_id": v.file_id,
            "content_type": v.file.content_type, "created_at": iso(v.created_at),
            "created_by": v.created_by_id, "note": v.note,
        } for v in view.versions]
        data["attachments"] = [{"id": a.id, "file_id": view.attachment_file_id(a),
                                "signed": a.signed_file_id is not None, "revoked": a.revoked}
                               for a in view.attachments]
        whole = view.whole  # the people, the comments and the handling: not for recipients
        data["participants"] = [{"user_id": p.user_id, "role": p.role}
                                for p in document.participants] if whole else []
        data["comments"] = [{"author_id": c.author_id, "kind": c.kind, "body": c.body,
                             "created_at": iso(c.created_at)}
                            for c in comments_of(document)] if whole else []
        data["assignments"] = [{"id": a.id, "role": a.role, "unit_id": a.unit_id,
                                "user_id": a.user_id, "deadline": iso(a.deadline),
                                "completed_at": iso(a.completed_at)}
                               for a in assignments_of(document)] if whole else []
        data["actions"] = [t.action for t in available(current_user, document)]
    return data


def case_file_json(case_file: Any) -> dict[str, Any]:
    return {"id": case_file.id, "code": case_file.code, "title": case_file.title,
            "year": case_file.year, "created_at": iso(case_file.created_at)}


def inbox_item_json(item: Any) -> dict[str, Any]:
    """One row of the internal inbox (``queries.InboxItem``)."""
    return {"document": document_json(item.document), "delivered_at": iso(item.delivered_at),
            "unread": item.unread}


def delivery_json(delivery: Any) -> dict[str, Any]:
    return {"user_id": delivery.user_id, "unit_id": delivery.unit_id,
            "delivered_at": iso(delivery.delivered_at),
            "first_opened_at": iso(delivery.first_opened_at),
            "first_opened_by": delivery.first_opened_by_id}


_TEXT = {"type": "string"}
_TEXT_OR_NULL = {"type": ["string", "null"]}
_INT = {"type": "integer"}
_INT_OR_NULL = {"type": ["integer", "null"]}
_WHEN = {"type": ["string", "null"], "format": "date-time"}

#: JSON Schemas of the answers above, for the OpenAPI document (kept beside what they describe).
SCHEMAS: dict[str, Any] = {
    "Document": {
        "type": "object",
        "required": ["id", "direction", "state", "subject"],
        "properties": {
            "id": _INT, "direction": {"enum": ["incoming", "outgoing"]}, "state": _TEXT,
            "state_label": _TEXT, "subject": _TEXT, "type_code": _TEXT, "type_name": _TEXT,
            "number": _TEXT_OR_NULL, "code_number": _INT_OR_NULL, "code_notation": _TEXT,
            "organ_id": _TEXT, "organ_name": _TEXT,
            "issued_date": {"type": ["string", "null"], "format": "date"},
            "arrival_number": _INT_OR_NULL, "arrival_date": _WHEN, "urgency": _INT,
            "urgency_label": _TEXT, "secrecy": _INT, "secrecy_label": _TEXT, "due_date": _WHEN,
            "overdue": {"type": "boolean"}, "created_at": _WHEN,
            "view": {"enum": ["whole", "recipient"], "description": (
                "whole: toàn bộ hồ sơ văn bản; recipient: người nhận văn bản đã phát hành chỉ "
                "thấy bản chính thức (bản đã ký số cơ quan) và thông tin công khai")},
            "signer": {"type": "object", "properties": {
                "authority": _TEXT, "position": _TEXT, "full_name": _TEXT}},
            "attachments": {"type": "array", "items": {"type": "object", "properties": {
                "id": _INT, "file_id": _INT, "signed": {"type": "boolean"},
                "revoked": {"type": "boolean"}}}},
            "versions": {"type": "array", "items": {"type": "object", "properties": {
                "number": _INT, "kind": _TEXT, "file_id": _INT, "content_type": _TEXT,
                "created_at": _WHEN, "created_by": _INT, "note": _TEXT}}},
            "participants": {"type": "array", "items": {"type": "object", "properties": {
                "user_id": _INT, "role": _TEXT}}},
            "comments": {"type": "array", "items": {"type": "object", "properties": {
                "author_id": _INT, "kind": _TEXT, "body": _TEXT, "created_at": _WHEN}}},
            "assignments": {"type": "array", "items": {"type": "object", "properties": {
                "id": _INT, "role": {"enum": ["lead", "support"]}, "unit_id": _INT_OR_NULL,
                "user_id": _INT_OR_NULL, "deadline": _WHEN, "completed_at": _WHEN}}},
            "actions": {"type": "array", "items": _TEXT,
                        "description": "Các bước người gọi được làm lúc này"},
            "warnings": {"type": "array", "items": _TEXT},
            "message": {"type": "string", "description": "Thông báo kết quả (sau một thao tác)"},
        },
    },
    "CaseFile": {"type": "object", "required": ["id", "code", "title", "year"], "properties": {
        "id": _INT, "code": _TEXT, "title": _TEXT, "year": _INT, "created_at": _WHEN}},
    "InboxItem": {"type": "object", "required": ["document", "delivered_at", "unread"],
                  "properties": {
                      "document": {"$ref": "#/components/schemas/Document"},
                      "delivered_at": _WHEN,
                      "unread": {"type": "boolean",
                                 "description": "Chưa mở (nơi nhận của người dùng chưa mở)"}}},
    "Delivery": {"type": "object", "properties": {
        "user_id": _INT_OR_NULL, "unit_id": _INT_OR_NULL, "delivered_at": _WHEN,
        "first_opened_at": _WHEN, "first_opened_by": _INT_OR_NULL}},
}
