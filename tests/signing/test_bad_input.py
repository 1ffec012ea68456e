"""Bad input gives a clear error and no output; a failure never touches the input."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader, PdfWriter

from signing import (
    BadPdfError,
    DocumentSigner,
    EncryptedPdfError,
    PdfTooLargeError,
    validate,
)
from signing.samples import make_pdf


def _encrypted() -> bytes:
    w = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(1))))
    w.encrypt("secret", algorithm="AES-256")
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


BAD = {
    "not-a-pdf": (b"PK\x03\x04 this is a zip, not a pdf" * 10, BadPdfError),
    "empty": (b"", BadPdfError),
    "truncated": (make_pdf(2)[:-400], BadPdfError),
    "garbage-after-header": (b"%PDF-1.7\n" + b"\x00" * 500 + b"\n%%EOF\n", BadPdfError),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_pdfs_are_refused_clearly(leader_signer, name):
    data, exc = BAD[name]
    with pytest.raises(exc) as ei:
        leader_signer.sign(data)
    assert ei.value.code.startswith(("bad_pdf", "encrypted"))
    with pytest.raises(BadPdfError):
        validate(data)


def test_encrypted_without_password(leader_signer):
    data = _encrypted()
    with pytest.raises(EncryptedPdfError):
        leader_signer.sign(data)
    with pytest.raises(EncryptedPdfError):
        validate(data)


def test_huge_pdf_refused_before_reading_it_all(leader_signer, pki):
    small = DocumentSigner(leader_signer.signer, pki=pki, max_bytes=10_000)
    stream = io.BytesIO(make_pdf(1, pad_to=50_000))
    with pytest.raises(PdfTooLargeError):
        small.sign(stream)
    assert stream.tell() <= 10_001


def test_output_stream_untouched_on_failure(leader_signer):
    out = io.BytesIO()
    with pytest.raises(BadPdfError):
        leader_signer.sign(b"not a pdf at all, sorry", output=out)
    assert out.getvalue() == b""


def test_input_bytes_never_modified(leader_signer, pdf1):
    original = bytes(pdf1)
    buf = bytearray(pdf1)
    leader_signer.sign(buf, level="B-B")
    assert bytes(buf) == original
