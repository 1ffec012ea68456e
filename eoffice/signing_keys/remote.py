"""Remote signing services (CSC API) and which credential each signer or seal signs with.

An organisation's administrator registers a service (base URL, the OAuth client id and
secret the vendor issued; the secret is stored encrypted, ``sealed_secrets``) and links a
leader, a meeting secretary or the organisation's seal to a credential id at that service.
Linking asks the service about the credential at once, so a wrong id, a revoked certificate
or a wrong client secret is refused there and then, and keeps what the signing dialog needs
to know (whether the credential asks for an OTP) without asking the service on every page.
A holder with a link signs with it instead of the PKCS#12 file (``signers``).
"""

from __future__ import annotations

import ipaddress
import urllib.parse
from datetime import datetime

from cryptography.x509.oid import NameOID
from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

import signing
from eoffice import audit
from eoffice.accounts.models import User
from eoffice.accounts.permissions import has_role
from eoffice.accounts.roles import Role
from eoffice.errors import InvalidInput, NotFound
from eoffice.extensions import db
from eoffice.organisation.models import Organisation
from eoffice.signing_keys.sealed_secrets import SecretUnreadable, seal, unseal
from eoffice.timestamps import UTCDateTime, utcnow
from signing.csc import CscProvider, CscService

SEAL_HOLDER = "seal"
MIN_TIMEOUT, MAX_TIMEOUT = 2.0, 300.0


class RemoteSigningService(db.Model):  # type: ignore[name-defined]
    """A CSC signing service an organisation uses, and this installation's client credentials."""

    __tablename__ = "remote_signing_services"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    name: Mapped[str] = mapped_column(String(200))
    base_url: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str | None] = mapped_column(String(200))
    #: The client secret, encrypted (``sealed_secrets``); never shown, never logged.
    client_secret_sealed: Mapped[str | None] = mapped_column(Text)
    timeout_seconds: Mapped[float] = mapped_column(Float, default=30.0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def as_json(self) -> dict[str, object]:
        """What the admin page and the API show (no secret, only whether one is set)."""
        return {"id": self.id, "name": self.name, "base_url": self.base_url,
                "client_id": self.client_id, "has_client_secret": bool(self.client_secret_sealed),
                "timeout_seconds": self.timeout_seconds}


class RemoteCredentialLink(db.Model):  # type: ignore[name-defined]
    """A signer (or the organisation's seal) signs with this credential at this service."""

    __tablename__ = "remote_credential_links"
    __table_args__ = (UniqueConstraint("organisation_id", "holder"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("remote_signing_services.id"))
    #: ``user:<id>`` for a person, ``seal`` for the organisation's signature.
    holder: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    credential_id: Mapped[str] = mapped_column(String(300))
    scal: Mapped[int] = mapped_column(Integer, default=1)
    needs_otp: Mapped[bool] = mapped_column(Boolean, default=False)
    max_signatures: Mapped[int] = mapped_column(Integer, default=1)
    certificate_subject: Mapped[str] = mapped_column(String(500), default="")
    certificate_not_after: Mapped[datetime | None] = mapped_column(UTCDateTime())
    linked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    service: Mapped[RemoteSigningService] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])

    def as_json(self) -> dict[str, object]:
        """What the admin page and the API show of a link."""
        return {"id": self.id, "service_id": self.service_id, "holder": self.holder,
                "user_id": self.user_id, "credential_id": self.credential_id,
                "scal": self.scal, "needs_otp": self.needs_otp,
                "max_signatures": self.max_signatures,
                "certificate_subject": self.certificate_subject,
                "certificate_not_after": (self.certificate_not_after.isoformat()
                                          if self.certificate_not_after else None)}


# --------------------------------------------------------------------------- reading
def services_of(organisation: Organisation) -> list[RemoteSigningService]:
    """The organisation's remote signing services, by name."""
    return list(db.session.scalars(select(RemoteSigningService).where(
        RemoteSigningService.organisation_id == organisation.id
    ).order_by(RemoteSigningService.name)))


def links_of(organisation: Organisation) -> list[RemoteCredentialLink]:
    """Who in the organisation signs with which remote credential."""
    return list(db.session.scalars(select(RemoteCredentialLink).where(
        RemoteCredentialLink.organisation_id == organisation.id
    ).order_by(RemoteCredentialLink.holder)))


def _link(organisation_id: int, holder: str) -> RemoteCredentialLink | None:
    return db.session.scalar(select(RemoteCredentialLink).where(
        RemoteCredentialLink.organisation_id == organisation_id,
        RemoteCredentialLink.holder == holder))


def link_for_user(user: User) -> RemoteCredentialLink | None:
    """The remote credential ``user`` signs with, if any (else their PKCS#12)."""
    return _link(user.organisation_id, f"user:{user.id}")


def link_for_seal(organisation: Organisation) -> RemoteCredentialLink | None:
    """The remote credential the organisation's seal is applied with, if any."""
    return _link(organisation.id, SEAL_HOLDER)


def provider_for(link: RemoteCredentialLink) -> CscProvider:
    """The CSC provider for a link (the client secret decrypted in memory only)."""
    service = link.service
    try:
        secret = unseal(service.client_secret_sealed) if service.client_secret_sealed else None
    except SecretUnreadable:
        raise InvalidInput("Không giải mã được thông tin xác thực của dịch vụ ký số từ xa (khóa "
                           "PKI đã đổi?); quản trị cơ quan hãy đăng ký lại dịch vụ.") from None
    return CscProvider(CscService(service.base_url, client_id=service.client_id,
                                  client_secret=secret, timeout=service.timeout_seconds),
                       link.credential_id)


