"""PAdES signing for eoffice, on pyHanko.  No Flask, no ``eoffice`` import.

See ``docs/signing.md``.  The public API is re-exported here.
"""

from . import _speedups
from .appearance import (
    AttachmentAppearance,
    LeaderAppearance,
    SealAppearance,
    demo_seal_png,
    demo_signature_png,
)
from .errors import (
    BadPdfError,
    CertificateRefusedError,
    EncryptedPdfError,
    KeyAccessError,
    PdfTooLargeError,
    PinLockedError,
    PkiError,
    SigningError,
    WrongPinError,
)
from .external import ExternalSigningSession, add_document_timestamp, begin_external_signing
from .fields import DATE_FIELD, NUMBER_FIELD, ReservedFields, fill_fields, list_text_fields
from .keys import (
    CachedKeySigner,
    FilePinStore,
    MemoryPinStore,
    PinGuard,
    PinState,
    load_pkcs12,
    open_pkcs11_signer,
)
from .pki import DemoPKI, IssuedCertificate, LocalTimeStamper
from .sign import BatchItem, DocumentSigner, Level, Role
from .validate import SignatureReport, ValidationReport, validate

install_speedups = _speedups.install

__all__ = [
    "DATE_FIELD",
    "NUMBER_FIELD",
    "AttachmentAppearance",
    "BadPdfError",
    "BatchItem",
    "CachedKeySigner",
    "CertificateRefusedError",
    "DemoPKI",
    "DocumentSigner",
    "EncryptedPdfError",
    "ExternalSigningSession",
    "FilePinStore",
    "IssuedCertificate",
    "KeyAccessError",
    "LeaderAppearance",
    "Level",
    "LocalTimeStamper",
    "MemoryPinStore",
    "PdfTooLargeError",
    "PinGuard",
    "PinLockedError",
    "PinState",
    "PkiError",
    "ReservedFields",
    "Role",
    "SealAppearance",
    "SignatureReport",
    "SigningError",
    "ValidationReport",
    "WrongPinError",
    "add_document_timestamp",
    "begin_external_signing",
    "demo_seal_png",
    "demo_signature_png",
    "fill_fields",
    "install_speedups",
    "list_text_fields",
    "load_pkcs12",
    "open_pkcs11_signer",
    "validate",
]
