"""Reading a PDF we are asked to sign, fill or validate: size, shape and encryption checked
before pyHanko works on it, every failure turned into a :class:`BadPdfError` with a
Vietnamese message."""

from __future__ import annotations

import io
from typing import BinaryIO

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from .errors import BadPdfError, EncryptedPdfError, PdfTooLargeError

__all__ = ["MAX_PDF_BYTES", "check_pdf_bytes", "open_pdf_for_update", "read_pdf_bytes"]

MAX_PDF_BYTES = 256 * 1024 * 1024
"""Default ceiling; the web app may pass its own upload limit."""


def read_pdf_bytes(pdf: bytes | bytearray | memoryview | BinaryIO, *,
                   max_bytes: int = MAX_PDF_BYTES) -> bytes:
    """Accept bytes or a binary stream; refuse oversize input before reading it all."""
    if isinstance(pdf, bytes | bytearray | memoryview):
        data = bytes(pdf)
    else:
        data = pdf.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise PdfTooLargeError(f"PDF larger than {max_bytes // (1024 * 1024)} MB",
                               message_vi=f"Tệp PDF lớn hơn {max_bytes // (1024 * 1024)} MB")
    return data


def check_pdf_bytes(data: bytes) -> None:
    if not data:
        raise BadPdfError("empty input", message_vi="Tệp rỗng")
    if b"%PDF-" not in data[:1024]:
        raise BadPdfError("not a PDF file (no %PDF- header)", message_vi="Tệp không phải PDF")
    if b"%%EOF" not in data[-4096:]:
        raise BadPdfError("truncated PDF (no %%EOF at the end)",
                          message_vi="Tệp PDF bị cắt cụt, không đầy đủ")


def open_pdf_for_update(pdf, *, max_bytes: int = MAX_PDF_BYTES) -> IncrementalPdfFileWriter:
    """Parse the input for an incremental update, turning every failure into BadPdfError."""
    data = read_pdf_bytes(pdf, max_bytes=max_bytes)
    check_pdf_bytes(data)
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    except Exception as exc:  # pyHanko raises PdfReadError, ValueError, KeyError...
        raise BadPdfError(f"unreadable PDF: {exc}", message_vi="Tệp PDF bị hỏng") from exc
    if writer.prev.encrypted:
        raise EncryptedPdfError("the PDF is encrypted; remove the password before signing")
    try:
        pages = writer.root["/Pages"]["/Count"]
        if int(pages) < 1:
            raise BadPdfError("the PDF has no pages")
    except BadPdfError:
        raise
    except Exception as exc:
        raise BadPdfError(f"broken page tree: {exc}", message_vi="Tệp PDF bị hỏng") from exc
    return writer
