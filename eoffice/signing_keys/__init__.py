"""The app side of signing: where keys live, who holds which, PINs and their lock-out.

The pyHanko side (signing, appearances, validation) is the framework-free ``signing``
library; this package gives it the installation's keys: the demo PKI in ``instance/pki`` (or
``EOFFICE_PKI_DIR``), each signer's PIN-protected PKCS#12, the organisation's seal, and the
wrong-PIN counters shared by every process through the database. Documents and meetings both
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
from eoffice.signing_keys.pins import DbPinStore, SigningPinState, pin_guard
from eoffice.signing_keys.pki import demo_pki, pki_dir
from eoffice.signing_keys.signers import SigningFailed, open_leader_signer, open_seal_signer

__all__ = [
    "DEMO_PIN",
    "DbPinStore",
    "SigningFailed",
    "SigningPinState",
    "demo_pki",
    "ensure_demo_credentials",
    "has_seal_certificate",
    "has_user_certificate",
    "issue_seal_certificate",
    "issue_user_certificate",
    "open_leader_signer",
    "open_seal_signer",
    "pin_guard",
    "pki_dir",
]
