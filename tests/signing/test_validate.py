"""Tampering, modification after signing, untrusted roots and revocation are reported."""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils.content import RawContent
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import BoxConstraints

from signing import DemoPKI, DocumentSigner, load_pkcs12, validate
from signing.samples import make_pdf

PIN = "1111"


@pytest.fixture(scope="module")
def signed_bb(leader_signer, pdf1):
    return leader_signer.sign(pdf1, level="B-B")


def test_tampered_bytes_reported(signed_bb, pki):
    i = signed_bb.index(b"Dieu 3.")
    bad = signed_bb[:i] + b"Dieu 9." + signed_bb[i + 7:]
    rep = validate(bad, pki=pki)
    assert not rep.ok
    s = rep.signatures[0]
    assert not s.intact
    assert "altered" in s.verdict_en and "thay đổi" in s.verdict_vi


def test_signature_over_a_changed_document_reported(signed_bb, pki):
    w = IncrementalPdfFileWriter(io.BytesIO(signed_bb))
    w.add_stream_to_page(0, w.add_object(
        RawContent(b"0 0 1 rg 10 10 50 50 re f", box=BoxConstraints(60, 60)).as_form_xobject()))
    out = io.BytesIO()
    w.write(out)
    rep = validate(out.getvalue(), pki=pki)
    s = rep.signatures[0]
    assert s.intact  # the signed revision itself is fine...
    assert not s.ok and not s.modifications_allowed  # ...but the document changed after it
    assert "modified after signing" in s.verdict_en


def test_untrusted_root_reported(signed_bb, tmp_path):
    rep = validate(signed_bb)  # no trust anchor at all
    s = rep.signatures[0]
    assert s.intact and not s.trusted and not rep.ok
    assert s.verdict_en.startswith("UNTRUSTED")
    other = DemoPKI.init(tmp_path / "other", org="Other CA")
    rep = validate(signed_bb, trust_roots=[other.root_pem()])
    assert rep.signatures[0].verdict_en.startswith("UNTRUSTED")


def test_revoked_signer_reported_and_refused(pki, pdf1):
    issued = pki.issue_user("Trần Thị Bình", PIN, title="Chuyên viên")
    signer = DocumentSigner(load_pkcs12(issued.pkcs12, PIN), pki=pki)
    signed = signer.sign(pdf1, level="B-T")
    assert validate(signed, pki=pki).ok
    pki.revoke(issued.certificate, reason="key_compromise")
    rep = validate(signed, pki=pki)
    s = rep.signatures[0]
    assert s.revocation == "revoked" and not s.ok
    assert "revoked" in s.verdict_en and "thu hồi" in s.verdict_vi
    from signing import CertificateRefusedError

    with pytest.raises(CertificateRefusedError) as ei:
        signer.sign(pdf1)
    assert ei.value.reason == "revoked"
    with pytest.raises(CertificateRefusedError):
        DocumentSigner(load_pkcs12(issued.pkcs12, PIN), pki=pki)


def test_no_signature(pki):
    rep = validate(make_pdf(1), pki=pki)
    assert not rep.ok and rep.signatures == []


def test_report_is_json_serialisable(signed_bb, pki):
    import json

    d = validate(signed_bb, pki=pki).to_dict()
    assert json.loads(json.dumps(d))["signatures"][0]["signer"] == "Nguyễn Văn An"


def test_validation_of_three_signatures_is_fast(leader_signer, seal_signer, pki, pdf1):
    import time

    data = leader_signer.sign(pdf1, level="B-T")
    data = seal_signer.sign(data, level="B-T")
    data = leader_signer.sign(data, level="B-T")
    validate(data, pki=pki)  # warm caches
    t = time.perf_counter()
    rep = validate(data, pki=pki)
    elapsed = time.perf_counter() - t
    assert rep.ok and len(rep.signatures) == 3
    assert elapsed < 1.0  # generous bound for CI; the benchmark prints the real figure
