"""What an upload really is, judged by its bytes, never by its name or declared type."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from typing import BinaryIO

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
    except RejectedContent:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        raise RejectedContent("Tệp PDF bị hỏng hoặc không đọc được.") from error
    finally:
        stream.seek(0)


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
