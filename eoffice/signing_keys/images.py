"""The images a visible signature shows: each signer's own signature, each organisation's seal.

Decree 30/2020, Appendix I: the leader's signature shows the image of their handwritten
signature (a transparent PNG, blue ink); the organisation's signature shows its red seal
(a transparent PNG) over the left third of it. Each signer uploads their own image on
"Chữ ký của tôi"; an organisation's administrator uploads the seal. Nobody signs with a
placeholder: without an image, signing is refused before anything is signed.

An upload is judged by its content with Pillow, never by its name: it must be a PNG, at
most 512 KB, within the size limits below, with a transparent background (see
:func:`checked_png`). It is re-encoded as plain RGBA (no metadata, one form pyHanko draws
as is) and stored in the object store through ``files.service.save_upload``; one row per
owner names the current image, so replacing it keeps the earlier file (signed PDFs carry
their own copy anyway).
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from datetime import datetime

from PIL import Image, UnidentifiedImageError
from sqlalchemy import ForeignKey, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

import signing
from eoffice import audit
from eoffice.accounts.models import User
from eoffice.accounts.permissions import has_role
from eoffice.accounts.roles import Role
from eoffice.errors import Forbidden, InvalidInput
from eoffice.extensions import db
from eoffice.files.content_check import PNG
from eoffice.files.models import StoredFile
from eoffice.files.service import UploadError, object_store, save_upload
from eoffice.organisation.models import Organisation
from eoffice.timestamps import UTCDateTime, utcnow

MAX_IMAGE_BYTES = 512 * 1024
"""What a person may upload (the re-encoded image is stored, whatever its size)."""
MAX_STORED_BYTES = 4 * 1024 * 1024
PNG_ONLY = frozenset({PNG})

NO_SIGNATURE_IMAGE = ("Bạn chưa có ảnh chữ ký nên chưa thể ký số văn bản, hãy tải lên ở trang "
                      "Chữ ký của tôi (ảnh PNG nền trong suốt) rồi ký lại.")
NO_SEAL_IMAGE = ("Cơ quan chưa có ảnh con dấu nên chưa thể ký số của cơ quan; quản trị cơ quan "
                 "hãy tải lên ở trang Quản trị › Con dấu (ảnh PNG nền trong suốt).")


class UserSignatureImage(db.Model):  # type: ignore[name-defined]
    """The signature image a user signs with (the latest upload)."""

    __tablename__ = "user_signature_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    file: Mapped[StoredFile] = relationship()


class OrganisationSealImage(db.Model):  # type: ignore[name-defined]
    """The seal image of an organisation, set by its administrator (the latest upload)."""

    __tablename__ = "organisation_seal_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), unique=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    file: Mapped[StoredFile] = relationship()


class ImageRejected(InvalidInput):
    """An uploaded signature or seal image that cannot be used; the message says why."""


class ImageMissing(InvalidInput):
    """Signing needs an image that has not been uploaded yet."""


# --------------------------------------------------------------------------- checks
@dataclass(frozen=True)
class ImageRules:
    label: str  # "Ảnh chữ ký", "Ảnh con dấu"
    max_width: int
    max_height: int
    min_side: int = 40
    roundish: bool = False  # a seal is round: its image is (nearly) square


SIGNATURE_RULES = ImageRules("Ảnh chữ ký", 1200, 600)
SEAL_RULES = ImageRules("Ảnh con dấu", 1200, 1200, min_side=120, roundish=True)

#: A transparent background: at least this share of the pixels fully transparent
#: (a round seal in its square leaves 21 % in the corners alone; a signature far more).
MIN_TRANSPARENT_SHARE = 0.10
#: Ink: at least this share of the pixels clearly visible (not an empty image).
MIN_INK_SHARE = 0.005


def checked_png(data: bytes, rules: ImageRules) -> bytes:
    """The image as plain RGBA PNG bytes, or :class:`ImageRejected` saying what is wrong.

    Judged by content (Pillow), never by the file name. An opaque image is refused: on
    the page it would print as a white or grey rectangle over the seal's overlap and the
    paper, and from a scan no program can tell the paper from the ink reliably; Decree 30
    asks for a transparent PNG, which any image editor makes ("xóa nền").
    """
    label = rules.label
    if not data:
        raise ImageRejected(f"{label}: tệp rỗng.")
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageRejected(f"{label} vượt quá {MAX_IMAGE_BYTES // 1024} KB "
                            f"(tệp gửi lên {len(data) // 1024} KB); hãy thu nhỏ ảnh.")
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, (width, height) = image.format, image.size
            if kind != "PNG":
                raise ImageRejected(
                    f"{label} phải là tệp PNG nền trong suốt; tệp đã gửi là ảnh "
                    f"{kind or 'không rõ định dạng'} (hệ thống nhận biết theo nội dung tệp, "
                    "không theo tên tệp).")
            if width > rules.max_width or height > rules.max_height:
                raise ImageRejected(
                    f"{label} quá lớn ({width}×{height} điểm ảnh); tối đa "
                    f"{rules.max_width}×{rules.max_height} điểm ảnh.")
            if min(width, height) < rules.min_side:
                raise ImageRejected(
                    f"{label} quá nhỏ ({width}×{height} điểm ảnh), in ra sẽ bị vỡ; cạnh ngắn "
                    f"cần ít nhất {rules.min_side} điểm ảnh.")
            image.load()
            rgba = image.convert("RGBA")
    except UnidentifiedImageError:
        raise ImageRejected(f"{label} phải là tệp ảnh PNG nền trong suốt; tệp đã gửi không "
                            "phải là ảnh.") from None
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ImageRejected(f"{label} bị hỏng hoặc không đọc được.") from None
    if rules.roundish and not 0.8 <= width / height <= 1.25:
        raise ImageRejected(f"{label} phải gần vuông (con dấu tròn đặt giữa ảnh); ảnh đã gửi "
                            f"{width}×{height} điểm ảnh.")
    histogram = rgba.getchannel("A").histogram()
    pixels = width * height
    if sum(histogram[:16]) < pixels * MIN_TRANSPARENT_SHARE:
        raise ImageRejected(
            f"{label} phải có nền trong suốt (PNG trong suốt): ảnh đã gửi có nền đặc, in ra "
            "sẽ thành một khung nền đè lên văn bản. Hãy xóa nền bằng công cụ chỉnh ảnh rồi "
            "lưu lại dạng PNG.")
    if sum(histogram[128:]) < pixels * MIN_INK_SHARE:
        raise ImageRejected(f"{label} gần như trống (không thấy nét); hãy kiểm tra lại ảnh.")
    out = io.BytesIO()
    rgba.save(out, "PNG", optimize=True)
    return out.getvalue()


def _store(uploader: User, png: bytes, name: str) -> StoredFile:
    try:
        return save_upload(uploader, io.BytesIO(png), name, allowed=PNG_ONLY,
                           max_bytes=MAX_STORED_BYTES)
    except UploadError as error:
        raise ImageRejected(str(error)) from None


# --------------------------------------------------------------------------- setting
def set_signature_image(user: User, data: bytes) -> UserSignatureImage:
    """``user``'s own signature image (flushed, not committed). Nobody sets another's."""
    png = checked_png(data, SIGNATURE_RULES)
    stored = _store(user, png, f"chu-ky-{user.username}.png")
    row = db.session.scalar(select(UserSignatureImage).where(UserSignatureImage.user_id ==
                                                              user.id))
    if row is None:
        row = UserSignatureImage(user_id=user.id, file_id=stored.id)
        db.session.add(row)
    row.file_id, row.set_at = stored.id, utcnow()
    db.session.flush()
    audit.record(user, "signature_image_set", "user", user.id, file_id=stored.id)
    return row


def set_seal_image(actor: User | None, organisation: Organisation, data: bytes,
                   uploader: User | None = None) -> OrganisationSealImage:
    """The organisation's seal image, set by its administrator (``actor``); ``actor`` None
    is the system (the demo seeder), which names the ``uploader`` of the file."""
    if actor is not None and not (has_role(actor, Role.ADMIN)
                                  and actor.organisation_id == organisation.id):
        raise Forbidden("Chỉ quản trị của cơ quan được thay ảnh con dấu của cơ quan.")
    owner = actor or uploader
    if owner is None:
        raise ValueError("a seal image needs the user who uploads it")
    png = checked_png(data, SEAL_RULES)
    stored = _store(owner, png, f"con-dau-{organisation.abbreviation.lower()}.png")
    row = db.session.scalar(select(OrganisationSealImage).where(
        OrganisationSealImage.organisation_id == organisation.id))
    if row is None:
        row = OrganisationSealImage(organisation_id=organisation.id, file_id=stored.id)
        db.session.add(row)
    row.file_id, row.set_by_id, row.set_at = stored.id, owner.id, utcnow()
    db.session.flush()
    audit.record(actor, "seal_image_set", "organisation", organisation.id, file_id=stored.id)
    return row


# --------------------------------------------------------------------------- reading
def signature_file(user: User) -> StoredFile | None:
    return db.session.scalar(select(StoredFile).join(
        UserSignatureImage, UserSignatureImage.file_id == StoredFile.id).where(
        UserSignatureImage.user_id == user.id))


def seal_file(organisation: Organisation) -> StoredFile | None:
    return db.session.scalar(select(StoredFile).join(
        OrganisationSealImage, OrganisationSealImage.file_id == StoredFile.id).where(
        OrganisationSealImage.organisation_id == organisation.id))


def require_signature_image(user: User) -> StoredFile:
    """The user's signature image row, or the refusal a signer reads before signing."""
    stored = signature_file(user)
    if stored is None:
        raise ImageMissing(NO_SIGNATURE_IMAGE)
    return stored


