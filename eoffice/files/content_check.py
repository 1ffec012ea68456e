"""What an upload really is, judged by its bytes, never by its name or declared type."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from typing import Any, BinaryIO

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PNG = "image/png"
JPEG = "image/jpeg"

# A DOCX that inflates beyond this, or by more than this ratio, is treated as a zip bomb.
MAX_DOCX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100


class RejectedContent(ValueError):
    """The upload is not an acceptable file; the message is Vietnamese, shown as is."""


@dataclass(frozen=True)
class Sniffed:
    content_type: str
    extension: str


def sniff(stream: BinaryIO, allowed: frozenset[str] = frozenset({PDF, DOCX, PNG, JPEG})) -> Sniffed:
    """Identify the file from its content and check it parses; the stream is rewound after."""
    stream.seek(0)
    head = stream.read(1024)
    stream.seek(0)
    if b"%PDF-" in head:
        result = Sniffed(PDF, ".pdf")
        _check_pdf(stream)
    elif head.startswith(b"PK\x03\x04"):
        result = Sniffed(DOCX, ".docx")
        _check_docx(stream)
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        result = Sniffed(PNG, ".png")
    elif head.startswith(b"\xff\xd8\xff"):
        result = Sniffed(JPEG, ".jpg")
    else:
        raise RejectedContent("Tệp không đúng định dạng cho phép (PDF, DOCX, PNG, JPEG).")
    stream.seek(0)
    if result.content_type not in allowed:
        raise RejectedContent("Loại tệp này không được chấp nhận ở đây.")
    return result


def _check_pdf(stream: BinaryIO) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(stream, strict=True)
        if reader.is_encrypted:
            raise RejectedContent("Tệp PDF được mã hóa bằng mật khẩu; hãy gửi bản không mã hóa.")
        if len(reader.pages) == 0:
            raise RejectedContent("Tệp PDF không có trang nào.")
        active = active_content(reader)
        if active:
            raise RejectedContent(
                f"Tệp PDF chứa mã hoặc thao tác tự chạy ({active}); hệ thống không nhận tệp "
                "như vậy. Hãy xuất lại PDF từ tệp gốc (in ra PDF) rồi gửi lại.")
    except RejectedContent:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        raise RejectedContent("Tệp PDF bị hỏng hoặc không đọc được.") from error
    finally:
        stream.seek(0)


# Actions a PDF viewer may run by itself or on a click: scripts, launching programs, sending
# or importing data. A leader signs what he sees; a document that can run code or change what
# is shown is refused rather than cleaned (cleaning would change bytes a sender may have
# signed, and a clean re-export is one click for the sender).
ACTIVE_ACTIONS = {"/JavaScript": "JavaScript", "/Launch": "mở chương trình",
                  "/ImportData": "nhập dữ liệu", "/SubmitForm": "gửi dữ liệu",
                  "/RichMediaExecute": "đa phương tiện"}
MAX_FIELDS_WALKED = 10_000


def active_content(reader: Any) -> str | None:
    """What active content the PDF carries (a Vietnamese word for it), or None.

    Looked for where a viewer triggers actions: the document's JavaScript name tree, its
    open action and additional actions, each page's additional actions and annotation actions,
    and the actions of form fields.
    """
    root = reader.trailer["/Root"].get_object()
    names = _obj(root.get("/Names"))
    if isinstance(names, dict) and "/JavaScript" in names:
        return "JavaScript"
    candidates: list[Any] = [root.get("/OpenAction"), root.get("/AA")]
    for page in reader.pages:
        candidates.append(page.get("/AA"))
        for annotation in _obj(page.get("/Annots")) or []:
            annotation = _obj(annotation)
            if isinstance(annotation, dict):
                candidates += [annotation.get("/A"), annotation.get("/AA")]
    fields = list(_obj(_obj(root.get("/AcroForm") or {}).get("/Fields")) or [])
    walked = 0
    while fields and walked < MAX_FIELDS_WALKED:
        field = _obj(fields.pop())
        walked += 1
        if isinstance(field, dict):
            candidates += [field.get("/A"), field.get("/AA")]
            fields.extend(_obj(field.get("/Kids")) or [])
    for candidate in candidates:
        found = _action_kind(candidate, depth=0)
        if found:
            return found
    return None


def _obj(value: Any) -> Any:
    return value.get_object() if hasattr(value, "get_object") else value


def _action_kind(value: Any, depth: int) -> str | None:
    """The first active action in an action, a chain of them (/Next) or an /AA dictionary."""
    value = _obj(value)
    if value is None or depth > 20:
        return None
    if isinstance(value, list):
        for item in value:
            if found := _action_kind(item, depth + 1):
                return found
        return None
    if not isinstance(value, dict):
        return None
    kind = ACTIVE_ACTIONS.get(str(value.get("/S", "")))
    if kind:
        return kind
    if "/JS" in value:
        return "JavaScript"
    nested = [value.get("/Next")] + [v for k, v in value.items()
                                     if k in ("/O", "/C", "/K", "/F", "/V", "/Fo", "/Bl",
                                              "/D", "/U", "/E", "/X", "/PO", "/PC", "/PV",
                                              "/PI", "/WC", "/WS", "/DS", "/WP", "/DP")]
    for item in nested:
        if found := _action_kind(item, depth + 1):
            return found
    return None


def _check_docx(stream: BinaryIO) -> None:
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" not in names or "word/document.xml" not in names:
                raise RejectedContent("Tệp không phải văn bản Word (DOCX) hợp lệ.")
            total = 0
            for info in archive.infolist():
                total += info.file_size
                ratio = info.file_size / max(info.compress_size, 1)
                if total > MAX_DOCX_UNCOMPRESSED or (
                    info.file_size > 1024 * 1024 and ratio > MAX_COMPRESSION_RATIO
                ):
                    raise RejectedContent("Tệp DOCX có nội dung nén bất thường và bị từ chối.")
            archive.read("word/document.xml")
    except RejectedContent:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, EOFError) as error:
        raise RejectedContent("Tệp DOCX bị hỏng hoặc không đọc được.") from error
    finally:
        stream.seek(0)
