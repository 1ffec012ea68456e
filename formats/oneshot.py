"""DOCX → PDF with one ``soffice --headless --convert-to pdf`` run per document (the fallback
and ``EOFFICE_CONVERTER=oneshot`` path; :mod:`formats.warm_converter` is the default), and the
checks every converter applies to its input and output.

Design, and why:
* One ``soffice --headless --convert-to pdf`` run per document, with a private user profile
  (``-env:UserInstallation``) owned by the :class:`Converter`. A shared or default profile makes
  concurrent soffice processes wait on each other's lock file or hand the job to a running
  desktop instance; a private one is isolated. The profile is created on the first conversion
  (~3 s) and kept, so later runs start warm (~1.0 s per A4 draft on 2 cores, measured).
  Nothing to supervise: a hung conversion is ended by killing its own process group. It is
  what runs where the warm converter cannot (no python3-uno), and what it falls back to.
* Conversions are serialized per converter (a lock): LibreOffice refuses two instances on one
  profile, and on 2 cores parallel conversions only thrash.
* The input is checked first (a DOCX is a ZIP with ``word/document.xml``): LibreOffice happily
  "converts" a renamed text file or a truncated archive into a PDF of garbage, which must not
  reach a leader's signature.
* Output is written into a fresh temporary folder and returned as bytes only when it is a
  complete PDF; nothing partial is ever left behind.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import zipfile
from pathlib import Path

__all__ = ["DEFAULT_TIMEOUT", "ConversionError", "Converter", "check_docx", "is_complete_pdf"]

DEFAULT_TIMEOUT = 120.0


class ConversionError(Exception):
    """A document could not be converted; ``str(error)`` is a Vietnamese message for users."""


def check_docx(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "word/document.xml" not in names or "[Content_Types].xml" not in names:
                raise ConversionError(
                    "Tệp không phải văn bản Word (DOCX) hợp lệ: thiếu phần nội dung chính."
                )
            if archive.testzip() is not None:
                raise ConversionError("Tệp DOCX bị hỏng: dữ liệu nén không toàn vẹn.")
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise ConversionError(
            "Tệp DOCX bị hỏng hoặc không đúng định dạng, không chuyển được sang PDF."
        ) from exc


def is_complete_pdf(data: bytes) -> bool:
    return data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]


class Converter:
    """A LibreOffice converter with its own profile; safe to share between threads."""

    def __init__(self, soffice: str | None = None, *, timeout: float = DEFAULT_TIMEOUT,
                 profile_dir: Path | None = None) -> None:
        self.soffice = soffice or shutil.which("soffice") or shutil.which("libreoffice")
        self.timeout = timeout
        self._own_profile = profile_dir is None
        self.profile_dir = profile_dir or Path(tempfile.mkdtemp(prefix="eoffice-lo-profile-"))
        self._lock = threading.Lock()

    def close(self) -> None:
        """Remove the private profile (only if this converter created it)."""
        if self._own_profile:
            shutil.rmtree(self.profile_dir, ignore_errors=True)

    def __enter__(self) -> Converter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def docx_to_pdf(self, data: bytes) -> bytes:
        """Return the PDF rendering of DOCX ``data``; raise :class:`ConversionError`."""
        if not self.soffice:
            raise ConversionError("Máy chủ chưa cài LibreOffice nên không chuyển được sang PDF.")
        check_docx(data)
        with self._lock, tempfile.TemporaryDirectory(prefix="eoffice-convert-") as work:
            source = Path(work) / "document.docx"
            source.write_bytes(data)
            outdir = Path(work) / "out"
            outdir.mkdir()
            self._run(source, outdir)
            target = outdir / "document.pdf"
            pdf = target.read_bytes() if target.exists() else b""
        if not is_complete_pdf(pdf):
            raise ConversionError(
                "LibreOffice không đọc được tệp DOCX (tệp hỏng hoặc nội dung không hợp lệ)."
            )
        return pdf

    def _run(self, source: Path, outdir: Path) -> None:
        command = [
            self.soffice or "soffice",
            f"-env:UserInstallation={self.profile_dir.resolve().as_uri()}",
            "--headless", "--invisible", "--norestore", "--nolockcheck", "--nodefault",
            "--nologo", "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(outdir),
            str(source),
        ]
        env = {**os.environ, "HOME": str(self.profile_dir), "LC_ALL": "C.UTF-8"}
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
            start_new_session=True,
        )
        try:
            _out, err = process.communicate(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise ConversionError(
                f"Chuyển sang PDF quá thời gian cho phép ({self.timeout:g} giây)."
            ) from None
        if process.returncode != 0:
            detail = err.decode("utf-8", "replace").strip()[-300:]
            raise ConversionError(f"LibreOffice báo lỗi khi chuyển sang PDF: {detail}")
