"""Opening a signer: a leader's key or the organisation's seal, unlocked by a PIN."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

import signing
from eoffice.accounts.models import User
from eoffice.errors import DomainError
from eoffice.organisation.models import Organisation
from eoffice.signing_keys.credentials import seal_p12, user_p12
from eoffice.signing_keys.pins import pin_guard
from eoffice.signing_keys.pki import demo_pki


class SigningFailed(DomainError):
    """Signing refused or failed; the message is Vietnamese. 423 when the PIN is locked."""

    status = 400


def _open(p12_path: Path, pin: str, key_id: str) -> signing.DocumentSigner:
    if not p12_path.exists():
        raise SigningFailed("Chưa được cấp chứng thư số để ký; hãy liên hệ quản trị hệ thống.")
    try:
        key = signing.load_pkcs12(p12_path.read_bytes(), pin, guard=pin_guard(), key_id=key_id)
        return signing.DocumentSigner(key, pki=demo_pki(),
                                      max_bytes=current_app.config["EOFFICE_SETTINGS"]
                                      .max_upload_bytes)
    except signing.PinLockedError:
        error = SigningFailed("Chức năng ký số tạm khóa do nhập sai mã PIN nhiều lần; "
                              "hãy thử lại sau 5 phút.")
        error.status = 423
        raise error from None
    except signing.WrongPinError as exc:
        raise SigningFailed(f"Mã PIN ký số không đúng (còn {exc.remaining} lần thử).") from None
    except signing.SigningError as exc:
        raise SigningFailed(f"{exc.message_vi}.") from None


def open_leader_signer(user: User, pin: str) -> signing.DocumentSigner:
    return _open(user_p12(user), pin, f"user:{user.id}")


def open_seal_signer(organisation: Organisation, pin: str) -> signing.DocumentSigner:
    return _open(seal_p12(organisation), pin, f"seal:{organisation.id}")
