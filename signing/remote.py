"""Keys held by a remote signing service: the provider interface and the pyHanko signer over it.

A remote signing service (VNPT SmartCA, Viettel MySign, any Cloud Signature Consortium
service) keeps the private key; we send it the digest of what is to be signed and it
returns the raw signature, once the signer has authorised it (PIN, or PIN and a one-time
password for "sole control" level 2).  :class:`RemoteProvider` is that conversation,
reduced to three calls; :mod:`signing.csc` implements it over the CSC API and a vendor's
own API can implement it too without touching anything else: :class:`RemoteSigner` turns
any provider into a pyHanko ``Signer`` that :class:`signing.sign.DocumentSigner` uses like
a PKCS#12 key (appearances, reserved fields, timestamps, B-LT all the same).

Every raw signature the service returns is checked against the credential's certificate
before it goes into a document: a service that signs with another key (or garbles the
answer) is refused with :class:`RemoteSignatureInvalid`, never embedded.

The PIN and OTP live only in the :class:`RemoteAuthorisation` held by the signer, in
memory, for as long as the signer lives (like an unlocked PKCS#12 key); ``repr`` hides them.
"""

from __future__ import annotations

import abc
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from asn1crypto import algos
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from pyhanko.sign.signers.pdf_cms import Signer
from pyhanko_certvalidator.registry import SimpleCertificateStore

from .errors import CertificateRefusedError, KeyAccessError, SigningError, WrongPinError
from .keys import check_certificate_usable
from .pki import to_asn1_cert

__all__ = [
    "RemoteAuthorisation",
    "RemoteCredential",
    "RemoteCredentialRefused",
    "RemoteGrant",
    "RemoteGrantExpired",
    "RemoteProvider",
    "RemoteServiceError",
    "RemoteSignatureInvalid",
    "RemoteSigner",
    "RemoteUnavailable",
    "RemoteWrongAuthorisation",
]


# --------------------------------------------------------------------------- errors
class RemoteWrongAuthorisation(WrongPinError):
    """The service refused the PIN or the OTP; ``remaining`` attempts when it says.
    ``otp`` is True for the OTP, False for the PIN, None when the service does not say."""

    code = "remote_wrong_auth"
    message_vi = "Mã PIN hoặc mã OTP ký số từ xa không đúng"

    def __init__(self, message: str, *, remaining: int | None = None,
                 otp: bool | None = None):
        super().__init__(message, remaining=remaining)
        self.otp = otp
        what = "Mã OTP" if otp else ("Mã PIN" if otp is False else "Mã PIN hoặc mã OTP")
        left = f" (còn {remaining} lần thử)" if remaining is not None else ""
        self.message_vi = f"{what} ký số từ xa không đúng{left}"


class RemoteCredentialRefused(CertificateRefusedError):
    """The credential may not sign: key disabled, certificate expired, revoked or suspended."""

    code = "remote_credential_refused"


class RemoteUnavailable(KeyAccessError):
    """The service cannot be reached, or did not answer within the timeout."""

    code = "remote_unavailable"
    message_vi = "Không kết nối được dịch vụ ký số từ xa"

    def __init__(self, message: str, *, timeout: bool = False):
        super().__init__(message)
        self.timeout = timeout
        if timeout:
            self.message_vi = "Dịch vụ ký số từ xa không phản hồi kịp (quá thời gian chờ)"


class RemoteServiceError(SigningError):
    """The service answered, but not with what the protocol promises (or refused the client)."""

    code = "remote_service_error"
    message_vi = "Dịch vụ ký số từ xa báo lỗi"


class RemoteGrantExpired(RemoteServiceError):
    """The service no longer accepts the activation data (it expired during a long batch)."""

    code = "remote_grant_expired"
    message_vi = "Lần xác thực ký số từ xa đã hết hiệu lực"


class RemoteSignatureInvalid(SigningError):
    """A returned signature does not verify against the credential's certificate."""

    code = "remote_signature_invalid"
    message_vi = ("Chữ ký do dịch vụ ký số từ xa trả về không khớp với chứng thư số; "
                  "văn bản không được ký")


