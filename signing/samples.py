"""Tiny PDF generator for tests, benchmarks and demo data (no dependency).

Produces a plain, valid PDF 1.7 with ``pages`` A4 pages of text; ``pad_to``
adds an incompressible stream so the file reaches about that many bytes
(the "10 MB PDF" of the benchmark).
"""

from __future__ import annotations

import os

__all__ = ["make_pdf"]


def _esc(text: str) -> bytes:
    raw = text.encode("latin-1", "replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def make_pdf(pages: int = 1, *, title: str = "QUYET DINH", pad_to: int = 0,
             seed: int = 0) -> bytes:
    objs: list[bytes] = []

    def add(body: bytes) -> int:
        objs.append(body)
        return len(objs)

    catalog = add(b"")  # filled below
    pages_id = add(b"")
    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman >>")
    kids = []
    for p in range(pages):
        lines = [f"{title} - trang {p + 1}/{pages}"] + [
            f"Dieu {i + 1}. Noi dung van ban hanh chinh mau, dong {i + 1}, tai lieu {seed}."
            for i in range(30)]
        ops = [b"BT /F1 12 Tf 72 770 Td 16 TL"]
        ops += [b"(" + _esc(line) + b") '" for line in lines]
        ops.append(b"ET")
        content = b"\n".join(ops)
        c = add(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
        kids.append(add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595.28 841.89] "
                        b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>"
                        % (pages_id, font, c)))
    extra = b""
    if pad_to:
        size_now = sum(len(o) for o in objs) + 1000
        n = max(pad_to - size_now, 0)
        blob = os.urandom(n) if seed == 0 else (bytes(range(256)) * (n // 256 + 1))[:n]
        pad = add(b"<< /Length %d >>\nstream\n" % n + blob + b"\nendstream")
        extra = b" /PieceInfo << /eoffice << /Private %d 0 R >> >>" % pad
    objs[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R%s >>" % (pages_id, extra)
    objs[pages_id - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objs) + 1, catalog, xref)
    return bytes(out)
