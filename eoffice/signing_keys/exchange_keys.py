"""Each organisation's exchange certificate: the key the server signs its edXML packages and
status messages with (like a TLS key, an organisation's system certificate for the axis).

The seal certificate cannot do this: its key is PIN-protected and the outbox's job has no
PIN. The exchange key is held by the server, in ``<pki dir>/holders/exchange-<id>.p12``,
encrypted with the installation's PKI passphrase (``EOFFICE_PKI_PASSPHRASE``, or the demo
PKI's passphrase file) — never with a person's PIN; ``exchange-<id>.pem`` beside it is the
public certificate, read on arrival without the passphrase.

Where it comes from: the embedded demo PKI issues one per organisation (on seed-demo, afresh
when an organisation is created, and on first use for one that has none); in production an
administrator installs a PKCS#12 from a real CA with ``flask exchange set-certificate``
(:func:`set_exchange_certificate`).

Whose it is: a certificate the demo PKI issues names the organisation's edXML OrganId in its
subject as ``UID=EDXML:<OrganId>`` (the Vietnamese CAs' habit of prefixed identifiers in UID,
as ``MST:`` for a tax code). Trusted roots are the demo PKI's root and the PEM files an
administrator puts in ``<pki dir>/exchange-trust/``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from flask import current_app

from eoffice.errors import InvalidInput
from eoffice.organisation.models import Organisation
from eoffice.signing_keys.pki import demo_pki, pki_dir
from eoffice.signing_keys.trust import trusted_roots as signature_trusted_roots
from signing.system_certs import issue_system

ORGAN_ID_PREFIX = "EDXML:"
TRUST_DIR = "exchange-trust"
MAX_CHAIN = 6
SigningKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


class ExchangeCertificateMissing(InvalidInput):
    """The organisation has no exchange certificate (production, none installed yet)."""


class ExchangeCertificateRefused(InvalidInput):
    """A PKCS#12 offered as an exchange certificate that cannot serve (the message says why)."""


@dataclass(frozen=True)
class ExchangeKey:
    """What signs an organisation's packages: the key and its chain, certificate first."""

    key: SigningKey
    chain: tuple[x509.Certificate, ...]

    @property
    def certificate(self) -> x509.Certificate:
        """The organisation's own certificate (the chain's first)."""
        return self.chain[0]


_opened: dict[tuple[str, int, int], ExchangeKey] = {}
_opened_lock = threading.Lock()


def _holder(organisation: Organisation, suffix: str) -> Path:
    return pki_dir() / "holders" / f"exchange-{organisation.id}.{suffix}"


def demo_pki_in_use() -> bool:
    """True when the installation signs with its embedded demo PKI (``make run``, tests)."""
    return (pki_dir() / "root.pem").exists()


def _passphrase() -> str:
    settings = current_app.config["EOFFICE_SETTINGS"]
    if settings.pki_passphrase:
        return str(settings.pki_passphrase)
    if demo_pki_in_use() and (pki_dir() / "ca-passphrase").exists():
        return (pki_dir() / "ca-passphrase").read_text().strip()
    raise ExchangeCertificateMissing(
        "Chưa cấu hình mật khẩu bảo vệ khóa của hệ thống (EOFFICE_PKI_PASSPHRASE) nên không "
        "lưu, mở được chứng thư số liên thông.")


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    tmp.chmod(0o600)
    tmp.replace(path)


def _store(organisation: Organisation, key: SigningKey,
           chain: tuple[x509.Certificate, ...]) -> None:
    """Write the key (under the installation's passphrase) and the public certificate."""
    encryption = (serialization.PrivateFormat.PKCS12.encryption_builder()
                  .kdf_rounds(50_000)
                  .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
                  .hmac_hash(hashes.SHA256()).build(_passphrase().encode()))
    data = pkcs12.serialize_key_and_certificates(
        f"exchange {organisation.organ_id}".encode(), key, chain[0], list(chain[1:]),
        encryption)
    path = _holder(organisation, "p12")
    _write_private(path, data)
    _write_private(_holder(organisation, "pem"),
                   chain[0].public_bytes(serialization.Encoding.PEM))
    _remember(path, ExchangeKey(key, chain))


