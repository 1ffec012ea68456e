"""The OpenAPI 3.1 document for /api/v1, built from the registered routes.

Built from the URL map rather than written by hand, so a route cannot exist undocumented;
the summaries and request bodies below add what the map cannot know.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

ERROR = {"$ref": "#/components/schemas/Error"}
DOCUMENT = {"$ref": "#/components/schemas/Document"}

SUMMARIES: dict[str, str] = {
    "documents_api.list_documents": "Danh sách văn bản người dùng được xem (direction, state)",
    "documents_api.search": "Tìm kiếm toàn văn không dấu (q, direction, page)",
    "documents_api.my_work": "Văn bản đang chờ người dùng xử lý, khẩn và gần hạn trước",
    "documents_api.get_document": "Chi tiết văn bản (ghi nhận lần mở đầu tiên của người nhận)",
    "documents_api.deliveries": "Nơi nhận: thời điểm chuyển và lần mở đầu tiên",
    "documents_api.version_content": "Tải tệp của một phiên bản",
    "documents_api.create_outgoing": "Tạo dự thảo văn bản đi (multipart: file + trường)",
    "documents_api.register_incoming": "Vào sổ văn bản đến (multipart: file PDF + siêu dữ liệu)",
    "documents_api.act": "Chuyển trạng thái theo bảng (approve_content, return, ...)",
    "documents_api.comment": "Ghi ý kiến",
    "documents_api.sign": "Lãnh đạo ký số (mã PIN)",
    "documents_api.number": "Văn thư cấp số, ngày vào ô dành sẵn",
    "documents_api.org_sign": "Văn thư ký số cơ quan (mã PIN của chứng thư cơ quan)",
    "documents_api.issue": "Phát hành đến nơi nhận nội bộ",
    "documents_api.present": "Trình lãnh đạo",
    "documents_api.direct": "Lãnh đạo chỉ đạo: chủ trì, phối hợp, hạn xử lý",
    "documents_api.progress": "Ghi nhận tiến độ xử lý",
    "documents_api.complete": "Hoàn thành xử lý, liên kết văn bản trả lời",
    "documents_api.batch_sign": "Ký số hàng loạt với một lần nhập PIN",
    "documents_api.openapi": "Tài liệu OpenAPI này",
    "documents_api.edxml_list": "Tệp edXML của văn bản và tình trạng xử lý của nơi nhận bên ngoài",
    "documents_api.edxml_record": "Tải một tệp edXML đã lưu (gói nhận được, thông điệp trạng thái)",
    "documents_api.edxml_export": "Xuất gói edXML của văn bản đã phát hành cho một nơi nhận bên "
                                  "ngoài (văn bản mật bị từ chối)",
    "documents_api.add_external_recipient": "Thêm nơi nhận bên ngoài (organ_id 13 ký tự, name)",
    "documents_api.receive_status": "Tiếp nhận thông điệp trạng thái edXML về văn bản đi "
                                    "(multipart: status)",
}

BODIES: dict[str, dict[str, Any]] = {
    "documents_api.act": {"note": {"type": "string"}},
    "documents_api.comment": {"body": {"type": "string"}},
    "documents_api.sign": {"pin": {"type": "string"}},
    "documents_api.org_sign": {"pin": {"type": "string"}},
    "documents_api.present": {"leader_id": {"type": "integer"}, "note": {"type": "string"}},
    "documents_api.direct": {
        "lines": {"type": "array", "items": {"type": "object", "properties": {
            "role": {"enum": ["lead", "support"]}, "unit_id": {"type": "integer"},
            "user_id": {"type": "integer"}, "deadline": {"type": "string", "format": "date"}}}},
        "opinion": {"type": "string"},
    },
    "documents_api.progress": {"body": {"type": "string"}},
    "documents_api.add_external_recipient": {"organ_id": {"type": "string"},
                                             "name": {"type": "string"}},
    "documents_api.complete": {"reply_document_id": {"type": "integer"},
                               "note": {"type": "string"}},
    "documents_api.batch_sign": {"document_ids": {"type": "array",
                                                  "items": {"type": "integer"}},
                                 "pin": {"type": "string"}},
}

MULTIPART = {"documents_api.create_outgoing", "documents_api.register_incoming",
             "documents_api.receive_status"}
_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def _operation(endpoint: str, method: str, params: list[dict[str, Any]]) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": endpoint.split(".", 1)[1] + ("" if method == "get" else "_" + method),
        "summary": SUMMARIES.get(endpoint, endpoint),
        "tags": ["documents"],
        "responses": {
            "200": {"description": "OK", "content": {"application/json": {"schema": DOCUMENT}}},
            "401": {"description": "Cần đăng nhập", "content": {
                "application/json": {"schema": ERROR}}},
            "404": {"description": "Không tồn tại hoặc không được xem", "content": {
                "application/json": {"schema": ERROR}}},
        },
    }
    if params:
        operation["parameters"] = params
    if method == "post":
        operation["responses"].update({
            "400": {"description": "Dữ liệu không hợp lệ", "content": {
                "application/json": {"schema": ERROR}}},
            "403": {"description": "Không có thẩm quyền ở bước này", "content": {
                "application/json": {"schema": ERROR}}},
            "409": {"description": "Không hợp lệ ở trạng thái hiện tại", "content": {
                "application/json": {"schema": ERROR}}},
        })
        operation["parameters"] = [*params, {
            "name": "X-CSRFToken", "in": "header", "required": True,
            "schema": {"type": "string"}}]
        if endpoint in MULTIPART:
            operation["requestBody"] = {"content": {"multipart/form-data": {"schema": {
                "type": "object", "properties": {"file": {"type": "string",
                                                          "format": "binary"}}}}}}
        elif endpoint in BODIES:
            operation["requestBody"] = {"content": {"application/json": {"schema": {
                "type": "object", "properties": BODIES[endpoint]}}}}
    if endpoint in ("documents_api.sign", "documents_api.org_sign", "documents_api.batch_sign"):
        operation["responses"]["423"] = {"description": "Ký số tạm khóa do sai PIN nhiều lần"}
    return operation


def build_openapi(app: Flask) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("documents_api."):
            continue
        path = _PARAM.sub(lambda m: "{" + m.group(2) + "}", rule.rule)
        params = [{"name": name, "in": "path", "required": True,
                   "schema": {"type": "integer" if conv == "int" else "string"}}
                  for conv, name in _PARAM.findall(rule.rule)]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(
                rule.endpoint, method.lower(), params)
    return {
        "openapi": "3.1.0",
        "info": {"title": "eOffice API", "version": "1",
                 "description": "Văn bản đến, văn bản đi, ký số. Đăng nhập bằng phiên "
                                "(cookie); mọi POST gửi kèm X-CSRFToken."},
        "servers": [{"url": "/"}],
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": {
            "Error": {"type": "object", "properties": {
                "error": {"type": ["integer", "string"]}, "message": {"type": "string"}}},
            "Document": {"type": "object", "properties": {
                "id": {"type": "integer"}, "direction": {"enum": ["incoming", "outgoing"]},
                "state": {"type": "string"}, "subject": {"type": "string"},
                "number": {"type": ["string", "null"]}, "urgency": {"type": "integer"},
                "secrecy": {"type": "integer"}, "due_date": {"type": ["string", "null"]}}},
        }},
    }
