"""/api/v1/organisations: the directory recipients are picked from (any signed-in user)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from flask_login import login_required

from eoffice.api.openapi import documented, list_of
from eoffice.errors import InvalidInput
from eoffice.organisation.directory import MAX_LIMIT, search_directory

api = Blueprint("organisations_api", __name__, url_prefix="/api/v1")

DIRECTORY_ENTRY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["organ_id", "name", "parent_organ_id", "internal", "organisation_id"],
    "properties": {
        "organ_id": {"type": "string", "description": "Mã định danh (edXML OrganId)"},
        "name": {"type": "string"},
        "parent_organ_id": {"type": ["string", "null"]},
        "internal": {"type": "boolean",
                     "description": "Cơ quan cùng hệ thống (gửi nhận trực tiếp)"},
        "organisation_id": {"type": ["integer", "null"]},
        "address": {"type": "string"},
        "email": {"type": "string"},
        "telephone": {"type": "string"},
    },
}

#: OpenAPI component schemas of this module's answers.
SCHEMAS: dict[str, Any] = {"DirectoryEntry": DIRECTORY_ENTRY_SCHEMA}


@api.get("/organisations/directory")
@documented("Danh bạ cơ quan để chọn nơi nhận: cơ quan trong hệ thống và cơ quan ngoài; tìm "
            "theo tên hoặc mã định danh, không phân biệt dấu (tham số q, limit ≤ 200)",
            list_of("DirectoryEntry"), errors=(400, 401))
@login_required
def directory() -> ResponseReturnValue:
    raw_limit = request.args.get("limit", "50")
    if not raw_limit.isdigit():
        raise InvalidInput("“limit” phải là một số nguyên.")
    entries = search_directory(request.args.get("q", ""),
                               limit=min(int(raw_limit), MAX_LIMIT))
    return jsonify(items=[asdict(entry) for entry in entries])