def _stamp(path: Path) -> tuple[str, int, int]:
    stat = path.stat()
    return str(path), stat.st_mtime_ns, stat.st_size


def _remember(path: Path, opened: ExchangeKey) -> None:
    """Keep ``opened`` for this process until ``path`` changes: opening the PKCS#12 costs
    ~0.1 s (its KDF), and a local delivery has a second to arrive."""
    with _opened_lock:
        if len(_opened) >= 64:
            _opened.clear()
        _opened[_stamp(path)] = opened


def organ_id_of(certificate: x509.Certificate) -> str | None:
    """The edXML OrganId a certificate names (``UID=EDXML:<OrganId>``), if any."""
    for attribute in certificate.subject.get_attributes_for_oid(NameOID.USER_ID):
        value = str(attribute.value)
        if value.upper().startswith(ORGAN_ID_PREFIX):
            return value[len(ORGAN_ID_PREFIX):].strip()
    return None


def issue_demo_exchange_certificate(organisation: Organisation) -> x509.Certificate:
    """A new exchange certificate for ``organisation`` from the demo PKI (the installation's
    passphrase protects its key)."""
    pki = demo_pki()
    subject = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation.name),
        x509.NameAttribute(NameOID.USER_ID, ORGAN_ID_PREFIX + organisation.organ_id),
        x509.NameAttribute(NameOID.COMMON_NAME, organisation.name),
    ])
    passphrase = _passphrase()
    issued = issue_system(pki, subject, passphrase)
    key, certificate, _ = pkcs12.load_key_and_certificates(issued.pkcs12, passphrase.encode())
    assert isinstance(key, rsa.RSAPrivateKey) and certificate is not None
    # The PKI's PKCS#12 (AES-256, under the installation's passphrase, chain included) is kept
    # as it is: encrypting it again would cost the first send another KDF.
    path = _holder(organisation, "p12")
    _write_private(path, issued.pkcs12)
    _write_private(_holder(organisation, "pem"), certificate.public_bytes(
        serialization.Encoding.PEM))
    _remember(path, ExchangeKey(key, (certificate, *pki.chain)))
    return certificate


def exchange_certificate(organisation: Organisation) -> x509.Certificate | None:
    """The organisation's exchange certificate as installed (public part), or ``None``."""
    path = _holder(organisation, "pem")
    if not path.exists():
        return None
    return x509.load_pem_x509_certificate(path.read_bytes())


def open_exchange_key(organisation: Organisation) -> ExchangeKey:
    """The key that signs ``organisation``'s packages. The demo PKI issues one when the
    organisation has none yet (organisations made before exchange keys existed), when the
    file left there names another organisation (a rolled-back creation that held the id), or
    when the demo PKI revoked the one it had."""
    path = _holder(organisation, "p12")
    certificate = exchange_certificate(organisation)
    stale = certificate is None or not path.exists() or (
        organ_id_of(certificate) not in (None, organisation.organ_id)) or \
        revoked_by_demo_pki(certificate)
    if stale:
        # As the audit anchors fall back on the demo TSA: an organisation without an installed
        # certificate signs with one from the embedded PKI (created on first use), which the
        # installation itself trusts; other installations note it as unproven until an
        # administrator installs one from a real CA.
        issue_demo_exchange_certificate(organisation)
    with _opened_lock:
        cached = _opened.get(_stamp(path))
    if cached is not None:
        return cached
    key, leaf, extra = pkcs12.load_key_and_certificates(path.read_bytes(),
                                                        _passphrase().encode())
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) or leaf is None:
        raise ExchangeCertificateMissing(f"Tệp chứng thư số liên thông của {organisation.name} "
                                         "không dùng được.")
    opened = ExchangeKey(key, (leaf, *extra))
    _remember(path, opened)
    return opened


