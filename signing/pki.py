"""The embedded demo PKI: root CA → issuing CA → users, organisation seals and a TSA.

Real deployments import PKCS#12 files or use tokens from a licensed CA; this
module exists so that a fresh checkout can sign documents that every validator
accepts once our root is trusted.  Everything is produced offline:

* certificates for users (leaders, clerks) and one "seal" certificate per
  organisation, delivered as PKCS#12 protected by the signing PIN;
* CRLs for the root and issuing CA, regenerated whenever a certificate is
  revoked (and when the cached one gets old), plus OCSP responses on demand;
* an RFC 3161 timestamp authority that signs in-process (:class:`LocalTimeStamper`).

Layout of the directory (``pki init DIR``)::

    root.pem  issuing.pem  tsa.pem        certificates (PEM)
    *.key.pem                             CA/TSA keys, encrypted (PKCS#8, AES-256)
    ca-passphrase                         passphrase for those keys (mode 0600);
                                          set EOFFICE_PKI_PASSPHRASE to keep it elsewhere
    registry.json                         issued certificates and revocations
    certs/SERIAL.pem                      every issued end-entity certificate
    crl/root.crl  crl/issuing.crl         current CRLs (DER)

Private keys are never written in clear: user keys only exist inside their
PIN-protected PKCS#12; the CA keys are encrypted with the CA passphrase.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator import ValidationContext

from .errors import PkiError

__all__ = [
    "CRL_BASE_URL",
    "DemoPKI",
    "IssuedCertificate",
    "LocalTimeStamper",
    "RevocationStatus",
    "make_pkcs12",
    "to_asn1_cert",
]

CRL_BASE_URL = "http://pki.eoffice.invalid/crl/"
"""CRL distribution point base.  Never fetched: validators get the CRL embedded
(B-LT) or passed explicitly.  ``.invalid`` makes sure nobody resolves it."""

PASSPHRASE_ENV = "EOFFICE_PKI_PASSPHRASE"
CRL_MAX_AGE = timedelta(hours=12)
CRL_VALIDITY = timedelta(days=7)
REVOCATION_REASONS = {
    "unspecified": x509.ReasonFlags.unspecified,
    "key_compromise": x509.ReasonFlags.key_compromise,
    "affiliation_changed": x509.ReasonFlags.affiliation_changed,
    "superseded": x509.ReasonFlags.superseded,
    "cessation_of_operation": x509.ReasonFlags.cessation_of_operation,
    "certificate_hold": x509.ReasonFlags.certificate_hold,
}
P12_KDF_ROUNDS = 20_000


def to_asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    """pyHanko speaks asn1crypto; cryptography builds the certificates."""
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _now() -> datetime:
    return datetime.now(UTC)


def _name(common_name: str, *, org: str | None = None, title: str | None = None,
          unit: str | None = None, email: str | None = None) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    if org:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    if unit:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    if title:
        attrs.append(x509.NameAttribute(NameOID.TITLE, title))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    if email:
        attrs.append(x509.NameAttribute(NameOID.EMAIL_ADDRESS, email))
    return x509.Name(attrs)


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def make_pkcs12(key: rsa.RSAPrivateKey, cert: x509.Certificate,
                chain: list[x509.Certificate], pin: str, friendly_name: str) -> bytes:
    """PKCS#12 with AES-256/PBKDF2 (readable by OpenSSL 3, NSS, Windows, pyHanko)."""
    if not pin:
        raise PkiError("a signing PIN is required to protect the PKCS#12 file")
    encryption = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(P12_KDF_ROUNDS)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(pin.encode("utf-8"))
    )
    return pkcs12.serialize_key_and_certificates(
        friendly_name.encode("utf-8"), key, cert, chain, encryption
    )


@dataclass(frozen=True)
class IssuedCertificate:
    """Result of :meth:`DemoPKI.issue_user` / :meth:`DemoPKI.issue_seal`."""

    serial: int
    subject: str
    kind: str  # "user" | "seal" | "system"
    not_before: datetime
    not_after: datetime
    certificate: x509.Certificate
    pkcs12: bytes

    @property
    def cert_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)


