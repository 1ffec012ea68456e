"""Secrets kept in the database encrypted at rest, under the PKI's passphrase.

The signing keys of the demo PKI are encrypted with ``EOFFICE_PKI_PASSPHRASE`` (or the
passphrase file the PKI keeps beside itself); a remote signing service's client secret is
encrypted with a key derived from that same passphrase, so a copy of the database alone does
not give away the credentials this installation signs with. AES-256-GCM; the key comes from
scrypt over the passphrase with a per-secret salt; the stored text is
``v1:<salt>:<nonce>:<ciphertext>`` in URL-safe base64.
"""

from __future__ import annotations

import base64
import functools
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from flask import current_app

from eoffice.signing_keys.pki import demo_pki, pki_dir

_PREFIX = "v1"
_CONTEXT = b"eoffice remote signing secret"


class SecretUnreadable(Exception):
    """The stored secret cannot be decrypted (another passphrase, or altered)."""


def _passphrase() -> bytes:
    settings = current_app.config["EOFFICE_SETTINGS"]
    if settings.pki_passphrase:
        return str(settings.pki_passphrase).encode()
    demo_pki()  # created on first use, with its passphrase file when none is configured
    return (pki_dir() / "ca-passphrase").read_text().strip().encode()


@functools.lru_cache(maxsize=32)
def _key(passphrase: bytes, salt: bytes) -> bytes:
    return Scrypt(salt=salt, length=32, n=2**14, r=8, p=1).derive(passphrase)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii")


def seal(plaintext: str) -> str:
    """``plaintext`` encrypted for storage."""
    salt, nonce = os.urandom(16), os.urandom(12)
    ciphertext = AESGCM(_key(_passphrase(), salt)).encrypt(nonce, plaintext.encode(), _CONTEXT)
    return ":".join((_PREFIX, _b64(salt), _b64(nonce), _b64(ciphertext)))


def unseal(stored: str) -> str:
    """The plaintext of what :func:`seal` returned, or :class:`SecretUnreadable`."""
    try:
        prefix, salt, nonce, ciphertext = stored.split(":")
        if prefix != _PREFIX:
            raise ValueError(prefix)
        key = _key(_passphrase(), base64.urlsafe_b64decode(salt))
        return AESGCM(key).decrypt(base64.urlsafe_b64decode(nonce),
                                   base64.urlsafe_b64decode(ciphertext), _CONTEXT).decode()
    except (ValueError, InvalidTag):
        raise SecretUnreadable("the stored secret cannot be decrypted") from None
