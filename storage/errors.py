"""The errors every object store raises, whatever its backend.

Callers (the web layer, background jobs) handle storage failures by kind, not by backend: a
missing object becomes a 404, a corrupt one an alarm, an unreachable S3 a 503. So each
backend translates its own exceptions (OSError, minio's S3Error, urllib3's connection errors)
into this small hierarchy, and messages never carry credentials.
"""

from __future__ import annotations


class StorageError(Exception):
    """Base of every error raised by the `storage` package."""


class InvalidStoreURL(StorageError, ValueError):
    """A store URL that cannot be understood.

    A `ValueError` too, because it is a configuration mistake rather than a runtime failure.
    The message is one line and never repeats the secret part of the URL.
    """


class ObjectNotFound(StorageError):
    """No object is stored under this key."""

    def __init__(self, key: str, detail: str = "") -> None:
        self.key = key
        super().__init__(f"object {key} not found" + (f" ({detail})" if detail else ""))


class InvalidKey(ObjectNotFound, ValueError):
    """A key that is not a lowercase SHA-256 hex digest, so it cannot name any object.

    It is an `ObjectNotFound` so that a web layer turning that into a 404 also answers a
    forged key (e.g. `../../etc/passwd`) with a 404, and a `ValueError` because passing one is
    a caller's bug.
    """

    def __init__(self, key: str) -> None:
        shown = key if len(key) <= 80 else key[:77] + "..."
        self.key = key
        StorageError.__init__(
            self, f"invalid object key {shown!r}: expected 64 lowercase hex digits"
        )


class CorruptObject(StorageError):
    """The stored bytes no longer hash to their key: they were changed or truncated.

    Raised by verified reads when the end of the object is reached; the caller must not use
    (and must not have forwarded as final) the bytes read so far.
    """

    def __init__(self, key: str, actual_sha256: str, size: int) -> None:
        self.key = key
        self.actual_sha256 = actual_sha256
        self.size = size
        super().__init__(
            f"object {key} is corrupt: its {size} stored bytes hash to {actual_sha256}"
        )


class ObjectTooLarge(StorageError):
    """The content offered to `put` exceeds its `max_bytes` limit; nothing was stored."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        super().__init__(f"object larger than the limit of {max_bytes} bytes; nothing was stored")


class StorageUnavailable(StorageError):
    """The backend cannot be reached or refuses us (connection refused, timeout, bad
    credentials, server error). Usually transient or a configuration problem, not a data one.

    The message names the endpoint but never the credentials.
    """
