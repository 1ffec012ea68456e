"""The directory page: every organisation documents can be addressed to, searched without
diacritics (any signed-in user: clerks check an OrganId here); the super-administrator adds
an external agency or imports the national list (CSV) from it."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from eoffice.accounts.permissions import require_role
from eoffice.accounts.roles import Role
from eoffice.actions.parsing import parse_model
from eoffice.errors import InvalidInput
from eoffice.extensions import db
from eoffice.organisation.actions import DirectoryOrganInput
from eoffice.organisation.directory import MAX_LIMIT, search_directory
from eoffice.organisation.directory_import import (
    MAX_CSV_BYTES,
    import_directory,
    save_directory_organ,
)

bp = Blueprint("directory", __name__, url_prefix="/directory")


@bp.get("")
@login_required
def index() -> ResponseReturnValue:
    """The directory, searched by ``q`` (at most ``MAX_LIMIT`` lines)."""
    query = request.args.get("q", "").strip()[:200]
    entries = search_directory(query, limit=MAX_LIMIT)
    return render_template("organisation/directory.html", q=query, entries=entries,
                           limit=MAX_LIMIT, max_mb=MAX_CSV_BYTES // (1024 * 1024))


@bp.post("/new")
@require_role(Role.SUPER_ADMIN)
def add() -> ResponseReturnValue:
    """The super-administrator adds or corrects one external agency."""
    data = parse_model(DirectoryOrganInput)
    organ = save_directory_organ(current_user, **data.model_dump())
    db.session.commit()
    flash(f"Đã lưu {organ.name} ({organ.organ_id}) vào danh bạ.", "success")
    return redirect(url_for("directory.index", q=organ.organ_id), code=303)


@bp.post("/import")
@require_role(Role.SUPER_ADMIN)
def import_csv() -> ResponseReturnValue:
    """The super-administrator imports the national list; a bad line refuses it all."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InvalidInput("Hãy chọn tệp CSV danh sách cơ quan.")
    result = import_directory(upload.stream.read(MAX_CSV_BYTES + 1), actor=current_user,
                              file_name=upload.filename)
    db.session.commit()
    flash(f"Đã nhập danh bạ: thêm {result.added}, cập nhật {result.updated}, không đổi "
          f"{result.unchanged}.", "success")
    return redirect(url_for("directory.index"), code=303)

