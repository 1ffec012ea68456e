"""The OpenAPI 3.1 document of /api/v1, built from the routes themselves.

Every route under /api/v1 is in it, or building it fails: a declared action's operation comes
from its declaration (``eoffice.actions``: summary, the input model as request body, the
kind's schema as answer); every other route says what it answers with ``documented``, right
where it is defined. Schemas are JSON Schema; the input models' come from pydantic.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask
from pydantic import BaseModel

from eoffice.actions.declaration import Action

F = TypeVar("F", bound=Callable[..., Any])

ERROR = {"$ref": "#/components/schemas/Error"}
_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")

#: Common answers, by status.
ERROR_TEXT = {
    400: "Dữ liệu không hợp lệ (thông báo nêu trường sai)",
    401: "Chưa đăng nhập, hoặc mã truy cập API không hợp lệ",
    403: "Không có thẩm quyền thực hiện bước này",
    404: "Không tồn tại, hoặc người dùng không được xem",
    409: "Không thực hiện được ở trạng thái hiện tại (hoặc vừa có người khác xử lý)",
    423: "Tạm khóa (nhập sai mã PIN nhiều lần)",
    503: "Hệ thống hoặc kho lưu trữ tạm thời bận; thử lại sau",
}


def binary(media: str) -> dict[str, Any]:
    """A file answer (PDF, XML, ...)."""
    return {"media": media, "schema": {"type": "string", "format": "binary"}}


def ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def list_of(name: str, **extra: Any) -> dict[str, Any]:
    return {"type": "object", "required": ["items"], "properties": {
        "items": {"type": "array", "items": ref(name)}, **extra}}


@dataclass(frozen=True)
class Operation:
    """What a hand-written API route answers and takes."""

    summary: str
    response: dict[str, Any]  # a JSON Schema, or ``binary(media)``
    status: int = 200
    body: type[BaseModel] | dict[str, Any] | None = None
    multipart: bool = False
    errors: tuple[int, ...] = (401, 404)
    public: bool = False  # no login needed


def documented(summary: str, response: dict[str, Any], **options: Any) -> Callable[[F], F]:
    """Describe a hand-written /api/v1 route for the OpenAPI document (put it right under
    the route decorator)."""

    def mark(view: F) -> F:
        view.openapi = Operation(summary, response, **options)  # type: ignore[attr-defined]
        return view

    return mark


class _Schemas:
    """Collects component schemas (the shared ones and every pydantic model met)."""

    def __init__(self, shared: dict[str, Any]) -> None:
        self.components: dict[str, Any] = dict(shared)

    def model(self, model: type[BaseModel]) -> dict[str, Any]:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, definition in schema.pop("$defs", {}).items():
            self.components.setdefault(name, definition)
        self.components.setdefault(model.__name__, schema)
        return ref(model.__name__)


def _request_body(body: Any, multipart: bool, schemas: _Schemas) -> dict[str, Any]:
    schema = schemas.model(body) if isinstance(body, type) else body
    media = ["multipart/form-data"] if multipart else ["application/json",
                                                        "multipart/form-data"]
    return {"required": True, "content": {m: {"schema": schema} for m in media}}


def _responses(status: int, answer: dict[str, Any], errors: tuple[int, ...]) -> dict[str, Any]:
    if "media" in answer:
        content = {answer["media"]: {"schema": answer["schema"]}}
    else:
        content = {"application/json": {"schema": answer}}
    responses: dict[str, Any] = {str(status): {"description": "Thành công", "content": content}}
    for code in sorted({*errors, 503}):
        responses[str(code)] = {"description": ERROR_TEXT[code],
                                "content": {"application/json": {"schema": ERROR}}}
    return responses


def _action_operation(action: Action, deprecated: bool, schemas: _Schemas) -> dict[str, Any]:
    operation = {
        "operationId": f"{action.kind.name}_{action.name}" + ("_alias" if deprecated else ""),
        "summary": action.summary,
        "tags": [action.kind.name],
        "requestBody": _request_body(action.input, action.takes_files, schemas),
        "responses": _responses(200, ref(action.kind.schema_name),
                                (400, 401, 403, 404, 409, 423)),
    }
    if deprecated:
        operation["deprecated"] = True
        operation["description"] = (f"Đường dẫn cũ; dùng POST /api/v1/{action.kind.name}/"
                                    f"{{id}}/actions/{action.name}.")
    return operation


def _operation(endpoint: str, method: str, doc: Operation, schemas: _Schemas) -> dict[str, Any]:
    errors = doc.errors if doc.public else tuple(sorted({401, *doc.errors}))
    if method == "post":
        errors = tuple(sorted({400, *errors}))
    operation: dict[str, Any] = {
        "operationId": endpoint.split(".", 1)[1],
        "summary": doc.summary,
        "tags": [endpoint.split(".", 1)[0].removesuffix("_api")],
        "responses": _responses(doc.status, doc.response, errors),
    }
    if doc.body is not None:
        operation["requestBody"] = _request_body(doc.body, doc.multipart, schemas)
    if doc.public:
        operation["security"] = []
    return operation


def build_openapi(app: Flask, shared_schemas: dict[str, Any]) -> dict[str, Any]:
    """The document for every /api/v1 route of ``app``; a route without a description is
    a bug and fails here."""
    schemas = _Schemas({"Error": {"type": "object", "required": ["error", "message"],
                                  "properties": {"error": {"type": ["integer", "string"]},
                                                 "message": {"type": "string"}}},
                        **shared_schemas})
    paths: dict[str, dict[str, Any]] = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint == "api.not_found":
            continue
        view = app.view_functions[rule.endpoint]
        path = _PARAM.sub(lambda m: "{" + m.group(2) + "}", rule.rule)
        params = [{"name": name, "in": "path", "required": True,
                   "schema": {"type": "integer" if conv == "int" else "string"}}
                  for conv, name in _PARAM.findall(rule.rule)]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            verb = method.lower()
            action = getattr(view, "action", None)
            if action is not None:
                operation = _action_operation(action, getattr(view, "deprecated", False),
                                              schemas)
            else:
                doc = getattr(view, "openapi", None)
                if doc is None:
                    raise LookupError(f"{rule.endpoint} ({rule.rule}) is not documented: "
                                      "add @documented(...) under its route decorator")
                operation = _operation(rule.endpoint, verb, doc, schemas)
            if params:
                operation["parameters"] = params
            paths.setdefault(path, {})[verb] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "eOffice API", "version": "1",
                 "description": "Văn bản đến, văn bản đi, ký số, giao việc, báo cáo. Xác thực "
                                "bằng mã truy cập (Authorization: Bearer …, tạo bằng "
                                "`flask tokens create`) hoặc phiên đăng nhập (cookie; mọi POST "
                                "gửi kèm X-CSRFToken)."},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}, {"session": []}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted(schemas.components.items())),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer",
                           "description": "Mã truy cập API (eo_…)"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
        },
    }
