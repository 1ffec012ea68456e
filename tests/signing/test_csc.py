"""Signing with keys held by a real CSC service (certomancer-csc-dummy in its own process).

The credentials are issued by the session's demo PKI, so a remote signature validates like
a local one: B-LT, pyHanko and pdfsig."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from signing import (
    DocumentSigner,
    LeaderAppearance,
    Role,
    SealAppearance,
    demo_seal_png,
    validate,
)
from signing.csc import CscProvider, CscService
from signing.remote import (
    RemoteAuthorisation,
    RemoteCredentialRefused,
    RemoteSignatureInvalid,
    RemoteSigner,
    RemoteUnavailable,
    RemoteWrongAuthorisation,
)
from signing.samples import make_pdf
from tests.signing.csc_service import (
    CLIENT_ID,
    CLIENT_SECRET,
    CscServer,
    Holder,
    holder_from_p12,
    write_config,
)

from .conftest import SEAL_PIN, USER_PIN

REMOTE_PIN = "482613"


@pytest.fixture(scope="module")
def holders(leader_p12, seal_p12) -> dict[str, Holder]:
    return {"leader": holder_from_p12("leader", leader_p12.pkcs12, USER_PIN),
            "seal": holder_from_p12("seal", seal_p12.pkcs12, SEAL_PIN)}


@pytest.fixture(scope="module")
def csc_config(pki, holders, tmp_path_factory) -> Path:
    return write_config(tmp_path_factory.mktemp("csc"), pki, list(holders.values()))


@pytest.fixture(scope="module")
def csc(csc_config) -> Iterator[CscServer]:
    server = CscServer(csc_config, {"leader": REMOTE_PIN, "seal": REMOTE_PIN}).start()
    yield server
    server.stop()


def _provider(server: CscServer, holder: Holder, timeout: float = 10.0) -> CscProvider:
    return CscProvider(CscService(server.url, CLIENT_ID, CLIENT_SECRET, timeout=timeout),
                       holder.credential_id)


def _signer(server: CscServer, holder: Holder, pki, *, signatures: int = 1, pin: str =
            REMOTE_PIN, otp: str | None = None, timeout: float = 10.0) -> DocumentSigner:
    remote = RemoteSigner(_provider(server, holder, timeout),
                          RemoteAuthorisation(pin=pin, otp=otp), signatures=signatures)
    return DocumentSigner(remote, pki=pki)


def test_leader_then_seal_remote_valid_in_pyhanko_and_pdfsig(csc, holders, pki, tmp_path,
                                                              pdfsig):
    leader = _signer(csc, holders["leader"], pki)
    assert leader.default_level == "B-LT"
    signed = leader.sign(make_pdf(1), role=Role.LEADER, leader=LeaderAppearance(
        name="Nguyễn Văn An", title="PHÓ CHỦ TỊCH"))
    sealed = _signer(csc, holders["seal"], pki).sign(
        signed, role=Role.ORG, seal=SealAppearance(demo_seal_png("Ủy ban nhân dân tỉnh Hà Giang")))
    report = validate(sealed, pki=pki)
    assert report.ok, report.verdict_en
    assert [s.level for s in report.signatures][:2] == ["B-LT", "B-LT"]
    path = tmp_path / "remote.pdf"
    path.write_bytes(sealed)
    pdfsig.check_all_valid(path, expected=2)


def test_batch_of_ten_takes_one_authorisation(csc, holders, pki):
    before = csc.stats()["authorize"].get(holders["leader"].credential_id, 0)
    signer = _signer(csc, holders["leader"], pki, signatures=10)
    results = signer.sign_batch([(f"d{i}.pdf", make_pdf(1)) for i in range(10)])
    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    assert csc.stats()["authorize"][holders["leader"].credential_id] == before + 1
    assert signer.signer.authorisations == 1  # type: ignore[attr-defined]
    assert all(validate(r.output, pki=pki).ok for r in results[:2])


def test_batch_outliving_its_authorisation_authorises_again_with_the_same_pin(csc, holders,
                                                                            pki):
    signer = _signer(csc, holders["leader"], pki, signatures=5)
    csc.switch(expire_in=2)  # two signatures, then the service says the SAD expired
    results = signer.sign_batch([(f"d{i}.pdf", make_pdf(1)) for i in range(5)])
    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    assert signer.signer.authorisations == 2  # type: ignore[attr-defined]


def test_wrong_pin_says_attempts_left_and_signs_nothing(csc, holders, pki):
    with pytest.raises(RemoteWrongAuthorisation) as caught:
        _signer(csc, holders["seal"], pki, pin="000000")
    assert caught.value.remaining == 2
    assert "không đúng" in caught.value.message_vi
    _signer(csc, holders["seal"], pki)  # the right PIN resets the service's counter


def test_revoked_credential_refused(csc, holders, pki):
    csc.switch(revoked=[holders["leader"].credential_id])
    try:
        with pytest.raises(RemoteCredentialRefused) as caught:
            _signer(csc, holders["leader"], pki)
        assert caught.value.reason == "revoked"
    finally:
        csc.switch(revoked=[])


def test_signature_from_another_key_is_never_embedded(csc, holders, pki):
    signer = _signer(csc, holders["leader"], pki)
    csc.switch(corrupt=True)
    try:
        with pytest.raises(RemoteSignatureInvalid):
            signer.sign(make_pdf(1))
    finally:
        csc.switch(corrupt=False)


def test_slow_service_times_out(csc, holders, pki):
    signer = _signer(csc, holders["leader"], pki, timeout=1.0)
    csc.switch(delay=3)
    try:
        with pytest.raises(RemoteUnavailable) as caught:
            signer.sign(make_pdf(1))
        assert caught.value.timeout
        assert "quá thời gian" in caught.value.message_vi
    finally:
        csc.switch(delay=0)


def test_unreachable_service(csc, holders, pki):
    dead = CscServer(csc.config, {})  # a port nobody listens on
    with pytest.raises(RemoteUnavailable) as caught:
        _signer(dead, holders["leader"], pki)
    assert not caught.value.timeout


def test_scal2_needs_the_otp(csc_config, holders, pki):
    server = CscServer(csc_config, {"leader": REMOTE_PIN}, scal=2, otp="918273").start()
    try:
        provider = _provider(server, holders["leader"])
        credential = provider.credential()
        assert credential.hash_bound and credential.needs_otp and credential.needs_pin
        no_otp = _signer(server, holders["leader"], pki)  # SCAL2: nothing authorised yet
        with pytest.raises(RemoteWrongAuthorisation) as caught:
            no_otp.sign(make_pdf(1))
        assert caught.value.otp
        signed = _signer(server, holders["leader"], pki, otp="918273").sign(make_pdf(1))
        assert validate(signed, pki=pki).ok
    finally:
        server.stop()


def test_cli_signs_with_csc_source(csc, holders, pki_dir, tmp_path):
    source, out = tmp_path / "in.pdf", tmp_path / "out.pdf"
    source.write_bytes(make_pdf(1))
    (tmp_path / "pin").write_text(REMOTE_PIN)
    (tmp_path / "secret").write_text(CLIENT_SECRET)
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-m", "signing", "sign", str(source), str(out), "--pki", str(pki_dir),
         "--csc-url", csc.url, "--csc-credential", holders["leader"].credential_id,
         "--csc-client-id", CLIENT_ID, "--csc-client-secret-file", str(tmp_path / "secret"),
         "--pin-file", str(tmp_path / "pin")],
        cwd=root, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(root)})
    assert result.returncode == 0, result.stderr
    assert "B-LT" in result.stdout
    assert REMOTE_PIN not in result.stdout + result.stderr
    assert out.read_bytes().startswith(b"%PDF")
