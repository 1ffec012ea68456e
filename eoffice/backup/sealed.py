"""Passphrase encryption of a backup's secret part (the PKI folder and the secret key).

AES-256-GCM with a key derived by scrypt from the passphrase: GCM's tag makes a wrong
passphrase and a tampered file the same clear refusal, and scrypt makes guessing a weak
passphrase expensive for whoever finds a backup disk. Framework-free on purpose: a restore
must not depend on a working app.
"""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"EOFFICE-SEALED-1\n"
_SALT_BYTES = 16
_NONCE_BYTES = 12
# scrypt cost: 2**15 × 8 × 128 B = 32 MiB and ≈0.1 s once per backup; OWASP's minimum.
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**15, 8, 1


class SealError(ValueError):
    """The sealed part cannot be opened: wrong passphrase, or the file was altered."""


def _key(passphrase: str, salt: bytes) -> bytes:
    kdf = Scrypt(salt=salt, length=32, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P)
    return kdf.derive(passphrase.encode())


def seal(data: bytes, passphrase: str) -> bytes:
    """Encrypt ``data``; the header (magic, salt) is authenticated with it."""
    if not passphrase:
        raise SealError("empty passphrase")
    salt = os.urandom(_SALT_BYTES)
    nonce = os.urandom(_NONCE_BYTES)
    header = MAGIC + salt
    ciphertext = AESGCM(_key(passphrase, salt)).encrypt(nonce, data, header)
    return header + nonce + ciphertext


def unseal(blob: bytes, passphrase: str) -> bytes:
    """Decrypt what ``seal`` wrote; ``SealError`` on a wrong passphrase or altered bytes."""
    if not blob.startswith(MAGIC):
        raise SealError("not a sealed eoffice backup part")
    offset = len(MAGIC)
    salt = blob[offset:offset + _SALT_BYTES]
    nonce = blob[offset + _SALT_BYTES:offset + _SALT_BYTES + _NONCE_BYTES]
    ciphertext = blob[offset + _SALT_BYTES + _NONCE_BYTES:]
    header = blob[:offset + _SALT_BYTES]
    try:
        return AESGCM(_key(passphrase, salt)).decrypt(nonce, ciphertext, header)
    except InvalidTag:
        raise SealError("wrong passphrase, or the sealed part was altered") from None


def pack_folder(folder: Path, extra: dict[str, bytes]) -> bytes:
    """A tar of ``folder`` (under ``pki/``, when it exists) plus ``extra`` named files."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        if folder.is_dir():
            archive.add(folder, arcname="pki")
        for name, content in extra.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            info.mode = 0o600
            archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def unpack(data: bytes, target: Path) -> dict[str, bytes]:
    """Extract the ``pki/`` tree into ``target`` (created) and return the other files.

    The ``data`` filter refuses absolute paths, ``..`` and links leaving the folder: a
    restored archive can only ever write beneath ``target``.
    """
    extra: dict[str, bytes] = {}
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        members = archive.getmembers()
        pki_members = [m for m in members if m.name == "pki" or m.name.startswith("pki/")]
        archive.extractall(target, members=pki_members, filter="data")
        for member in members:
            if member.isfile() and not (member.name == "pki" or member.name.startswith("pki/")):
                handle = archive.extractfile(member)
                if handle is not None:
                    extra[member.name] = handle.read()
    return extra
