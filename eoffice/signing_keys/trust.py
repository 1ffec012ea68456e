"""Whom the installation trusts for signatures, and whose clock stamps them: the one place for
both rules.

Timestamps: the external TSA (``EOFFICE_TSA_URL``) when set, else the demo PKI's own; every
signature path (a leader's key, the seal, a remote credential, minutes and invitations, which
open their signers through ``signers``) takes :func:`signature_timestamper`.

Trust: the roots in ``EOFFICE_TRUST_ROOTS`` (a PEM file or a folder of PEM/DER certificates,
a licensed CA's roots). The demo PKI's root is trusted only while that variable is unset
(``make run``, the tests, a demo): an installation that names its roots trusts exactly those,
so a demo certificate left over from a trial can neither sign nor pass for valid there. To
keep trusting the demo root for a while, copy ``<pki dir>/root.pem`` into the folder.

:func:`signing_validation_context` is what a signature's long-term data (B-LT) is collected
with: the demo PKI's offline CRLs for its own certificates, and for a certificate from an
outside CA a context that fetches its OCSP responses and CRLs online (revoked: refused).
:func:`validate_pdf` validates a signed PDF (the validation panel, arrivals) against the same
roots; ``exchange_keys.trusted_roots`` starts from :func:`trusted_roots` too.
"""

from __future__ import annotations

import asyncio
import functools
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from asn1crypto import cms, tsp
from cryptography import x509
from flask import current_app
from pyhanko.sign import DEFAULT_MD
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import (
    ExpiredError,
    InsufficientRevinfoError,
    InvalidCertificateError,
    NotYetValidError,
    PathBuildingError,
    PathValidationError,
    RevokedError,
)

import signing
from eoffice.metrics_instruments import TSA, timed
from eoffice.signing_keys.pki import demo_pki, pki_dir
from eoffice.version_guard import WrittenFor
from signing.pki import to_asn1_cert
from signing.tsa import HttpTimeStamper

CERTIFICATE_SUFFIXES = (".pem", ".crt", ".cer", ".der")
FETCH_TIMEOUT_SECONDS = 10


class CertificateNotTrusted(signing.SigningError):
    """A certificate the installation will not sign with; ``message_vi`` says why."""


#: A TSA's sample token (pyHanko sizes the signature's space with one, and learns from it the
#: TSA's certificates to embed revocation data for), kept per TSA for this long: without it
#: every signer opened asks the TSA for a throw-away token, a second round trip per signature
#: that a licensed TSA may also count (and bill) as a token.
SAMPLE_TOKEN_SECONDS = 600
#: Sharing it goes through pyHanko's internal ``TimeStamper._register_dummy``; written for this
#: release, off (each signer asks for its own sample, pyHanko's stock path) on any other.
SAMPLE_SHARING_WRITTEN_FOR = WrittenFor("pyHanko", "0.38.0")
_samples_lock = threading.Lock()
_samples: dict[str, tuple[float, cms.ContentInfo]] = {}


class _TimedStamper(TimeStamper):
    """Another stamper's answers, each timed as ``eoffice_tsa_seconds{use="signature"}``.

    The request, its nonce and the check of the answer stay pyHanko's (this class is a
    ``TimeStamper`` of its own); only the round trip to the TSA is delegated."""

    def __init__(self, inner: TimeStamper, sample_key: str | None = None) -> None:
        super().__init__()
        self.inner = inner
        self.sample_key = sample_key
        if sample_key is not None:
            with _samples_lock:
                kept = _samples.get(sample_key)
            if kept is not None and time.monotonic() - kept[0] < SAMPLE_TOKEN_SECONDS:
                self._register_dummy(DEFAULT_MD, kept[1])

    def _register_dummy(self, md_algorithm: str, dummy: cms.ContentInfo) -> None:
        super()._register_dummy(md_algorithm, dummy)
        if self.sample_key is not None and md_algorithm == DEFAULT_MD:
            now = time.monotonic()
            with _samples_lock:
                kept = _samples.get(self.sample_key)
                if kept is None or now - kept[0] >= SAMPLE_TOKEN_SECONDS:
                    _samples[self.sample_key] = (now, dummy)

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        with timed(TSA, use="signature"):
            return await self.inner.async_request_tsa_response(req)


