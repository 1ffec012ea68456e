"""Test helpers: content generated on the fly, so large objects never exist whole in memory."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator

MIB = 1024 * 1024


class GeneratedStream:
    """A readable stream of `size` pseudo-random bytes made 1 MiB at a time.

    Random (not repeated) bytes so no layer can shortcut them by compression or
    deduplication; seeded so two streams with the same seed carry the same content.
    `fail_after`, if set, makes `read` raise OSError once that many bytes were served,
    like a client hanging up mid-upload.
    """

    def __init__(self, size: int, seed: int = 0, fail_after: int | None = None) -> None:
        self.size = size
        self.served = 0
        self.fail_after = fail_after
        self._chunks = _chunks(size, seed)
        self._pending = memoryview(b"")

    def read(self, n: int = -1) -> bytes:
        if self.fail_after is not None and self.served >= self.fail_after:
            raise OSError("simulated client disconnect")
        if not self._pending:
            self._pending = memoryview(next(self._chunks, b""))
        if n < 0:
            n = len(self._pending)
        out = bytes(self._pending[:n])
        self._pending = self._pending[n:]
        self.served += len(out)
        return out


def _chunks(size: int, seed: int) -> Iterator[bytes]:
    rng = random.Random(seed)
    left = size
    while left > 0:
        n = min(MIB, left)
        yield rng.randbytes(n)
        left -= n


def generated_sha256(size: int, seed: int = 0) -> str:
    """The SHA-256 of `GeneratedStream(size, seed)`, computed chunk by chunk."""
    digest = hashlib.sha256()
    for chunk in _chunks(size, seed):
        digest.update(chunk)
    return digest.hexdigest()