@dataclass(frozen=True)
class RevocationStatus:
    status: str  # "good" | "revoked" | "unknown"
    revoked_at: datetime | None = None
    reason: str | None = None


class LocalTimeStamper(DummyTimeStamper):
    """RFC 3161 TSA that signs in-process with the demo TSA key.

    pyHanko's ``DummyTimeStamper`` re-parses the TSA key on every token, which
    costs more than the signature itself; here the parsed key is kept.
    """

    def __init__(self, tsa_cert: x509.Certificate, tsa_key: rsa.RSAPrivateKey,
                 chain: list[x509.Certificate]):
        key_info = asn1_keys.PrivateKeyInfo.load(tsa_key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
        super().__init__(
            tsa_cert=to_asn1_cert(tsa_cert), tsa_key=key_info,
            certs_to_embed=[to_asn1_cert(c) for c in chain],
        )
        self._pyca_key = tsa_key

    def _sign_tst_info(self, tst_info_data, md_algorithm, dt):
        # Same attributes as the parent, but with the cached key.
        from asn1crypto import cms, core
        from pyhanko.sign import general
        from pyhanko.sign.general import simple_cms_attribute
        from pyhanko_certvalidator.util import get_pyca_cryptography_hash

        digest = hashes.Hash(get_pyca_cryptography_hash(md_algorithm))
        digest.update(tst_info_data)
        signed_attrs = cms.CMSAttributes([
            simple_cms_attribute("content_type", "tst_info"),
            simple_cms_attribute("signing_time", cms.Time({"utc_time": core.UTCTime(dt)})),
            simple_cms_attribute("signing_certificate",
                                 general.as_signing_certificate(self.tsa_cert)),
            simple_cms_attribute("message_digest", digest.finalize()),
        ])
        signature = self._pyca_key.sign(
            signed_attrs.dump(), padding.PKCS1v15(),
            get_pyca_cryptography_hash(md_algorithm.upper()),
        )
        return signature, signed_attrs


class DemoPKI:
    """A CA hierarchy kept in one directory.  Open with :meth:`init` or :meth:`open`."""

    def __init__(self, directory: str | os.PathLike, passphrase: str | None = None):
        self.dir = Path(directory)
        if not (self.dir / "root.pem").exists():
            raise PkiError(f"{self.dir} is not a PKI directory (run `pki init` first)")
        self._passphrase = passphrase
        self._lock = threading.RLock()
        self.root_cert = self._load_cert("root.pem")
        self.issuing_cert = self._load_cert("issuing.pem")
        self.tsa_cert = self._load_cert("tsa.pem")
        self._keys: dict[str, rsa.RSAPrivateKey] = {}
        self._crl_cache: dict[str, tuple[float, bytes]] = {}

    # ------------------------------------------------------------------ creation
    @classmethod
    def init(cls, directory: str | os.PathLike, *, org: str = "eoffice demo",
             passphrase: str | None = None) -> DemoPKI:
        """Create root CA, issuing CA and TSA in an empty (or new) directory."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        if (d / "root.pem").exists():
            raise PkiError(f"{d} already holds a PKI")
        passphrase = passphrase or os.environ.get(PASSPHRASE_ENV)
        if not passphrase:
            passphrase = secrets.token_urlsafe(24)
            pf = d / "ca-passphrase"
            fd = os.open(pf, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(passphrase)
        now = _now() - timedelta(minutes=5)

        root_key = _new_key()
        root_name = _name(f"{org} Root CA", org=org)
        root = cls._build(root_name, root_name, root_key.public_key(), root_key,
                          now, now + timedelta(days=20 * 365), ca=True, path_len=1,
                          crl_name=None)
        issuing_key = _new_key()
        issuing_name = _name(f"{org} Issuing CA", org=org)
        issuing = cls._build(issuing_name, root_name, issuing_key.public_key(), root_key,
                             now, now + timedelta(days=10 * 365), ca=True, path_len=0,
                             crl_name="root.crl", issuer_cert=root)
        tsa_key = _new_key()
        tsa = cls._build(_name(f"{org} Timestamp Authority", org=org), issuing_name,
                         tsa_key.public_key(), issuing_key, now,
                         now + timedelta(days=10 * 365), ca=False, crl_name="issuing.crl",
                         issuer_cert=issuing, eku=[ExtendedKeyUsageOID.TIME_STAMPING])
        enc = serialization.BestAvailableEncryption(passphrase.encode())
        for stem, cert, key in (("root", root, root_key), ("issuing", issuing, issuing_key),
                                ("tsa", tsa, tsa_key)):
            (d / f"{stem}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
            key_path = d / f"{stem}.key.pem"
            fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8, enc))
        (d / "certs").mkdir(exist_ok=True)
        (d / "crl").mkdir(exist_ok=True)
        (d / "registry.json").write_text(json.dumps({"revision": 0, "issued": {}}, indent=1))
        pki = cls(d, passphrase)
        pki._keys.update(root=root_key, issuing=issuing_key, tsa=tsa_key)
        pki.refresh_crls()
        return pki

    @classmethod
    def open(cls, directory: str | os.PathLike, passphrase: str | None = None) -> DemoPKI:
        return cls(directory, passphrase)

    @staticmethod
    def _build(subject: x509.Name, issuer: x509.Name, public_key, signing_key,
               not_before: datetime, not_after: datetime, *, ca: bool,
               path_len: int | None = None, crl_name: str | None,
               issuer_cert: x509.Certificate | None = None, eku=None,
               key_usage: str = "sign") -> x509.Certificate:
        b = (x509.CertificateBuilder()
             .subject_name(subject).issuer_name(issuer).public_key(public_key)
             .serial_number(x509.random_serial_number())
             .not_valid_before(not_before).not_valid_after(not_after)
             .add_extension(x509.BasicConstraints(ca=ca, path_length=path_len if ca else None),
                            critical=True)
             .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key),
                            critical=False))
        if ca:
            ku = x509.KeyUsage(digital_signature=True, content_commitment=False,
                               key_encipherment=False, data_encipherment=False,
                               key_agreement=False, key_cert_sign=True, crl_sign=True,
                               encipher_only=False, decipher_only=False)
        else:
            ku = x509.KeyUsage(digital_signature=True,
                               content_commitment=key_usage == "sign",
                               key_encipherment=False, data_encipherment=False,
                               key_agreement=False, key_cert_sign=False, crl_sign=False,
                               encipher_only=False, decipher_only=False)
        b = b.add_extension(ku, critical=True)
        if issuer_cert is not None:
            b = b.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                issuer_cert.public_key()), critical=False)
        if eku:
            b = b.add_extension(x509.ExtendedKeyUsage(eku), critical=True)
        if crl_name:
            b = b.add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
                full_name=[x509.UniformResourceIdentifier(CRL_BASE_URL + crl_name)],
                relative_name=None, reasons=None, crl_issuer=None)]), critical=False)
        return b.sign(signing_key, hashes.SHA256())

    # ------------------------------------------------------------------ storage
    def _load_cert(self, name: str) -> x509.Certificate:
        return x509.load_pem_x509_certificate((self.dir / name).read_bytes())

    def _get_passphrase(self) -> bytes:
        if self._passphrase:
            return self._passphrase.encode()
        env = os.environ.get(PASSPHRASE_ENV)
        if env:
            return env.encode()
        pf = self.dir / "ca-passphrase"
        if pf.exists():
            return pf.read_text().strip().encode()
        raise PkiError(f"CA passphrase unknown: set {PASSPHRASE_ENV}")

    def _key(self, stem: str) -> rsa.RSAPrivateKey:
        with self._lock:
            if stem not in self._keys:
                try:
                    key = serialization.load_pem_private_key(
                        (self.dir / f"{stem}.key.pem").read_bytes(),
                        self._get_passphrase(), unsafe_skip_rsa_key_validation=True)
                except ValueError as exc:
                    raise PkiError(f"cannot decrypt the {stem} CA key: wrong passphrase") from exc
                assert isinstance(key, rsa.RSAPrivateKey)
                self._keys[stem] = key
            return self._keys[stem]

    def _registry(self) -> dict:
        return json.loads((self.dir / "registry.json").read_text())

    def _save_registry(self, reg: dict) -> None:
        tmp = self.dir / "registry.json.tmp"
        tmp.write_text(json.dumps(reg, indent=1, ensure_ascii=False))
        os.replace(tmp, self.dir / "registry.json")

    # ------------------------------------------------------------------ issuing
    @property
    def chain(self) -> list[x509.Certificate]:
        """Issuing CA then root: what a PKCS#12 and a CMS should carry."""
        return [self.issuing_cert, self.root_cert]

    def issue_user(self, name: str, pin: str, *, title: str | None = None,
                   org: str | None = None, email: str | None = None,
                   not_before: datetime | None = None, validity_days: int = 730,
                   ) -> IssuedCertificate:
        """Personal signing certificate for a civil servant, as a PIN-protected PKCS#12."""
        return self._issue("user", _name(name, org=org, title=title, email=email), name,
                           pin, not_before, validity_days)

    def issue_seal(self, org: str, pin: str, *, not_before: datetime | None = None,
                   validity_days: int = 1825) -> IssuedCertificate:
        """The organisation's ("seal") certificate, used by the clerk for the org signature."""
        return self._issue("seal", _name(org, org=org), org, pin, not_before, validity_days)

    def _issue(self, kind: str, subject: x509.Name, label: str, pin: str,
               not_before: datetime | None, validity_days: int) -> IssuedCertificate:
        if not pin:
            raise PkiError("a signing PIN is required")
        key = _new_key()
        nb = not_before or (_now() - timedelta(minutes=5))
        na = nb + timedelta(days=validity_days)
        cert = self._build(subject, self.issuing_cert.subject, key.public_key(),
                           self._key("issuing"), nb, na, ca=False, crl_name="issuing.crl",
                           issuer_cert=self.issuing_cert)
        p12 = make_pkcs12(key, cert, self.chain, pin, label)
        with self._lock:
            reg = self._registry()
            reg["issued"][format(cert.serial_number, "x")] = {
                "subject": cert.subject.rfc4514_string(), "kind": kind,
                "not_after": na.isoformat(), "revoked_at": None, "reason": None,
            }
            reg["revision"] += 1
            self._save_registry(reg)
            (self.dir / "certs" / f"{cert.serial_number:x}.pem").write_bytes(
                cert.public_bytes(serialization.Encoding.PEM))
            # Revocation data must postdate the certificate it vouches for
            # (AdES time-sliding rejects an older CRL), so re-issue now.
            self.refresh_crls()
        return IssuedCertificate(cert.serial_number, cert.subject.rfc4514_string(), kind,
                                 nb, na, cert, p12)

    def issued(self) -> dict[int, dict]:
        return {int(k, 16): v for k, v in self._registry()["issued"].items()}

    # ------------------------------------------------------------------ revocation
    def revoke(self, cert: x509.Certificate | int, *, reason: str = "key_compromise",
               when: datetime | None = None) -> None:
        """Record a revocation; the next CRL/OCSP answer (and validation) shows it."""
        serial = cert if isinstance(cert, int) else cert.serial_number
        if reason not in REVOCATION_REASONS:
            raise PkiError(f"unknown revocation reason {reason!r}")
        with self._lock:
            reg = self._registry()
            entry = reg["issued"].get(format(serial, "x"))
            if entry is None:
                raise PkiError(f"certificate {serial:x} was not issued by this PKI")
            entry["revoked_at"] = (when or _now()).isoformat()
            entry["reason"] = reason
            reg["revision"] += 1
            self._save_registry(reg)
            self._crl_cache.clear()
            self.refresh_crls()

    def status(self, cert: x509.Certificate | int) -> RevocationStatus:
        serial = cert if isinstance(cert, int) else cert.serial_number
        entry = self._registry()["issued"].get(format(serial, "x"))
        if entry is None:
            return RevocationStatus("unknown")
        if entry["revoked_at"]:
            return RevocationStatus("revoked", datetime.fromisoformat(entry["revoked_at"]),
                                    entry["reason"])
        return RevocationStatus("good")

    def _crl_path(self, which: str) -> Path:
        return self.dir / "crl" / f"{which}.crl"

    def refresh_crls(self, *, at: datetime | None = None) -> None:
        """Regenerate both CRLs now (called after every revocation)."""
        with self._lock:
            reg = self._registry()
            now = at or (_now() - timedelta(seconds=1))
            for which, issuer_cert, signing_stem in (("root", self.root_cert, "root"),
                                                     ("issuing", self.issuing_cert, "issuing")):
                b = (x509.CertificateRevocationListBuilder()
                     .issuer_name(issuer_cert.subject)
                     .last_update(now).next_update(now + CRL_VALIDITY)
                     .add_extension(x509.CRLNumber(reg["revision"] + 1), critical=False)
                     .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                         issuer_cert.public_key()), critical=False))
                if which == "issuing":
                    for serial_hex, entry in reg["issued"].items():
                        if not entry["revoked_at"]:
                            continue
                        rb = (x509.RevokedCertificateBuilder()
                              .serial_number(int(serial_hex, 16))
                              .revocation_date(datetime.fromisoformat(entry["revoked_at"]))
                              .add_extension(x509.CRLReason(REVOCATION_REASONS[entry["reason"]]),
                                             critical=False))
                        b = b.add_revoked_certificate(rb.build())
                crl = b.sign(self._key(signing_stem), hashes.SHA256())
                der = crl.public_bytes(serialization.Encoding.DER)
                tmp = self._crl_path(which).with_suffix(".tmp")
                tmp.write_bytes(der)
                os.replace(tmp, self._crl_path(which))
                self._crl_cache[which] = (now.timestamp(), der)

    def crls(self) -> list[bytes]:
        """Current CRLs (DER), root's and issuing CA's; refreshed when they age."""
        with self._lock:
            out = []
            for which in ("root", "issuing"):
                path = self._crl_path(which)
                if which not in self._crl_cache:
                    der = path.read_bytes()
                    crl = x509.load_der_x509_crl(der)
                    self._crl_cache[which] = (crl.last_update_utc.timestamp(), der)
                if _now().timestamp() - self._crl_cache[which][0] > CRL_MAX_AGE.total_seconds():
                    self.refresh_crls()
                out.append(self._crl_cache[which][1])
            return out

    def ocsp_response(self, cert: x509.Certificate) -> bytes:
        """A signed OCSP response (DER) for ``cert``, produced offline by the issuing CA."""
        st = self.status(cert)
        now = _now() - timedelta(minutes=1)
        kwargs: dict = {"revocation_time": None, "revocation_reason": None}
        status = ocsp.OCSPCertStatus.GOOD
        if st.status == "revoked":
            status = ocsp.OCSPCertStatus.REVOKED
            kwargs = {"revocation_time": st.revoked_at,
                      "revocation_reason": REVOCATION_REASONS[st.reason or "unspecified"]}
        elif st.status == "unknown":
            status = ocsp.OCSPCertStatus.UNKNOWN
        b = (ocsp.OCSPResponseBuilder()
             .add_response(cert=cert, issuer=self.issuing_cert, algorithm=hashes.SHA1(),
                           cert_status=status, this_update=now,
                           next_update=now + timedelta(days=1), **kwargs)
             .responder_id(ocsp.OCSPResponderEncoding.HASH, self.issuing_cert))
        return b.sign(self._key("issuing"), hashes.SHA256()).public_bytes(
            serialization.Encoding.DER)

    # ------------------------------------------------------------------ pyHanko glue
    def timestamper(self) -> LocalTimeStamper:
        return LocalTimeStamper(self.tsa_cert, self._key("tsa"), self.chain)

    def validation_context(self, *, moment: datetime | None = None) -> ValidationContext:
        """Offline context: our root as the only anchor, our CRLs, no fetching."""
        return ValidationContext(
            trust_roots=[to_asn1_cert(self.root_cert)],
            other_certs=[to_asn1_cert(self.issuing_cert), to_asn1_cert(self.tsa_cert)],
            crls=self.crls(), allow_fetching=False, revocation_mode="hard-fail",
            moment=moment,
        )

    def root_pem(self) -> bytes:
        return self.root_cert.public_bytes(serialization.Encoding.PEM)

    def describe(self) -> dict:
        return {
            "root": self.root_cert.subject.rfc4514_string(),
            "issuing": self.issuing_cert.subject.rfc4514_string(),
            "tsa": self.tsa_cert.subject.rfc4514_string(),
            "issued": len(self.issued()),
        }