# --------------------------------------------------------------------------- data
@dataclass(frozen=True)
class RemoteAuthorisation:
    """What the signer types to authorise signatures.  Never stored, never logged."""

    #: The credential's PIN (None when the credential needs none).
    pin: str | None = field(default=None, repr=False)
    #: The one-time password, for credentials at sole-control level 2 (SCAL2).
    otp: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class RemoteCredential:
    """One key held by the service, as the service describes it."""

    #: The service's identifier of the credential (vendor-specific format).
    credential_id: str
    #: The signer's certificate.
    certificate: x509.Certificate
    #: The CA certificates the service gives with it (issuing CA first, usually).
    chain: tuple[x509.Certificate, ...]
    #: Signature algorithms the key supports, as asn1crypto names ("sha256_rsa", ...).
    algorithms: frozenset[str]
    #: Key length in bits (for RSA the raw signature is this long).
    key_bits: int
    #: How many signatures one authorisation may cover ("multisign").
    max_signatures: int = 1
    #: Sole control assurance level: 2 binds each authorisation to the hashes it covers.
    scal: int = 1
    #: Whether the signer must give a PIN, and an OTP.
    needs_pin: bool = True
    needs_otp: bool = False
    #: Key status as the service reports it ("enabled", "disabled").
    key_status: str = "enabled"
    #: Certificate status as the service reports it ("valid", "expired", "revoked", ...).
    certificate_status: str = "valid"

    @property
    def hash_bound(self) -> bool:
        """Whether an authorisation must name the hashes it covers (SCAL2)."""
        return self.scal >= 2


@dataclass
class RemoteGrant:
    """Signature activation data from one authorisation, and what it still covers."""

    #: The opaque token the service returned (CSC "SAD").
    token: str = field(repr=False)
    #: Signatures it still covers.
    remaining: int
    #: The hashes it is bound to (SCAL2), else None.
    hashes: frozenset[bytes] | None = None


class RemoteProvider(abc.ABC):
    """The three calls a remote signing service answers.  Implementations raise the
    ``Remote*`` errors of this module (and never log the authorisation)."""

    @abc.abstractmethod
    def credential(self) -> RemoteCredential:
        """Describe the credential (certificate, chain, algorithms, SCAL, multisign, status)."""

    @abc.abstractmethod
    def authorise(self, credential: RemoteCredential, authorisation: RemoteAuthorisation, *,
                  signatures: int, hashes: Sequence[bytes] | None = None) -> RemoteGrant:
        """Obtain activation data for ``signatures`` signatures (bound to ``hashes`` when
        given, as SCAL2 requires)."""

    @abc.abstractmethod
    def sign_hashes(self, credential: RemoteCredential, grant: RemoteGrant,
                    hashes: Sequence[bytes], digest_algorithm: str,
                    mechanism: algos.SignedDigestAlgorithm) -> list[bytes]:
        """Raw signatures over the given digests, one per digest, in order."""


# --------------------------------------------------------------------------- checks
def check_credential_usable(credential: RemoteCredential, *, at: datetime | None = None) -> None:
    """Refuse a disabled key, or a certificate the service or its dates say is unusable."""
    if credential.key_status.lower() != "enabled":
        raise RemoteCredentialRefused(
            f"the remote key is {credential.key_status}", reason="disabled",
            message_vi="Khóa ký số từ xa đang bị vô hiệu hóa tại dịch vụ ký số")
    status = credential.certificate_status.lower()
    if status in ("expired", "revoked", "suspended"):
        words = {"expired": "đã hết hạn", "revoked": "đã bị thu hồi",
                 "suspended": "đang bị tạm dừng"}
        raise RemoteCredentialRefused(
            f"the remote certificate is {status}", reason=status,
            message_vi=f"Chứng thư số ký từ xa {words[status]}")
    try:
        check_certificate_usable(credential.certificate, at=at or datetime.now(UTC))
    except CertificateRefusedError as exc:
        raise RemoteCredentialRefused(str(exc), reason=exc.reason,
                                      message_vi=exc.message_vi) from None


def verify_raw_signature(certificate: x509.Certificate, signature: bytes, data: bytes,
                         digest_algorithm: str, mechanism: algos.SignedDigestAlgorithm) -> None:
    """Check ``signature`` over ``data`` with the certificate's public key, or
    :class:`RemoteSignatureInvalid`."""
    hash_algo = getattr(hashes, digest_algorithm.upper())()
    key = certificate.public_key()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            if mechanism.signature_algo == "rsassa_pss":
                params = mechanism["parameters"]
                pad: padding.AsymmetricPadding = padding.PSS(
                    padding.MGF1(hash_algo), int(params["salt_length"].native))
            else:
                pad = padding.PKCS1v15()
            key.verify(signature, data, pad, hash_algo)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(hash_algo))
        else:
            raise RemoteSignatureInvalid(f"unsupported key type {type(key).__name__}")
    except InvalidSignature:
        raise RemoteSignatureInvalid(
            "the signature returned by the remote service does not verify against the "
            "credential's certificate") from None


