"""Key custody: PIN, lock-out, expired certificates, encrypted CA keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from signing import (
    CertificateRefusedError,
    DocumentSigner,
    FilePinStore,
    KeyAccessError,
    PinGuard,
    PinLockedError,
    WrongPinError,
    load_pkcs12,
)

from .conftest import USER_PIN


class Clock:
    def __init__(self):
        self.t = 1_000_000.0

    def __call__(self):
        return self.t


def test_wrong_pin_is_a_clear_error(leader_p12):
    with pytest.raises(WrongPinError) as ei:
        load_pkcs12(leader_p12.pkcs12, "000000")
    assert ei.value.code == "wrong_pin" and "PIN" in ei.value.message_vi


def test_repeated_failures_lock_signing_for_a_while(leader_p12):
    clock = Clock()
    guard = PinGuard(max_failures=3, lock_seconds=600, clock=clock)
    rem = []
    for _ in range(2):
        with pytest.raises(WrongPinError) as ei:
            load_pkcs12(leader_p12.pkcs12, "bad", guard=guard, key_id="u1")
        rem.append(ei.value.remaining)
    assert rem == [2, 1]
    with pytest.raises(PinLockedError):
        load_pkcs12(leader_p12.pkcs12, "bad", guard=guard, key_id="u1")
    # even the right PIN is refused while locked
    with pytest.raises(PinLockedError):
        load_pkcs12(leader_p12.pkcs12, USER_PIN, guard=guard, key_id="u1")
    clock.t += 601
    load_pkcs12(leader_p12.pkcs12, USER_PIN, guard=guard, key_id="u1")
    assert guard.store.get("u1").failures == 0


def test_lock_state_survives_in_a_file_store(leader_p12, tmp_path):
    clock = Clock()
    g1 = PinGuard(FilePinStore(tmp_path / "pins.json"), max_failures=1, clock=clock)
    with pytest.raises(PinLockedError):
        load_pkcs12(leader_p12.pkcs12, "bad", guard=g1, key_id="u2")
    g2 = PinGuard(FilePinStore(tmp_path / "pins.json"), max_failures=1, clock=clock)
    with pytest.raises(PinLockedError):
        g2.check("u2")


def test_not_a_p12(tmp_path):
    with pytest.raises(KeyAccessError):
        load_pkcs12(b"garbage", "1234")


def test_expired_certificate_refused(pki, pdf1):
    old = pki.issue_user("Lê Văn Cũ", "9999", not_before=datetime.now(UTC) - timedelta(days=10),
                         validity_days=5)
    with pytest.raises(CertificateRefusedError) as ei:
        load_pkcs12(old.pkcs12, "9999")
    assert ei.value.reason == "expired" and "hết hạn" in ei.value.message_vi
    key = load_pkcs12(old.pkcs12, "9999", check=False)
    with pytest.raises(CertificateRefusedError):
        DocumentSigner(key, pki=pki)


def test_private_keys_never_stored_in_clear(pki_dir, leader_p12):
    for f in pki_dir.glob("*.key.pem"):
        text = f.read_text()
        assert "ENCRYPTED PRIVATE KEY" in text and "BEGIN PRIVATE KEY" not in text
        assert (f.stat().st_mode & 0o077) == 0
    from cryptography.hazmat.primitives.serialization import pkcs12

    with pytest.raises(ValueError):
        pkcs12.load_key_and_certificates(leader_p12.pkcs12, None)


def test_pin_required_to_issue(pki):
    from signing import PkiError

    with pytest.raises(PkiError):
        pki.issue_user("X", "")