def require_seal_image(organisation: Organisation) -> StoredFile:
    stored = seal_file(organisation)
    if stored is None:
        raise ImageMissing(NO_SEAL_IMAGE)
    return stored


def signature_png(user: User) -> bytes:
    """The bytes of ``user``'s signature image (verified by the store)."""
    return object_store().read_bytes(require_signature_image(user).sha256)


def seal_png(organisation: Organisation) -> bytes:
    return object_store().read_bytes(require_seal_image(organisation).sha256)


# --------------------------------------------------------------------------- demo
@functools.lru_cache(maxsize=64)
def _demo_signature(name: str) -> bytes:
    return signing.demo_signature_png(name)


@functools.lru_cache(maxsize=16)
def _demo_seal(name: str) -> bytes:
    return signing.demo_seal_png(name)


def ensure_demo_images(users: list[User]) -> list[str]:
    """Demo signers (leaders, meeting secretaries) get a handwritten-looking signature made
    from their name, and each organisation with a clerk a red seal with its name around
    the rim; what exists is left alone. Commits (as the demo seeders do); returns what was
    added."""
    added: list[str] = []
    for user in users:
        signs = has_role(user, Role.LEADER, Role.MEETING_SECRETARY)
        if signs and Role.ADMIN not in user.roles and signature_file(user) is None:
            set_signature_image(user, _demo_signature(user.full_name))
            added.append(f"ảnh chữ ký: {user.username}")
        organisation = user.organisation
        if Role.CLERK in user.roles and seal_file(organisation) is None:
            admin = db.session.scalar(
                select(User).where(User.organisation_id == organisation.id,
                                   User.role_rows.any(role=Role.ADMIN.value)))
            set_seal_image(None, organisation, _demo_seal(organisation.name),
                           uploader=admin or user)
            added.append(f"ảnh con dấu: {organisation.abbreviation}")
    if added:
        db.session.commit()
    return added