# --------------------------------------------------------------------------- signer
class RemoteSigner(Signer):
    """pyHanko ``Signer`` whose signatures come from a :class:`RemoteProvider`.

    :param provider: the service.
    :param authorisation: the PIN (and OTP) the signer typed; kept in memory only.
    :param signatures: how many signatures the caller means to make (a batch): one
        authorisation covers them all where the credential allows (not hash-bound and
        ``max_signatures`` large enough); beyond, the signer authorises again with the
        same PIN, and a hash-bound (SCAL2) credential authorises each signature.
    :param eager: authorise at once (not hash-bound only), so a wrong PIN is refused
        before any document is touched.
    """

    def __init__(self, provider: RemoteProvider, authorisation: RemoteAuthorisation, *,
                 signatures: int = 1, eager: bool = True, embed_roots: bool = True):
        credential = provider.credential()
        check_credential_usable(credential)
        store = SimpleCertificateStore()
        store.register_multiple([to_asn1_cert(c) for c in credential.chain])
        super().__init__(signing_cert=to_asn1_cert(credential.certificate),
                         cert_registry=store, embed_roots=embed_roots)
        self.provider = provider
        self.credential = credential
        self._authorisation = authorisation
        #: Signatures announced but not yet covered by an authorisation.
        self._uncovered = max(1, signatures)
        self._grant: RemoteGrant | None = None
        #: Authorisations obtained so far (what "one authorisation for the batch" counts).
        self.authorisations = 0
        if eager and not credential.hash_bound:
            self._authorise(None)

    @property
    def certificate(self) -> x509.Certificate:
        """The credential's certificate (what :class:`DocumentSigner` checks before signing)."""
        return self.credential.certificate

    def _authorise(self, digest: bytes | None) -> RemoteGrant:
        if digest is not None:
            grant = self.provider.authorise(self.credential, self._authorisation,
                                            signatures=1, hashes=[digest])
        else:
            count = min(max(1, self._uncovered), max(1, self.credential.max_signatures))
            grant = self.provider.authorise(self.credential, self._authorisation,
                                            signatures=count)
            self._uncovered = max(0, self._uncovered - count)
        self.authorisations += 1
        self._grant = grant
        return grant

    def get_signature_mechanism_for_digest(self, digest_algorithm: str
                                           ) -> algos.SignedDigestAlgorithm:
        mechanism = super().get_signature_mechanism_for_digest(digest_algorithm)
        name = mechanism["algorithm"].native
        if self.credential.algorithms and name not in self.credential.algorithms:
            raise RemoteServiceError(
                f"the remote key does not support {name} "
                f"(it supports {', '.join(sorted(self.credential.algorithms))})")
        return mechanism

    async def async_sign_raw(self, data: bytes, digest_algorithm: str,
                             dry_run: bool = False) -> bytes:
        if dry_run:  # pyHanko sizes the CMS; the key length fixes the signature's size
            size = (self.credential.key_bits + 7) // 8
            ecdsa = isinstance(self.credential.certificate.public_key(), ec.EllipticCurvePublicKey)
            return bytes(2 * size + 8 if ecdsa else size)  # DER (r, s) is at most 2n + 8
        digest = hashlib.new(digest_algorithm, data).digest()
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        if self.credential.hash_bound:
            grant = self._authorise(digest)
        else:
            grant = self._grant if self._grant and self._grant.remaining > 0 else None
            grant = grant or self._authorise(None)
        try:
            signature = self.provider.sign_hashes(self.credential, grant, [digest],
                                                  digest_algorithm, mechanism)[0]
        except RemoteGrantExpired:
            if self.credential.hash_bound:
                raise  # its OTP was for that authorisation only: the signer must type again
            # A long batch outlived the activation data: authorise again with the same PIN,
            # once, for what is left of the batch.
            self._uncovered += grant.remaining
            grant = self._authorise(None)
            signature = self.provider.sign_hashes(self.credential, grant, [digest],
                                                  digest_algorithm, mechanism)[0]
        grant.remaining -= 1
        verify_raw_signature(self.credential.certificate, signature, data, digest_algorithm,
                             mechanism)
        return signature
