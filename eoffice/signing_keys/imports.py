"""Installing a leader's or the seal's PKCS#12 from a licensed CA (``flask documents
import-certificate``).

The file is opened once with its own password; the key is then stored exactly like a demo
PKI's: a PKCS#12 under the holder's new signing PIN (AES-256, ``signing.pki.make_pkcs12``) at
``holders/user-<id>.p12`` or ``holders/seal-<id>.p12``. Neither the password nor the PIN is
kept or logged; the audit trail names the certificate (serial, subject, issuer), not them.

Every check runs before anything is written, and the file replaces the previous one in one
rename, so a refusal leaves the holder's old key as it was.
"""

from __future__ import annotations

import getpass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

import signing
from eoffice import audit
from eoffice.accounts.models import User
from eoffice.errors import InvalidInput
from eoffice.extensions import db
from eoffice.organisation.models import Organisation
from eoffice.signing_keys.credentials import seal_p12, user_p12
from eoffice.signing_keys.pins import DbPinStore
from eoffice.signing_keys.trust import check_trusted
from signing.pki import make_pkcs12

MIN_PIN_LENGTH = 6
MAX_P12_BYTES = 256 * 1024


class CertificateImportRefused(InvalidInput):
    """The PKCS#12 cannot serve as a signing key; the message says why, in Vietnamese."""


def _public_der(key: object) -> bytes:
    return key.public_bytes(serialization.Encoding.DER,  # type: ignore[attr-defined]
                            serialization.PublicFormat.SubjectPublicKeyInfo)


def _open(data: bytes, password: str) -> tuple[rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
                                               x509.Certificate, list[x509.Certificate]]:
    if len(data) > MAX_P12_BYTES:
        raise CertificateImportRefused("Tệp PKCS#12 quá lớn (tối đa 256 KB).")
    try:
        key, certificate, extra = pkcs12.load_key_and_certificates(
            data, password.encode("utf-8") or None)
    except ValueError:
        raise CertificateImportRefused("Không mở được tệp PKCS#12: sai mật khẩu của tệp hoặc "
                                       "tệp hỏng.") from None
    if certificate is None or key is None:
        raise CertificateImportRefused("Tệp PKCS#12 phải có cả khóa riêng và chứng thư số "
                                       "của nó.")
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise CertificateImportRefused("Khóa trong tệp không phải khóa RSA hoặc ECDSA.")
    if _public_der(key.public_key()) != _public_der(certificate.public_key()):
        raise CertificateImportRefused("Khóa riêng trong tệp không khớp với chứng thư số.")
    return key, certificate, list(extra)


def _check_usage(certificate: x509.Certificate) -> None:
    now = datetime.now(UTC)
    if now < certificate.not_valid_before_utc:
        raise CertificateImportRefused(
            "Chứng thư số chưa đến thời hạn hiệu lực (từ "
            f"{certificate.not_valid_before_utc:%d/%m/%Y}).")
    if now > certificate.not_valid_after_utc:
        raise CertificateImportRefused(
            f"Chứng thư số đã hết hạn ngày {certificate.not_valid_after_utc:%d/%m/%Y}.")
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints)
        is_ca = constraints.value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
        signs = usage.digital_signature or usage.content_commitment
    except x509.ExtensionNotFound:
        signs = False
    if is_ca or not signs:
        raise CertificateImportRefused(
            "Chứng thư số không dùng để ký số (thiếu mục đích sử dụng khóa "
            "“chữ ký số” hoặc “chống chối bỏ”).")


def import_certificate(holder: User | Organisation, data: bytes, password: str,
                       pin: str) -> x509.Certificate:
    """Install the PKCS#12 ``data`` (opened with ``password``) as ``holder``'s signing key
    (a user: their own; an organisation: its seal) under the new signing ``pin``, and commit
    with its audit event. The new file takes the old one's place only once the event is
    committed."""
    if len(pin) < MIN_PIN_LENGTH:
        raise CertificateImportRefused(f"Mã PIN ký số phải có ít nhất {MIN_PIN_LENGTH} ký tự.")
    key, certificate, extra = _open(data, password)
    _check_usage(certificate)
    try:
        check_trusted(certificate, extra)
    except signing.SigningError as error:
        raise CertificateImportRefused(f"{error.message_vi}.") from None
    subject = certificate.subject.rfc4514_string()
    chain = [c for c in extra if c != certificate]
    protected = make_pkcs12(key, certificate, chain, pin, subject)  # type: ignore[arg-type]
    if isinstance(holder, User):
        path, key_id, kind = user_p12(holder), f"user:{holder.id}", "user"
    else:
        path, key_id, kind = seal_p12(holder), f"seal:{holder.id}", "organisation"
    path.parent.mkdir(parents=True, exist_ok=True)
    pending = path.with_name(path.name + ".importing")
    pending.write_bytes(protected)
    pending.chmod(0o600)
    try:
        audit.record(None, "signing_certificate_imported", kind, holder.id,
                     holder=key_id, serial=format(certificate.serial_number, "x"),
                     subject=subject, issuer=certificate.issuer.rfc4514_string(),
                     not_after=certificate.not_valid_after_utc.isoformat(),
                     operator=getpass.getuser(), via="cli")
        db.session.commit()
    except BaseException:
        db.session.rollback()
        pending.unlink(missing_ok=True)
        raise
    pending.replace(path)
    # A new key under a new PIN: the old key's wrong-PIN count no longer applies.
    DbPinStore().put(key_id, signing.PinState())
    return certificate
