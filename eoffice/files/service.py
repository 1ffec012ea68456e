"""Saving uploads: check the content, put the bytes, then write the row — in that order.

The object goes in first and the row second, so a failing store leaves no row pointing at a
missing object; if the row then fails, the object is removed again unless another row uses it.
"""

from __future__ import annotations

import shutil
import tempfile
import unicodedata
from typing import BinaryIO

from flask import current_app
from sqlalchemy import select

from eoffice import audit
from eoffice.accounts.models import User
from eoffice.extensions import db
from eoffice.files.content_check import DOCX, JPEG, PDF, PNG, RejectedContent, Sniffed, sniff
from eoffice.files.models import StoredFile
from eoffice.files.orphans import note_object_put
from storage import ObjectStore
from storage.errors import StorageError

SPOOL_IN_MEMORY = 1024 * 1024


class UploadError(ValueError):
    """An upload refused or failed; the message is Vietnamese and safe to show."""


def object_store() -> ObjectStore:
    return current_app.extensions["eoffice.object_store"]


# What a name's ending promises, and the content types that keep the promise.
EXTENSION_TYPES = {".pdf": PDF, ".docx": DOCX, ".png": PNG, ".jpg": JPEG, ".jpeg": JPEG}


def check_file_name(filename: str | None) -> None:
    """Refuse names with control characters (NUL among them: PostgreSQL cannot store it, and
    such a name is never a person's choice)."""
    if filename and any(unicodedata.category(ch) in ("Cc", "Cf", "Cs") for ch in filename):
        raise UploadError("Tên tệp chứa ký tự điều khiển không hợp lệ; hãy đổi tên tệp "
                          "rồi gửi lại.")


def check_name_matches_content(filename: str | None, kind: Sniffed) -> None:
    """A file named ``.pdf`` must be a PDF: a PNG renamed would be shown and signed as what it
    is not."""
    ending = "." + (filename or "").rsplit(".", 1)[-1].lower() if "." in (filename or "") else ""
    promised = EXTENSION_TYPES.get(ending)
    if promised and promised != kind.content_type:
        raise UploadError(f"Nội dung tệp không khớp với phần mở rộng “{ending}” của tên tệp.")


def _display_name(filename: str | None, extension: str) -> str:
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:200]
    if not name:
        name = "tep"
    if not name.lower().endswith(extension):
        name += extension
    return name


def save_upload(
    uploader: User,
    stream: BinaryIO,
    filename: str | None,
    *,
    allowed: frozenset[str] | None = None,
    max_bytes: int | None = None,
) -> StoredFile:
    """Store an uploaded file and return its row (flushed, not committed)."""
    check_file_name(filename)
    limit = max_bytes or current_app.config["EOFFICE_SETTINGS"].max_upload_bytes
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
        copied = 0
        while chunk := stream.read(1024 * 1024):
            copied += len(chunk)
            if copied > limit:
                megabytes = limit // (1024 * 1024)
                raise UploadError(f"Tệp vượt quá dung lượng cho phép ({megabytes} MB).")
            spool.write(chunk)
        if copied == 0:
            raise UploadError("Tệp rỗng.")
        spool.seek(0)
        try:
            kind = sniff(spool) if allowed is None else sniff(spool, allowed)
        except RejectedContent as error:
            raise UploadError(str(error)) from None
        check_name_matches_content(filename, kind)
        try:
            stored = object_store().put(spool, content_type=kind.content_type)
            note_object_put(stored.key)  # removed at the request's end if no row keeps it
        except StorageError as error:
            current_app.logger.error("object store refused an upload: %s", error)
            raise UploadError("Kho lưu trữ tệp không phản hồi; tệp chưa được lưu.") from None
    row = StoredFile(
        sha256=stored.key,
        size=stored.size,
        content_type=kind.content_type,
        original_name=_display_name(filename, kind.extension),
        uploaded_by_id=uploader.id,
    )
    try:
        db.session.add(row)
        db.session.flush()
        audit.record(uploader, "file_uploaded", "file", row.id, sha256=row.sha256, size=row.size)
    except Exception:
        db.session.rollback()
        forget_object_if_unused(stored.key)
        raise
    return row


def forget_object_if_unused(key: str) -> None:
    """Delete an object no row refers to (after a failed insert); never raises."""
    try:
        in_use = db.session.execute(
            select(StoredFile.id).where(StoredFile.sha256 == key).limit(1)
        ).first()
        if not in_use:
            object_store().delete(key)
    except Exception:  # cleanup must not hide the original failure
        current_app.logger.exception("could not remove orphaned object %s", key)


def copy_verified(row: StoredFile, destination: BinaryIO) -> None:
    """Copy the object into ``destination`` after its hash checked out."""
    with object_store().get(row.sha256) as source:
        shutil.copyfileobj(source, destination, 1024 * 1024)
