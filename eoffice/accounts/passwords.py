"""Password hashing with argon2id (the argon2-cffi defaults follow RFC 9106's advice)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()

MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


# A hash of a random password: checked against when the user name is unknown, so that a wrong
# user name takes as long as a wrong password and does not reveal which accounts exist.
DUMMY_HASH = _hasher.hash("not-a-real-password-8f1c2e")
