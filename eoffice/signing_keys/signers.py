"""Opening a signer: a leader's key or the organisation's seal, unlocked by a PIN.

The key is the holder's PIN-protected PKCS#12, or, when an administrator linked the holder
to a credential at a remote signing service (``remote``), that credential: authorised by the
same PIN field (and an OTP when the credential asks for one), signing exactly the same way.
"""

from __future__ import annotations

from pathlib import Path

from flask import has_request_context
from flask_login import current_user

import signing
from eoffice.accounts.models import User
from eoffice.organisation.models import Organisation
from eoffice.signing_keys.credentials import seal_p12, user_p12
from eoffice.signing_keys.pins import pin_guard
from eoffice.signing_keys.refusals import SigningFailed
from eoffice.signing_keys.remote import RemoteCredentialLink, link_for_seal, link_for_user
from eoffice.signing_keys.remote_signers import open_remote_signer, remote_refusal
from eoffice.signing_keys.trust import open_document_signer


def _open(p12_path: Path, pin: str, key_id: str) -> signing.DocumentSigner:
    if not p12_path.exists():
        raise SigningFailed("Chưa được cấp chứng thư số để ký; hãy liên hệ quản trị hệ thống.")
    try:
        key = signing.load_pkcs12(p12_path.read_bytes(), pin, guard=pin_guard(), key_id=key_id)
        return open_document_signer(key)
    except signing.PinLockedError:
        error = SigningFailed("Chức năng ký số tạm khóa do nhập sai mã PIN nhiều lần; "
                              "hãy thử lại sau 5 phút.")
        error.status = 423
        raise error from None
    except signing.WrongPinError as exc:
        raise SigningFailed(f"Mã PIN ký số không đúng (còn {exc.remaining} lần thử).") from None
    except signing.SigningError as exc:
        raise SigningFailed(f"{exc.message_vi}.") from None


def _open_remote(link: RemoteCredentialLink, actor: User | None, pin: str, otp: str | None,
                 signatures: int) -> signing.DocumentSigner:
    if link.needs_otp and not otp:
        raise SigningFailed("Chứng thư ký từ xa này yêu cầu mã OTP; hãy nhập mã OTP nhận "
                            "trên điện thoại cùng mã PIN.")
    try:
        return open_remote_signer(link, actor, pin, otp, signatures=signatures)
    except signing.SigningError as exc:
        error = SigningFailed(remote_refusal(exc))
        if getattr(exc, "reason", None) == "locked":  # the service locked the credential
            error.status = 423
        raise error from None


def _acting_user() -> User | None:
    """Who is signing with the seal (the clerk), for the audit trail of a failure."""
    if has_request_context() and current_user.is_authenticated:
        return current_user._get_current_object()  # type: ignore[no-any-return]
    return None


def open_leader_signer(user: User, pin: str, otp: str | None = None, *,
                       signatures: int = 1) -> signing.DocumentSigner:
    """``user``'s key unlocked for ``signatures`` signatures (a batch: one authorisation
    where a remote credential allows it)."""
    link = link_for_user(user)
    if link is not None and link.needs_otp and signatures > 1:
        # A SCAL2 authorisation names the hashes it covers, and an OTP is typed for one
        # document, so a batch (documents signed one after another) cannot share one.
        raise SigningFailed("Chứng thư ký từ xa này yêu cầu mã OTP cho từng lần ký (SCAL2), "
                            "không ký hàng loạt được; hãy ký từng văn bản.")
    if link is not None:
        return _open_remote(link, user, pin, otp, signatures)
    return _open(user_p12(user), pin, f"user:{user.id}")


def open_seal_signer(organisation: Organisation, pin: str, otp: str | None = None, *,
                     signatures: int = 1) -> signing.DocumentSigner:
    link = link_for_seal(organisation)
    if link is not None:
        return _open_remote(link, _acting_user(), pin, otp, signatures)
    return _open(seal_p12(organisation), pin, f"seal:{organisation.id}")


def needs_otp(user: User | None = None, organisation: Organisation | None = None) -> bool:
    """Whether the signing dialog shows the OTP field: the holder's remote credential asks
    for one (SCAL2). ``user`` for their own key, ``organisation`` for its seal."""
    link = link_for_user(user) if user is not None else (
        link_for_seal(organisation) if organisation is not None else None)
    return bool(link is not None and link.needs_otp)