def _settings():  # type: ignore[no-untyped-def]
    return current_app.config["EOFFICE_SETTINGS"]


def timestamp_authority() -> tuple[str | None, TimeStamper]:
    """The installation's TSA: (its URL, a stamper), or (None, the demo PKI's own)."""
    url = _settings().tsa_url
    return (url, HttpTimeStamper(url)) if url else (None, demo_pki().timestamper())


def signature_timestamper() -> TimeStamper:
    """The TSA every document signature is timestamped by (timed; an external TSA's sample
    token shared by the signers of the next ten minutes)."""
    url, stamper = timestamp_authority()
    return _TimedStamper(stamper, sample_key=url if url and _sample_sharing() else None)


@functools.cache
def _sample_sharing() -> bool:
    return SAMPLE_SHARING_WRITTEN_FOR.matches()  # warns once on another release


# ---------------------------------------------------------------------------- trusted roots
_roots_lock = threading.Lock()
_roots_cache: dict[tuple[object, ...], list[x509.Certificate]] = {}


def _certificate_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(p for p in path.iterdir()
                  if p.is_file() and p.suffix.lower() in CERTIFICATE_SUFFIXES)


def _read_certificates(path: Path) -> list[x509.Certificate]:
    data = path.read_bytes()
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificates(data)
        return [x509.load_der_x509_certificate(data)]
    except ValueError:
        raise signing.PkiError(f"EOFFICE_TRUST_ROOTS: {path} holds no readable certificate",
                               message_vi="Tệp chứng thư gốc tin cậy (EOFFICE_TRUST_ROOTS) "
                                          "không đọc được") from None


def configured_roots() -> list[x509.Certificate]:
    """The certificates in ``EOFFICE_TRUST_ROOTS`` (read again when a file changes)."""
    setting = _settings().trust_roots
    if not setting:
        return []
    files = _certificate_files(Path(setting))
    key = tuple((str(p), p.stat().st_mtime_ns) for p in files)
    with _roots_lock:
        if key not in _roots_cache:
            roots = [cert for p in files for cert in _read_certificates(p)]
            if not roots:
                raise signing.PkiError(f"EOFFICE_TRUST_ROOTS: no certificate in {setting}",
                                       message_vi="Không có chứng thư gốc tin cậy nào trong "
                                                  "EOFFICE_TRUST_ROOTS")
            _roots_cache.clear()
            _roots_cache[key] = roots
        return _roots_cache[key]


def demo_root_trusted() -> bool:
    """The demo PKI's root is an anchor only while no roots are configured."""
    return not _settings().trust_roots


def _demo_pki_present() -> bool:
    return (pki_dir() / "root.pem").exists()


def trusted_roots() -> list[x509.Certificate]:
    """Every root a signature may chain to."""
    roots = list(configured_roots())
    if demo_root_trusted() and _demo_pki_present():
        roots.append(demo_pki().root_cert)
    return roots


def _demo_issued(certificate: x509.Certificate) -> bool:
    return _demo_pki_present() and certificate.issuer == demo_pki().issuing_cert.subject


def signing_validation_context(certificate: x509.Certificate,
                               chain: Sequence[x509.Certificate] = ()) -> ValidationContext:
    """What the long-term validation data of a signature by ``certificate`` is collected with
    (and its chain checked against): offline for the demo PKI's certificates, fetched from
    the issuing CA's OCSP responder or CRLs for any other."""
    if demo_root_trusted() and _demo_issued(certificate):
        return demo_pki().validation_context()
    return ValidationContext(
        trust_roots=[to_asn1_cert(c) for c in trusted_roots()],
        other_certs=[to_asn1_cert(c) for c in chain if c != certificate],
        allow_fetching=True, revocation_mode="hard-fail",
        fetcher_backend=_fetchers())


