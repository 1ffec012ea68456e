"""The app side of signing: where keys live, who holds which, PINs and their lock-out.

The pyHanko side (signing, appearances, validation) is the framework-free ``signing``
library; this package gives it the installation's keys: the demo PKI in ``instance/pki`` (or
``EOFFICE_PKI_DIR``), each signer's PIN-protected PKCS#12, the organisation's seal, the
images visible signatures show (each signer's signature, the organisation's seal image), the
wrong-PIN counters shared by every process through the database, and keys held by remote
signing services over the CSC API (``remote``: services and credential links; ``signers``
opens whichever key a holder has), and each organisation's server-held exchange certificate
that signs its edXML packages (``exchange_keys``). Documents and meetings both
open signers here; neither reaches into the other for keys.
"""

from eoffice.signing_keys.credentials import (
    DEMO_PIN,
    ensure_demo_credentials,
    has_seal_certificate,
    has_user_certificate,
    issue_seal_certificate,
    issue_user_certificate,
)
from eoffice.signing_keys.images import (
    NO_SEAL_IMAGE,
    NO_SIGNATURE_IMAGE,
    ImageMissing,
    ImageRejected,
    OrganisationSealImage,
    UserSignatureImage,
    ensure_demo_images,
    require_seal_image,
    require_signature_image,
    seal_file,
    seal_png,
    set_seal_image,
    set_signature_image,
    signature_file,
    signature_png,
)
from eoffice.signing_keys.pins import DbPinStore, SigningPinState, pin_guard
from eoffice.signing_keys.pki import demo_pki, pki_dir
from eoffice.signing_keys.remote import (
    RemoteCredentialLink,
    RemoteSigningService,
    link_for_seal,
    link_for_user,
)
from eoffice.signing_keys.signers import (
    SigningFailed,
    needs_otp,
    open_leader_signer,
    open_seal_signer,
)

__all__ = [
    "DEMO_PIN",
    "NO_SEAL_IMAGE",
    "NO_SIGNATURE_IMAGE",
    "DbPinStore",
    "ImageMissing",
    "ImageRejected",
    "OrganisationSealImage",
    "RemoteCredentialLink",
    "RemoteSigningService",
    "SigningFailed",
    "SigningPinState",
    "UserSignatureImage",
    "demo_pki",
    "ensure_demo_credentials",
    "ensure_demo_images",
    "has_seal_certificate",
    "has_user_certificate",
    "issue_seal_certificate",
    "issue_user_certificate",
    "link_for_seal",
    "link_for_user",
    "needs_otp",
    "open_leader_signer",
    "open_seal_signer",
    "pin_guard",
    "pki_dir",
    "require_seal_image",
    "require_signature_image",
    "seal_file",
    "seal_png",
    "set_seal_image",
    "set_signature_image",
    "signature_file",
    "signature_png",
]