def trusted_roots() -> list[x509.Certificate]:
    """The roots a package's signer must chain to: the installation's signature roots
    (``trust.trusted_roots``: ``EOFFICE_TRUST_ROOTS``, or the demo PKI's root while that is
    unset) and the PEM files in ``<pki dir>/exchange-trust/``."""
    roots: list[x509.Certificate] = list(signature_trusted_roots())
    directory = pki_dir() / TRUST_DIR
    if directory.is_dir():
        for path in sorted(directory.glob("*.pem")):
            roots.extend(x509.load_pem_x509_certificates(path.read_bytes()))
    return roots


def _valid_now(certificate: x509.Certificate, now: datetime) -> bool:
    return certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc


def _is_ca(certificate: x509.Certificate) -> bool:
    try:
        return bool(certificate.extensions.get_extension_for_class(x509.BasicConstraints)
                    .value.ca)
    except x509.ExtensionNotFound:
        return False


def chains_to_trusted_root(certificate: x509.Certificate,
                           intermediates: tuple[x509.Certificate, ...] | list[x509.Certificate],
                           ) -> bool:
    """True when ``certificate`` is issued, through CA certificates in ``intermediates``, by one
    of :func:`trusted_roots`, every link valid now (and, for the demo PKI's own certificates,
    not revoked)."""
    roots = trusted_roots()
    pinned = {root.fingerprint(hashes.SHA256()) for root in roots}
    candidates = [*roots, *intermediates]
    now = datetime.now(UTC)
    current = certificate
    for _ in range(MAX_CHAIN):
        if not _valid_now(current, now):
            return False
        if current.fingerprint(hashes.SHA256()) in pinned:
            return True
        issuers = [c for c in candidates if c.subject == current.issuer and c is not current
                   and _is_ca(c)]
        parent = None
        for issuer in issuers:
            try:
                current.verify_directly_issued_by(issuer)
            except (ValueError, TypeError, InvalidSignature):
                continue
            parent = issuer
            break
        if parent is None:
            return False
        current = parent
    return False


def revoked_by_demo_pki(certificate: x509.Certificate) -> bool:
    """True when the demo PKI issued ``certificate`` and has revoked it."""
    if not demo_pki_in_use():
        return False
    pki = demo_pki()
    if certificate.issuer != pki.issuing_cert.subject:
        return False
    return pki.status(certificate).status == "revoked"


def set_exchange_certificate(organisation: Organisation, data: bytes,
                             passphrase: str) -> x509.Certificate:
    """Install the PKCS#12 ``data`` (opened with ``passphrase``) as ``organisation``'s exchange
    certificate; it must hold an RSA or EC key, be valid now and chain to a trusted root. Its
    key is re-encrypted with the installation's passphrase."""
    try:
        key, leaf, extra = pkcs12.load_key_and_certificates(data, passphrase.encode() or None)
    except ValueError:
        raise ExchangeCertificateRefused("Không mở được tệp PKCS#12: sai mật khẩu hoặc tệp "
                                         "hỏng.") from None
    if leaf is None or not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise ExchangeCertificateRefused("Tệp PKCS#12 cần có khóa RSA hoặc ECDSA và chứng thư "
                                         "số của nó.")
    if not _valid_now(leaf, datetime.now(UTC)):
        raise ExchangeCertificateRefused("Chứng thư số đã hết hoặc chưa đến thời hạn hiệu lực.")
    named = organ_id_of(leaf)
    if named is not None and named != organisation.organ_id:
        raise ExchangeCertificateRefused(f"Chứng thư số ghi mã định danh {named}, không phải của "
                                         f"{organisation.name} ({organisation.organ_id}).")
    if not chains_to_trusted_root(leaf, list(extra)):
        raise ExchangeCertificateRefused(
            "Chứng thư số không do tổ chức chứng thực tin cậy cấp; đặt chứng thư gốc (PEM) vào "
            f"thư mục {pki_dir() / TRUST_DIR} rồi cài lại.")
    _store(organisation, key, (leaf, *extra))
    return leaf