def _fetchers():  # type: ignore[no-untyped-def]
    from pyhanko_certvalidator.fetchers.requests_fetchers import RequestsFetcherBackend

    return RequestsFetcherBackend(per_request_timeout=FETCH_TIMEOUT_SECONDS)


def check_trusted(certificate: x509.Certificate, chain: Sequence[x509.Certificate] = (), *,
                  context: ValidationContext | None = None) -> None:
    """Refuse (:class:`CertificateNotTrusted`, in Vietnamese) a certificate that is not valid
    now, is revoked, or does not chain to a trusted root; the revocation status of an outside
    CA's certificate is asked of that CA. ``context``: the one the signature will use, so that
    what is fetched here is not fetched again for its long-term data."""
    context = context or signing_validation_context(certificate, chain)
    validator = CertificateValidator(
        to_asn1_cert(certificate),
        intermediate_certs=[to_asn1_cert(c) for c in chain if c != certificate],
        validation_context=context)
    try:
        asyncio.run(validator.async_validate_usage(set()))
    except RevokedError:
        raise CertificateNotTrusted(
            "certificate revoked",
            message_vi="Chứng thư số đã bị tổ chức chứng thực thu hồi") from None
    except ExpiredError:
        raise CertificateNotTrusted(
            "certificate expired", message_vi="Chứng thư số đã hết thời hạn hiệu lực") from None
    except NotYetValidError:
        raise CertificateNotTrusted(
            "certificate not yet valid",
            message_vi="Chứng thư số chưa đến thời hạn hiệu lực") from None
    except PathBuildingError:
        raise CertificateNotTrusted(
            "no path to a trusted root",
            message_vi="Chứng thư số không dẫn tới chứng thư gốc được tin cậy (cấu hình "
                       "EOFFICE_TRUST_ROOTS bằng chứng thư gốc của tổ chức chứng thực)") from None
    except InsufficientRevinfoError:
        raise CertificateNotTrusted(
            "revocation status unknown",
            message_vi="Không kiểm tra được tình trạng thu hồi của chứng thư số (không lấy được "
                       "OCSP/CRL từ tổ chức chứng thực)") from None
    except (InvalidCertificateError, PathValidationError) as error:
        raise CertificateNotTrusted(
            f"certificate refused: {error}",
            message_vi="Chứng thư số không hợp lệ để ký số") from None


def open_document_signer(key: object, *, signer_class: type[signing.DocumentSigner] =
                         signing.DocumentSigner, chain: Sequence[x509.Certificate] = (),
                         **kwargs: object) -> signing.DocumentSigner:
    """A ``DocumentSigner`` for ``key`` (a pyHanko signer) timestamped by
    :func:`signature_timestamper`, its B-LT data from :func:`signing_validation_context`.
    A certificate from outside the demo PKI is checked first (trusted root, not revoked)."""
    certificate = signing.keys.signer_certificate(key)  # type: ignore[arg-type]
    if not chain:  # a PKCS#12's own chain, as pyHanko keeps it
        chain = [x509.load_der_x509_certificate(c.dump())
                 for c in getattr(key, "cert_registry", ())]
    demo = demo_root_trusted() and _demo_issued(certificate)
    context = signing_validation_context(certificate, chain)
    if not demo:  # (the demo PKI's own revocation check runs in DocumentSigner)
        check_trusted(certificate, chain, context=context)
    return signer_class(
        key,  # type: ignore[arg-type]
        pki=demo_pki() if demo else None, timestamper=signature_timestamper(),
        validation_context=context,
        max_bytes=_settings().max_upload_bytes, **kwargs)  # type: ignore[arg-type]


def validate_pdf(data: bytes) -> signing.ValidationReport:
    """Every signature of ``data`` checked against :func:`trusted_roots` (and, while the demo
    root is trusted, the demo PKI's current CRLs)."""
    pki = demo_pki() if demo_root_trusted() and _demo_pki_present() else None
    return signing.validate(data, trust_roots=configured_roots(), pki=pki)
