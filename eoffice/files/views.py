"""Pages to upload, list and download one's files."""

from __future__ import annotations

import io
import tempfile

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select

from eoffice import audit
from eoffice.extensions import db
from eoffice.files.access import can_view_file
from eoffice.files.models import StoredFile
from eoffice.files.service import UploadError, copy_verified, save_upload
from storage.errors import CorruptObject, StorageError

bp = Blueprint("files", __name__, url_prefix="/files")


class UploadForm(FlaskForm):
    file = FileField("Tệp", validators=[FileRequired("Hãy chọn một tệp.")])


def viewable_file_or_404(file_id: int) -> StoredFile:
    stored = db.session.get(StoredFile, file_id)
    if stored is None or not can_view_file(current_user, stored):
        abort(404)
    return stored


@bp.route("/", methods=["GET", "POST"])
@login_required
def index() -> ResponseReturnValue:
    form = UploadForm()
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        try:
            save_upload(current_user, upload.stream, upload.filename)
        except UploadError as error:
            db.session.rollback()
            flash(str(error), "error")
            status = 400
        else:
            db.session.commit()
            flash("Đã tải tệp lên.", "success")
            return redirect(url_for("files.index"))
    elif request.method == "POST":
        status = 400
    rows = db.session.execute(
        select(StoredFile).where(StoredFile.uploaded_by_id == current_user.id)
        .order_by(StoredFile.uploaded_at.desc()).limit(200)
    ).scalars().all()
    return render_template("files/index.html", form=form, files=rows), status


def send_verified(stored: StoredFile, *, as_attachment: bool = True) -> ResponseReturnValue:
    """Serve a file only after its bytes matched their hash (a corrupted object is never sent)."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by send_file after streaming
    try:
        copy_verified(stored, spool)
    except CorruptObject:
        spool.close()
        abort(500, description="Tệp lưu trữ bị hỏng (không khớp mã băm); đã ghi nhận sự cố.")
    except StorageError:
        spool.close()
        abort(503, description="Kho lưu trữ tệp tạm thời không phản hồi.")
    spool.seek(0)
    audit.record(current_user, "file_downloaded", "file", stored.id)
    db.session.commit()
    return send_file(
        spool,
        mimetype=stored.content_type,
        as_attachment=as_attachment,
        download_name=stored.original_name,
        max_age=0,
    )


def send_generated(data: bytes, filename: str, mimetype: str) -> ResponseReturnValue:
    """Serve bytes made for this request (an export, a package) as a download, never cached."""
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True,
                     download_name=filename, max_age=0)


@bp.route("/<int:file_id>/download")
@login_required
def download(file_id: int) -> ResponseReturnValue:
    return send_verified(viewable_file_or_404(file_id))
