"""Key custody: PIN-protected PKCS#12, PKCS#11 tokens, and the PIN lock-out.

A signer is opened once (one PIN entry) and then signs many documents:
:class:`CachedKeySigner` keeps the *parsed* private key, because pyHanko's
stock ``SimpleSigner`` re-parses (and re-validates) the RSA key on every
signature, which costs two orders of magnitude more than the RSA operation.

The signing PIN is distinct from the login password.  :class:`PinGuard`
counts wrong PINs per key and locks signing for a while; its state lives in a
:class:`PinStateStore` so the web app can keep it in its database.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.sign.signers.pdf_cms import Signer
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from .errors import (
    CertificateRefusedError,
    KeyAccessError,
    PinLockedError,
    WrongPinError,
)
from .pki import to_asn1_cert

__all__ = [
    "CachedKeySigner",
    "FilePinStore",
    "MemoryPinStore",
    "PinGuard",
    "PinState",
    "PinStateStore",
    "check_certificate_usable",
    "load_pkcs12",
    "open_pkcs11_signer",
]

SOFTHSM_MODULES = ("/usr/lib/softhsm/libsofthsm2.so",
                   "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so")


# --------------------------------------------------------------------------- PIN guard
@dataclass
class PinState:
    failures: int = 0
    locked_until: float = 0.0


class PinStateStore(Protocol):
    """Where failure counters live.  Implement it over a DB table in the web app."""

    def get(self, key_id: str) -> PinState: ...

    def put(self, key_id: str, state: PinState) -> None: ...


class MemoryPinStore:
    def __init__(self) -> None:
        self._states: dict[str, PinState] = {}
        self._lock = threading.Lock()

    def get(self, key_id: str) -> PinState:
        with self._lock:
            s = self._states.get(key_id)
            return PinState(s.failures, s.locked_until) if s else PinState()

    def put(self, key_id: str, state: PinState) -> None:
        with self._lock:
            self._states[key_id] = PinState(state.failures, state.locked_until)


class FilePinStore:
    """JSON file store, used by the CLI so lock-outs survive between invocations."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)

    def _read(self) -> dict:
        try:
            return json.loads(self.path.read_text())
        except (FileNotFoundError, ValueError):
            return {}

    def get(self, key_id: str) -> PinState:
        raw = self._read().get(key_id)
        return PinState(**raw) if raw else PinState()

    def put(self, key_id: str, state: PinState) -> None:
        data = self._read()
        data[key_id] = {"failures": state.failures, "locked_until": state.locked_until}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data))
        os.replace(tmp, self.path)


class PinGuard:
    """After ``max_failures`` wrong PINs in a row, refuse for ``lock_seconds``."""

    def __init__(self, store: PinStateStore | None = None, *, max_failures: int = 5,
                 lock_seconds: float = 300.0, clock=time.time):
        self.store = store or MemoryPinStore()
        self.max_failures = max_failures
        self.lock_seconds = lock_seconds
        self.clock = clock

    def check(self, key_id: str) -> None:
        state = self.store.get(key_id)
        if state.locked_until > self.clock():
            wait = int(state.locked_until - self.clock()) + 1
            raise PinLockedError(
                f"signing is locked after {self.max_failures} wrong PINs; retry in {wait} s",
                locked_until=state.locked_until)

    def failure(self, key_id: str) -> int:
        """Record a wrong PIN; returns attempts left (0 means now locked)."""
        state = self.store.get(key_id)
        if state.locked_until and state.locked_until <= self.clock():
            state = PinState()  # the previous lock expired: start counting afresh
        state.failures += 1
        remaining = max(self.max_failures - state.failures, 0)
        if remaining == 0:
            state.locked_until = self.clock() + self.lock_seconds
        self.store.put(key_id, state)
        return remaining

    def success(self, key_id: str) -> None:
        self.store.put(key_id, PinState())