# --------------------------------------------------------------------------- admin acts
def _checked_url(value: str) -> str:
    """https, or http to this machine (a local test service): a PIN never crosses a network
    in the clear."""
    url = urllib.parse.urlsplit(value.strip().rstrip("/"))
    host = url.hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if url.scheme not in ("https", "http") or not host or (url.scheme == "http" and
                                                            not loopback):
        raise InvalidInput("Địa chỉ dịch vụ ký số từ xa phải bắt đầu bằng https:// (ví dụ "
                           "https://rs.nhacungcap.vn); http:// chỉ dùng cho máy chủ cục bộ.")
    if url.query or url.fragment:
        raise InvalidInput("Địa chỉ dịch vụ ký số từ xa không được có phần truy vấn (?…).")
    return urllib.parse.urlunsplit((url.scheme, url.netloc, url.path, "", ""))


def register_service(actor: User, organisation: Organisation, *, name: str, base_url: str,
                     client_id: str | None, client_secret: str | None,
                     timeout_seconds: float = 30.0) -> RemoteSigningService:
    """Register (or, by name, update) a service; an empty secret keeps the stored one."""
    if not MIN_TIMEOUT <= timeout_seconds <= MAX_TIMEOUT:
        raise InvalidInput(f"Thời gian chờ phải từ {MIN_TIMEOUT:g} đến {MAX_TIMEOUT:g} giây.")
    url = _checked_url(base_url)
    service = db.session.scalar(select(RemoteSigningService).where(
        RemoteSigningService.organisation_id == organisation.id,
        RemoteSigningService.name == name.strip()))
    if service is None:
        service = RemoteSigningService(organisation_id=organisation.id, name=name.strip(),
                                       created_by_id=actor.id)
        db.session.add(service)
    service.base_url, service.client_id = url, (client_id or None)
    service.timeout_seconds = timeout_seconds
    if client_secret:
        service.client_secret_sealed = seal(client_secret)
    db.session.flush()
    audit.record(actor, "remote_signing_service_set", "organisation", organisation.id,
                 service_id=service.id, name=service.name, base_url=service.base_url,
                 client_id=service.client_id)
    return service


def _holder_user(organisation: Organisation, user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.organisation_id != organisation.id:
        raise NotFound("Không tìm thấy người dùng này trong cơ quan.")
    if not has_role(user, Role.LEADER, Role.MEETING_SECRETARY) or Role.ADMIN in user.roles:
        raise InvalidInput(f"{user.full_name} không phải người ký (lãnh đạo hoặc thư ký cuộc "
                           "họp); chỉ liên kết chứng thư ký từ xa cho người ký hoặc con dấu.")
    return user


def link_credential(actor: User, organisation: Organisation, *, service_id: int,
                    credential_id: str, user_id: int | None) -> RemoteCredentialLink:
    """Link a signer (``user_id``) or the seal (None) to a credential, after asking the
    service about it; an earlier link of the same holder is replaced."""
    service = db.session.get(RemoteSigningService, service_id)
    if service is None or service.organisation_id != organisation.id:
        raise NotFound("Không tìm thấy dịch vụ ký số từ xa này.")
    user = _holder_user(organisation, user_id) if user_id is not None else None
    holder = f"user:{user.id}" if user is not None else SEAL_HOLDER
    link = _link(organisation.id, holder) or RemoteCredentialLink(
        organisation_id=organisation.id, holder=holder)
    link.service, link.service_id = service, service.id
    link.user_id, link.credential_id = (user.id if user else None), credential_id.strip()
    try:
        credential = provider_for(link).credential()
        signing.remote.check_credential_usable(credential)
    except signing.SigningError as exc:
        if link in db.session:
            db.session.expire(link)
        raise InvalidInput(f"Không liên kết được chứng thư ký từ xa: {exc.message_vi}.") from None
    link.scal, link.needs_otp = credential.scal, credential.needs_otp
    link.max_signatures = credential.max_signatures
    # Titles are common in Vietnamese signers' names ("T=Chủ tịch"), not a bare OID.
    link.certificate_subject = credential.certificate.subject.rfc4514_string(
        {NameOID.TITLE: "T"})[:500]
    link.certificate_not_after = credential.certificate.not_valid_after_utc
    link.linked_by_id, link.linked_at = actor.id, utcnow()
    db.session.add(link)
    db.session.flush()
    audit.record(actor, "remote_credential_linked", "organisation", organisation.id,
                 link_id=link.id, holder=holder, service_id=service.id,
                 credential_id=link.credential_id, scal=link.scal)
    return link


def unlink_credential(actor: User, organisation: Organisation,
                      link_id: int) -> RemoteCredentialLink:
    """Remove a link: the holder signs with their PKCS#12 again (if they have one)."""
    link = db.session.get(RemoteCredentialLink, link_id)
    if link is None or link.organisation_id != organisation.id:
        raise NotFound("Không tìm thấy liên kết chứng thư ký từ xa này.")
    db.session.delete(link)
    db.session.flush()
    audit.record(actor, "remote_credential_unlinked", "organisation", organisation.id,
                 link_id=link_id, holder=link.holder, credential_id=link.credential_id)
    return link
