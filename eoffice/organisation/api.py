"""/api/v1/organisations: the directory recipients are picked from (any signed-in user); the
installation's organisations for the super-administrator (list, read, create; edits and the
first administrator as declared actions, ``eoffice.organisation.actions``)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from eoffice.actions.parsing import parse_model
from eoffice.actions.routes import add_api_routes
from eoffice.api.openapi import documented, list_of, ref
from eoffice.errors import InvalidInput
from eoffice.extensions import db
from eoffice.organisation.actions import (
    ORGANISATION_SCHEMA,
    DirectoryOrganInput,
    OrganisationInput,
    organisation_json,
)
from eoffice.organisation.directory import MAX_LIMIT, find_organ, search_directory
from eoffice.organisation.directory_import import (
    MAX_CSV_BYTES,
    import_directory,
    save_directory_organ,
)
from eoffice.organisation.organisations import (
    all_organisations,
    create_organisation,
    organisation_or_404,
    require_super_admin,
)

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
SCHEMAS: dict[str, Any] = {"DirectoryEntry": DIRECTORY_ENTRY_SCHEMA,
                           "Organisation": ORGANISATION_SCHEMA}


@api.get("/organisations/directory")
@documented("Danh bạ cơ quan để chọn nơi nhận: cơ quan trong hệ thống và cơ quan ngoài; tìm "
            "theo tên hoặc mã định danh, không phân biệt dấu (tham số q, limit ≤ 200)",
            list_of("DirectoryEntry"), errors=(400, 401))
@login_required
def directory() -> ResponseReturnValue:
    """The directory's entries matching ``q`` (recipient pickers call this as one types)."""
    raw_limit = request.args.get("limit", "50")
    if not raw_limit.isdigit():
        raise InvalidInput("“limit” phải là một số nguyên.")
    entries = search_directory(request.args.get("q", ""),
                               limit=min(int(raw_limit), MAX_LIMIT))
    return jsonify(items=[asdict(entry) for entry in entries])


@api.post("/organisations/directory")
@documented("Thêm hoặc sửa một cơ quan ngoài hệ thống trong danh bạ (quản trị toàn hệ thống)",
            ref("DirectoryEntry"), status=201, body=DirectoryOrganInput, errors=(401, 403))
@login_required
def add_directory_organ() -> ResponseReturnValue:
    """Add or correct one external agency; answers its directory entry."""
    require_super_admin(current_user)
    organ = save_directory_organ(current_user, **parse_model(DirectoryOrganInput).model_dump())
    db.session.commit()
    entry = find_organ(organ.organ_id)
    return jsonify(asdict(entry) if entry else {}), 201


IMPORT_SCHEMA: dict[str, Any] = {"type": "object", "properties": {
    name: {"type": "integer"} for name in ("added", "updated", "unchanged")}}


@api.post("/organisations/directory/import")
@documented("Nhập danh sách cơ quan (CSV: OrganId, name, parent; UTF-8): tất cả hoặc không, "
            "lỗi nêu theo số dòng (quản trị toàn hệ thống)", IMPORT_SCHEMA,
            body={"type": "object", "required": ["file"], "properties": {
                "file": {"type": "string", "format": "binary"}}}, multipart=True,
            errors=(401, 403))
@login_required
def import_directory_csv() -> ResponseReturnValue:
    """Import the national agency list (multipart field ``file``); all or nothing."""
    require_super_admin(current_user)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InvalidInput("Thiếu tệp CSV (trường 'file').")
    result = import_directory(upload.stream.read(MAX_CSV_BYTES + 1), actor=current_user,
                              file_name=upload.filename)
    db.session.commit()
    return jsonify(added=result.added, updated=result.updated, unchanged=result.unchanged)


@api.get("/organisations")
@documented("Các cơ quan trong hệ thống (quản trị toàn hệ thống)", list_of("Organisation"),
            errors=(401, 403))
@login_required
def list_organisations() -> ResponseReturnValue:
    """The installation's organisations in tree order."""
    require_super_admin(current_user)
    return jsonify(items=[organisation_json(o) for _depth, o in all_organisations()])


@api.post("/organisations")
@documented("Tạo cơ quan trong hệ thống, kèm sổ đăng ký văn bản của năm (quản trị toàn hệ "
            "thống)", ref("Organisation"), status=201, body=OrganisationInput,
            errors=(401, 403))
@login_required
def create() -> ResponseReturnValue:
    """Create an organisation (with its registers); answers it with 201."""
    require_super_admin(current_user)
    organisation = create_organisation(current_user, parse_model(OrganisationInput).details())
    db.session.commit()
    return jsonify(organisation_json(organisation)), 201


@api.get("/organisations/<int:organisation_id>")
@documented("Thông tin một cơ quan trong hệ thống (quản trị toàn hệ thống)",
            ref("Organisation"), errors=(401, 403, 404))
@login_required
def get_organisation(organisation_id: int) -> ResponseReturnValue:
    """One organisation of the installation."""
    return jsonify(organisation_json(organisation_or_404(current_user, organisation_id)))


# Edits and the first administrator: JSON routes from their declarations.
add_api_routes(api, "organisations")
