"""Exceptions raised by :mod:`signing`.

Every error carries a stable ``code`` (for the web app and the CLI to map to
messages and HTTP statuses) and a human message in English; ``message_vi``
gives the Vietnamese text shown to civil servants.
"""

from __future__ import annotations


class SigningError(Exception):
    """Base class: anything that stops a signature from being made."""

    code = "signing_error"
    message_vi = "Không ký được tài liệu"

    def __init__(self, message: str, *, message_vi: str | None = None):
        super().__init__(message)
        if message_vi is not None:
            self.message_vi = message_vi

    @property
    def message(self) -> str:
        return str(self)


class BadPdfError(SigningError):
    """The input is not a PDF we can sign or validate (unusable input)."""

    code = "bad_pdf"
    message_vi = "Tệp không phải PDF hợp lệ"


class EncryptedPdfError(BadPdfError):
    code = "encrypted_pdf"
    message_vi = "Tệp PDF được mã hoá bằng mật khẩu"


class PdfTooLargeError(BadPdfError):
    code = "pdf_too_large"
    message_vi = "Tệp PDF quá lớn"


class KeyAccessError(SigningError):
    """The key store (PKCS#12 file, token) cannot be opened."""

    code = "key_access"
    message_vi = "Không mở được khoá ký"


class WrongPinError(KeyAccessError):
    """Wrong signing PIN; ``remaining`` attempts before the lock-out."""

    code = "wrong_pin"
    message_vi = "Mã PIN ký số không đúng"

    def __init__(self, message: str, *, remaining: int | None = None):
        super().__init__(message)
        self.remaining = remaining


class PinLockedError(KeyAccessError):
    """Too many wrong PINs: signing is locked until ``locked_until`` (epoch s)."""

    code = "pin_locked"
    message_vi = "Chức năng ký số tạm khoá do nhập sai PIN nhiều lần"

    def __init__(self, message: str, *, locked_until: float):
        super().__init__(message)
        self.locked_until = locked_until


class CertificateRefusedError(SigningError):
    """The signer's certificate may not be used (expired, revoked, not yet valid)."""

    code = "certificate_refused"
    message_vi = "Chứng thư số không được phép sử dụng để ký"

    def __init__(self, message: str, *, reason: str, message_vi: str | None = None):
        super().__init__(message, message_vi=message_vi)
        self.reason = reason


class PkiError(SigningError):
    code = "pki_error"
    message_vi = "Lỗi hạ tầng khoá công khai"
