"""The object store interface, and the pieces every backend shares.

Why content addressing: a document's bytes are named by their SHA-256, so the same attachment
uploaded twice is stored once, a key can be recorded in the database before anyone trusts the
bytes, and every read can prove that what comes back is what was stored. A store that
silently serves altered bytes would defeat the signatures and audit trail the e-office keeps,
so reads are *verified*: `VerifiedReader` hashes while streaming and raises `CorruptObject`
at the end if the bytes changed.

This module (like the whole package) imports no web framework: the web layer adapts it.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol, runtime_checkable

from storage.errors import (
    CorruptObject,
    InvalidKey,
    ObjectNotFound,
    ObjectTooLarge,
    StorageError,
)

#: Bytes moved per read/write while streaming. Large enough for throughput, small enough that
#: memory use does not grow with the object's size.
CHUNK_SIZE = 1024 * 1024

DEFAULT_CONTENT_TYPE = "application/octet-stream"

_KEY_RE = re.compile(r"[0-9a-f]{64}")
# A media type as sent in a Content-Type header: printable ASCII, one line, bounded.
_CONTENT_TYPE_RE = re.compile(r"[!-~][ -~]{0,254}")


class Readable(Protocol):
    """Anything with a `read(size)` returning bytes: files, `io.BytesIO`, request streams."""

    def read(self, size: int = -1, /) -> bytes: ...


#: Bytes-like values, sliced without copying (`collections.abc.Buffer` needs Python 3.12).
BytesLike = bytes | bytearray | memoryview

#: What `put` accepts: a bytes-like object (small content) or a readable stream.
Source = BytesLike | Readable


@dataclass(frozen=True, slots=True)
class StoredObject:
    """What a store knows about one object. `key` and `sha256` are the same hex digest: the
    key is the name, `sha256` says what it means, so callers can record either."""

    key: str
    size: int
    sha256: str
    content_type: str


@dataclass(frozen=True)
class ListedObject:
    """One object as a listing shows it: enough to decide whether it may be swept."""

    key: str
    size: int
    modified_at: datetime  # timezone-aware UTC: when the object was last written


@runtime_checkable
class ObjectStore(Protocol):
    """A content-addressed object store. Keys are the SHA-256 hex digests of the content.

    Implementations: `storage.local.LocalStore` (a folder) and `storage.s3.S3Store` (any S3
    service via the minio SDK). Get one from a URL with `storage.open_store`. They subclass
    this protocol, so what is the same for every backend (checking a put's arguments, checking
    an object exists before giving its URL, reading, copying, verifying) is written once here
    and a backend supplies only its own storage.
    """

    def put(
        self,
        source: Source,
        *,
        content_type: str = DEFAULT_CONTENT_TYPE,
        max_bytes: int | None = None,
    ) -> StoredObject:
        """Store the content read from `source` and return its description.

        Idempotent: storing the same bytes again yields the same key (the latest
        `content_type` wins). Streams in chunks, so size is bounded by disk, not memory.
        Raises `ObjectTooLarge` past `max_bytes`; a failed put leaves nothing behind.
        """
        check_content_type(content_type)
        check_max_bytes(max_bytes)
        digest, size = self._store(source, content_type, max_bytes)
        return StoredObject(key=digest, size=size, sha256=digest, content_type=content_type)

    def get(self, key: str) -> VerifiedReader:
        """Open the object for streaming; the reader raises `CorruptObject` at EOF on a
        mismatch. Close it (or use it as a context manager) when done."""
        ...

    def stat(self, key: str) -> StoredObject:
        """Size and content type, from metadata: cheap, and therefore not verified."""
        ...

    def delete(self, key: str) -> None:
        """Remove the object; deleting a missing object is not an error."""
        ...

    def presigned_url(
        self,
        key: str,
        *,
        filename: str | None = None,
        content_type: str | None = None,
        expires: timedelta = timedelta(minutes=15),
        verify: bool = False,
    ) -> str | None:
        """A time-limited URL a browser can download the object from directly, or None when
        the store has no such thing (local folders: serve `verified_path` or `get` instead).

        The object is checked to exist first (a stat, or with `verify=True` a full verified
        read), so a missing object is an `ObjectNotFound` from every backend alike; the
        download itself then bypasses verification.
        """
        info = self.verify(key) if verify else self.stat(key)
        return self._url(info, filename=filename, content_type=content_type, expires=expires)

    def list_objects(self) -> Iterator[ListedObject]:
        """Every object in the store, in no particular order (for sweeps and backups).

        Lazy: a bucket of millions is paged through, never held in memory."""
        ...

    def verified_path(self, key: str) -> Path | None:
        """A local file holding the object, checked just now, or None when the store keeps no
        local files. Lets a web layer hand a real path to `send_file` (ranges, sendfile)."""
        ...

    # -- what each backend provides for the shared methods above ------------------------

    def _store(self, source: Source, content_type: str, max_bytes: int | None) -> tuple[str, int]:
        """Copy `source` in under its digest with `copy_hashing` (arguments already checked);
        returns (digest, size). Nothing may remain of a failed store."""
        ...

    def _url(self, info: StoredObject, *, filename: str | None, content_type: str | None,
             expires: timedelta) -> str | None:
        """The download URL of an object known to exist (see `presigned_url`)."""
        ...

    # -- the same for every backend, built on `get` and `stat` ---------------------------

    def read_bytes(self, key: str) -> bytes:
        """The whole content, verified. Meant for small objects: it is held in memory."""
        with self.get(key) as reader:
            return reader.readall()

    def exists(self, key: str) -> bool:
        """Whether an object is stored under `key` (not whether it is intact)."""
        check_key(key)
        try:
            self.stat(key)
        except ObjectNotFound:
            return False
        return True

    def fetch_to(self, key: str, path: str | os.PathLike[str]) -> StoredObject:
        """Stream into a temporary file beside `path`, then rename it into place.

        The rename happens only after the reader has verified the hash, so `path` never holds
        unverified bytes; on any failure the temporary file is removed and `path` untouched.
        """
        target = Path(path)
        fd, tmp_name = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".part"
        )
        try:
            with os.fdopen(fd, "wb") as out, self.get(key) as reader:
                while chunk := reader.read(CHUNK_SIZE):
                    out.write(chunk)
                # read() returned b"" only after verifying; be explicit anyway.
                if not reader.verified:  # pragma: no cover - defensive
                    raise StorageError(f"object {key} was not verified")
                size = reader.bytes_read
                content_type = reader.content_type
            os.replace(tmp_name, target)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        return StoredObject(key=key, size=size, sha256=key, content_type=content_type)

    def verify(self, key: str) -> StoredObject:
        """Read the whole object and check it; returns its description or raises."""
        with self.get(key) as reader:
            while reader.read(CHUNK_SIZE):
                pass
            return StoredObject(key, reader.bytes_read, key, reader.content_type)


def is_key(name: str) -> bool:
    """Whether ``name`` is a content key (a lowercase SHA-256 hex digest)."""
    return bool(_KEY_RE.fullmatch(name))


def check_key(key: object) -> str:
    """Return `key` if it is a lowercase SHA-256 hex digest, else raise `InvalidKey`.

    Every store calls this before building a path or an S3 name from a key, so a key coming
    from a URL can never walk out of the store's folder or name a foreign object.
    """
    if not isinstance(key, str) or not _KEY_RE.fullmatch(key):
        raise InvalidKey(key if isinstance(key, str) else repr(key))
    return key


def check_content_type(content_type: str) -> str:
    """Reject content types that could not travel safely in an HTTP header."""
    if not isinstance(content_type, str) or not _CONTENT_TYPE_RE.fullmatch(content_type):
        raise ValueError(f"invalid content type {content_type!r}")
    return content_type


def check_max_bytes(max_bytes: int | None) -> None:
    if max_bytes is not None and (not isinstance(max_bytes, int) or max_bytes < 0):
        raise ValueError(f"max_bytes must be a non-negative integer or None, not {max_bytes!r}")


def iter_chunks(source: Source, chunk_size: int = CHUNK_SIZE) -> Iterator[BytesLike]:
    """Yield the content of `source` in chunks of at most `chunk_size` bytes.

    Bytes-like sources are sliced through a memoryview (no copies); streams are read until
    they return an empty chunk.
    """
    if isinstance(source, bytes | bytearray | memoryview):
        view = memoryview(source).cast("B")
        for start in range(0, len(view), chunk_size):
            yield view[start : start + chunk_size]
        return
    read = getattr(source, "read", None)
    if not callable(read):
        raise TypeError(f"cannot store a {type(source).__name__}: give bytes or a readable stream")
    while True:
        chunk = read(chunk_size)
        if chunk is None:  # a non-blocking raw stream with nothing ready
            raise StorageError("source stream returned None (non-blocking streams unsupported)")
        if not chunk:
            return
        if isinstance(chunk, str):
            raise TypeError("source stream returned str; open it in binary mode")
        yield chunk


def copy_hashing(
    source: Source, write: Callable[[BytesLike], object], max_bytes: int | None
) -> tuple[str, int]:
    """Copy `source` to `write` chunk by chunk, hashing on the way.

    Returns (sha256 hex digest, size). Raises `ObjectTooLarge` as soon as more than
    `max_bytes` have been read: the caller then discards what it wrote.
    """
    digest = hashlib.sha256()
    size = 0
    for chunk in iter_chunks(source):
        size += len(chunk)
        if max_bytes is not None and size > max_bytes:
            raise ObjectTooLarge(max_bytes)
        digest.update(chunk)
        write(chunk)
    return digest.hexdigest(), size


class VerifiedReader(io.RawIOBase):
    """A read-only binary stream over a stored object that checks its SHA-256 at the end.

    Bytes are handed out as they arrive (so large objects stream in constant memory); when
    the underlying stream ends, the hash of everything read is compared with the key and
    `CorruptObject` is raised on a mismatch, by the `read` that hit EOF and by any later one.
    A consumer that forwards bytes onward (e.g. an HTTP response) must therefore treat that
    exception as "abort what you sent"; one that needs certainty first uses `fetch_to`.

    It is an `io.RawIOBase`, so it works with `shutil.copyfileobj`, `io.BufferedReader` and
    Flask's `send_file`. Closing it releases the file or connection.
    """

    def __init__(
        self,
        key: str,
        read: Callable[[int], bytes],
        close: Callable[[], None],
        *,
        content_type: str = DEFAULT_CONTENT_TYPE,
    ) -> None:
        super().__init__()
        self.key = key
        self.content_type = content_type
        self._read = read
        self._close = close
        self._hash = hashlib.sha256()
        self._bytes_read = 0
        self._verified = False
        self._error: CorruptObject | None = None

    @property
    def bytes_read(self) -> int:
        return self._bytes_read

    @property
    def verified(self) -> bool:
        """True once the end was reached and the content matched its key."""
        return self._verified

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: BytesLike) -> int:
        if self.closed:
            raise ValueError("read from a closed VerifiedReader")
        if self._error is not None:
            raise self._error
        view = memoryview(buffer).cast("B")
        if self._verified or len(view) == 0:
            return 0
        data = self._read(len(view))
        if not data:
            self._finish()
            return 0
        n = len(data)
        if n > len(view):  # never trust a backend to respect the size asked for
            raise StorageError(f"backend returned {n} bytes for a {len(view)}-byte read")
        view[:n] = data
        self._hash.update(data)
        self._bytes_read += n
        return n

    def readall(self) -> bytes:
        """Read to the end in large chunks (the io default reads 8 KiB at a time)."""
        parts = []
        while chunk := self.read(CHUNK_SIZE):
            parts.append(chunk)
        return b"".join(parts)

    def _finish(self) -> None:
        actual = self._hash.hexdigest()
        if actual != self.key:
            self._error = CorruptObject(self.key, actual, self._bytes_read)
            raise self._error
        self._verified = True

    def close(self) -> None:
        if not self.closed:
            try:
                self._close()
            finally:
                super().close()
