"""PAdES levels B-B … B-LTA: our validator, pdfsig and pyHanko's AdES agree."""

from __future__ import annotations

import pytest

from signing import Level, validate

from .ades import lta_verdicts, with_time_verdicts


@pytest.fixture(scope="module")
def signed(leader_signer, pdf1) -> dict[str, bytes]:
    return {lv.value: leader_signer.sign(pdf1, level=lv) for lv in Level}


def test_default_level_is_blt_with_tsa_and_revocation_data(leader_signer):
    assert leader_signer.default_level == Level.B_LT


@pytest.mark.parametrize("level", [lv.value for lv in Level])
def test_level_validates(signed, level, pki):
    rep = validate(signed[level], pki=pki)
    assert rep.ok, rep.verdict_en
    sig = rep.signatures[0]
    assert sig.level == level
    assert sig.intact and sig.trusted and sig.revocation == "good"
    assert sig.signer == "Nguyễn Văn An"
    assert (sig.timestamp is None) == (level == "B-B")
    assert sig.ltv == (level in ("B-LT", "B-LTA"))
    assert sig.verdict_vi.startswith("Hợp lệ") and sig.verdict_en.startswith("VALID")
    assert sig.signing_time.endswith("+07:00")
    assert [c.common_name for c in sig.chain][-1].endswith("Root CA")


def test_subfilter_is_pades_sha256(signed):
    for data in signed.values():
        assert b"/ETSI.CAdES.detached" in data


@pytest.mark.parametrize("level", [lv.value for lv in Level])
def test_pdfsig_accepts_every_level(signed, level, tmp_path, pdfsig):
    p = tmp_path / f"{level}.pdf"
    p.write_bytes(signed[level])
    pdfsig.check_all_valid(p, expected=1)


def test_pdfsig_untrusted_without_our_root(signed, tmp_path, pdfsig_untrusting):
    p = tmp_path / "bb.pdf"
    p.write_bytes(signed["B-B"])
    out = pdfsig_untrusting.run(p)
    assert "Signature is Valid." in out
    assert "Certificate is Trusted." not in out


def test_pyhanko_ades_lta_accepts_blta(signed, pki_dir):
    assert lta_verdicts(signed["B-LTA"], pki_dir / "root.pem") == ["OK"]


def test_pyhanko_ades_accepts_blt_offline_with_embedded_revinfo(signed, pki_dir):
    assert with_time_verdicts(signed["B-LT"], pki_dir / "root.pem") == ["OK"]
    # ...and the same process refuses B-T, which carries no revocation data:
    assert with_time_verdicts(signed["B-T"], pki_dir / "root.pem") != ["OK"]


def test_sequential_signatures_are_incremental(leader_signer, seal_signer, pdf1, pki, tmp_path,
                                               pdfsig):
    a = leader_signer.sign(pdf1, level="B-T")
    b = seal_signer.sign(a, level="B-LT")
    assert b.startswith(a)  # incremental update: the first revision is untouched
    rep = validate(b, pki=pki)
    assert rep.ok and len(rep.signatures) == 2, rep.verdict_en
    p = tmp_path / "two.pdf"
    p.write_bytes(b)
    pdfsig.check_all_valid(p, expected=2)