# --------------------------------------------------------------------------- signers
class CachedKeySigner(Signer):
    """pyHanko ``Signer`` holding an already-parsed ``cryptography`` private key.

    Also answers pyHanko's size-estimation dry run with zero bytes of the right
    length instead of performing a real RSA operation.
    """

    def __init__(self, private_key, signing_cert: x509.Certificate,
                 chain: Iterable[x509.Certificate] = (), *, embed_roots: bool = True):
        store = SimpleCertificateStore()
        store.register_multiple([to_asn1_cert(c) for c in chain])
        super().__init__(signing_cert=to_asn1_cert(signing_cert), cert_registry=store,
                         embed_roots=embed_roots)
        self._key = private_key
        self.certificate = signing_cert
        self.chain = list(chain)
        if isinstance(private_key, rsa.RSAPrivateKey):
            self._sig_len = (private_key.key_size + 7) // 8
        else:
            self._sig_len = 2 * ((private_key.key_size + 7) // 8) + 8

    async def async_sign_raw(self, data: bytes, digest_algorithm: str,
                             dry_run: bool = False) -> bytes:
        if dry_run:
            return bytes(self._sig_len)
        return self.sign_raw(data, digest_algorithm)

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        hash_algo = get_pyca_cryptography_hash(digest_algorithm)
        if isinstance(self._key, rsa.RSAPrivateKey):
            mech = self.get_signature_mechanism_for_digest(digest_algorithm)
            if mech.signature_algo == "rsassa_pss":
                pad = padding.PSS(padding.MGF1(hash_algo), hash_algo.digest_size)
            else:
                pad = padding.PKCS1v15()
            return self._key.sign(data, pad, hash_algo)
        if isinstance(self._key, ec.EllipticCurvePrivateKey):
            return self._key.sign(data, ec.ECDSA(hash_algo))
        raise KeyAccessError(f"unsupported key type {type(self._key).__name__}")

    @property
    def subject(self) -> str:
        return self.certificate.subject.rfc4514_string()


def _key_id_for(p12: bytes) -> str:
    h = hashes.Hash(hashes.SHA256())
    h.update(p12)
    return "p12:" + h.finalize()[:12].hex()


def load_pkcs12(p12: bytes, pin: str, *, guard: PinGuard | None = None,
                key_id: str | None = None, check: bool = True) -> CachedKeySigner:
    """Open a PIN-protected PKCS#12 once; the result signs any number of documents.

    ``key_id`` names the counter in ``guard`` (default: a hash of the file, the
    web app should pass the user id).  A wrong PIN raises :class:`WrongPinError`
    with the attempts left, then :class:`PinLockedError`; an expired or
    not-yet-valid certificate raises :class:`CertificateRefusedError`.
    """
    key_id = key_id or _key_id_for(p12)
    if guard is not None:
        guard.check(key_id)
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(p12, (pin or "").encode("utf-8"))
    except ValueError as exc:
        msg = str(exc).lower()
        if "invalid password" in msg or "mac" in msg or "password" in msg:
            remaining = guard.failure(key_id) if guard is not None else None
            if remaining == 0:
                raise PinLockedError("wrong PIN; signing is now locked for a while",
                                     locked_until=guard.store.get(key_id).locked_until
                                     ) from None
            raise WrongPinError("wrong signing PIN", remaining=remaining) from None
        raise KeyAccessError(f"not a usable PKCS#12 file: {exc}") from None
    if key is None or cert is None:
        raise KeyAccessError("the PKCS#12 file holds no private key and certificate")
    if guard is not None:
        guard.success(key_id)
    if check:
        check_certificate_usable(cert)
    return CachedKeySigner(key, cert, extra)


def check_certificate_usable(cert: x509.Certificate, *, revocation=None,
                             at: datetime | None = None) -> None:
    """Refuse expired, not-yet-valid or revoked certificates, saying which.

    ``revocation`` is a callable ``cert -> RevocationStatus`` (e.g.
    :meth:`signing.pki.DemoPKI.status`), when the issuer's revocation data is known.
    """
    at = at or datetime.now(UTC)
    if cert.not_valid_after_utc < at:
        raise CertificateRefusedError(
            f"certificate expired on {cert.not_valid_after_utc:%Y-%m-%d}", reason="expired",
            message_vi=f"Chứng thư số đã hết hạn ngày {cert.not_valid_after_utc:%d/%m/%Y}")
    if cert.not_valid_before_utc > at:
        raise CertificateRefusedError(
            f"certificate not valid before {cert.not_valid_before_utc:%Y-%m-%d}",
            reason="not_yet_valid", message_vi="Chứng thư số chưa đến thời hạn sử dụng")
    if revocation is not None:
        st = revocation(cert)
        if st.status == "revoked":
            raise CertificateRefusedError(
                f"certificate revoked on {st.revoked_at:%Y-%m-%d %H:%M} ({st.reason})",
                reason="revoked",
                message_vi=f"Chứng thư số đã bị thu hồi ngày {st.revoked_at:%d/%m/%Y}")


def open_pkcs11_signer(module: str | None, pin: str, *, token_label: str | None = None,
                       key_label: str | None = None, cert_label: str | None = None,
                       key_id: bytes | None = None,
                       chain: Iterable[x509.Certificate] = (),
                       signing_cert: x509.Certificate | None = None):
    """Open a key on a PKCS#11 token (USB token, HSM; SoftHSM2 in tests).

    Returns ``(signer, session)``; close the session (``session.close()``) when
    done.  The key never leaves the token; pyHanko's ``PKCS11Signer`` does the
    work.  ``module`` defaults to SoftHSM2 when installed.
    """
    import pkcs11
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

    if module is None:
        module = next((m for m in SOFTHSM_MODULES if os.path.exists(m)), None)
        if module is None:
            raise KeyAccessError("no PKCS#11 module given and SoftHSM2 is not installed")
    try:
        session = open_pkcs11_session(module, token_criteria=TokenCriteria(label=token_label),
                                      user_pin=pin)
    except pkcs11.exceptions.PinIncorrect:
        raise WrongPinError("wrong token PIN") from None
    except pkcs11.exceptions.PinLocked:
        raise PinLockedError("the token PIN is locked", locked_until=float("inf")) from None
    except Exception as exc:  # pkcs11 raises many unrelated types
        raise KeyAccessError(f"cannot open the PKCS#11 token: {exc}") from exc
    signer = PKCS11Signer(
        session, cert_label=cert_label, key_label=key_label, key_id=key_id,
        cert_id=key_id if cert_label is None else None,
        signing_cert=to_asn1_cert(signing_cert) if signing_cert is not None else None,
        ca_chain=[to_asn1_cert(c) for c in chain],
    )
    return signer, session


def signer_certificate(signer: Signer) -> x509.Certificate:
    """The signer's certificate as a ``cryptography`` object, whatever the signer."""
    cert: asn1_x509.Certificate = signer.signing_cert
    return x509.load_der_x509_certificate(cert.dump())


def load_pem_certs(data: bytes) -> list[x509.Certificate]:
    if b"-----BEGIN" in data:
        return x509.load_pem_x509_certificates(data)
    return [x509.load_der_x509_certificate(data)]


__all__ += ["load_pem_certs", "signer_certificate"]
