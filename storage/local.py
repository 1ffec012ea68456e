"""`LocalStore`: objects as files in a folder, for single-machine deployments and `make run`.

Layout, for key `abcdef…` (64 hex digits)::

    ROOT/ab/cd/abcdef…          the content, exactly as given
    ROOT/ab/cd/abcdef….type     its content type (one line; absent means octet-stream)
    ROOT/.tmp/                  puts in progress (same filesystem, so renames are atomic)

Two levels of sharding keep every folder small (65,536 leaves) whatever the object count.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from storage.base import (
    CHUNK_SIZE,
    DEFAULT_CONTENT_TYPE,
    BytesLike,
    ListedObject,
    ObjectStore,
    Source,
    StoredObject,
    VerifiedReader,
    check_content_type,
    check_key,
    copy_hashing,
    is_key,
)
from storage.errors import CorruptObject, ObjectNotFound, StorageError

_TYPE_SUFFIX = ".type"
_TMP_DIR = ".tmp"


class LocalStore(ObjectStore):
    """A content-addressed object store in a local folder (created on first put)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).absolute()

    def __repr__(self) -> str:
        return f"LocalStore(root={str(self.root)!r})"

    def path_for(self, key: str) -> Path:
        """Where the object `key` lives (whether or not it exists). Not verified: prefer
        `verified_path` for anything you will serve."""
        check_key(key)
        return self.root / key[:2] / key[2:4] / key

    # -- writing -------------------------------------------------------------------------

    def _store(self, source: Source, content_type: str, max_bytes: int | None) -> tuple[str, int]:
        """Stream `source` into a temporary file while hashing it, then rename it into place.

        The rename is atomic, so readers see either no object or the whole one, and an
        existing object is replaced by identical bytes (which also repairs a corrupted copy).
        On any failure (too large, source error, disk full) the temporary file is removed.
        """
        tmp_dir = self.root / _TMP_DIR
        try:
            tmp_dir.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, prefix="put-", suffix=".part")
        except OSError as exc:
            raise self._error("cannot write to", exc) from None
        tmp = Path(tmp_name)
        type_tmp = tmp.with_suffix(_TYPE_SUFFIX)

        def write(chunk: BytesLike) -> None:
            # Only the store's own writes become StorageError: an OSError raised by the
            # *source* (say, a client that hung up) propagates unchanged.
            try:
                out.write(chunk)
            except OSError as exc:
                raise self._error("cannot write to", exc) from None

        try:
            with os.fdopen(fd, "wb") as out:
                digest, size = copy_hashing(source, write, max_bytes)
                try:
                    out.flush()
                    os.fsync(out.fileno())
                    final = self.path_for(digest)
                    final.parent.mkdir(parents=True, exist_ok=True)
                    type_tmp.write_text(content_type + "\n", encoding="ascii")
                    os.replace(tmp, final)
                    os.replace(type_tmp, _type_path(final))
                except OSError as exc:
                    raise self._error("cannot write to", exc) from None
            _fsync_dir(final.parent)
        except BaseException:
            tmp.unlink(missing_ok=True)
            type_tmp.unlink(missing_ok=True)
            raise
        return digest, size

    def delete(self, key: str) -> None:
        path = self.path_for(key)
        try:
            path.unlink(missing_ok=True)
            _type_path(path).unlink(missing_ok=True)
        except OSError as exc:
            raise self._error("cannot delete from", exc) from None

    def list_objects(self) -> Iterator[ListedObject]:
        """Walk ``root/ab/cd/<key>``; temporary files and content-type sidecars are not
        objects and are skipped."""
        if not self.root.is_dir():
            return
        for path in self.root.glob("??/??/*"):
            if not is_key(path.name):
                continue
            try:
                info = path.stat()
            except FileNotFoundError:  # deleted while we walked
                continue
            yield ListedObject(key=path.name, size=info.st_size,
                               modified_at=datetime.fromtimestamp(info.st_mtime, UTC))

    # -- reading -------------------------------------------------------------------------

    def get(self, key: str) -> VerifiedReader:
        path = self.path_for(key)
        try:
            file = path.open("rb", buffering=0)
        except FileNotFoundError:
            raise ObjectNotFound(key) from None
        except OSError as exc:
            raise self._error("cannot read from", exc) from None
        return VerifiedReader(
            key, file.read, file.close, content_type=self._content_type(path)
        )

    def stat(self, key: str) -> StoredObject:
        path = self.path_for(key)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise ObjectNotFound(key) from None
        except OSError as exc:
            raise self._error("cannot read from", exc) from None
        return StoredObject(key=key, size=size, sha256=key, content_type=self._content_type(path))

    def verified_path(self, key: str) -> Path:
        """Hash the file now and return its path if intact (else `CorruptObject`).

        The check and the later serving are two reads, so a change in between goes unnoticed;
        that window is accepted in exchange for letting the web server send the file itself.
        """
        path = self.path_for(key)
        digest = hashlib.sha256()
        size = 0
        try:
            with path.open("rb", buffering=0) as file:
                while chunk := file.read(CHUNK_SIZE):
                    digest.update(chunk)
                    size += len(chunk)
        except FileNotFoundError:
            raise ObjectNotFound(key) from None
        except OSError as exc:
            raise self._error("cannot read from", exc) from None
        if digest.hexdigest() != key:
            raise CorruptObject(key, digest.hexdigest(), size)
        return path

    def _url(self, info: StoredObject, *, filename: str | None, content_type: str | None,
             expires: timedelta) -> None:
        """Local folders cannot be downloaded from directly: always None."""
        return None

    # -- helpers -------------------------------------------------------------------------

    def _content_type(self, path: Path) -> str:
        try:
            value = _type_path(path).read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            return DEFAULT_CONTENT_TYPE
        try:
            return check_content_type(value)
        except ValueError:
            return DEFAULT_CONTENT_TYPE

    def _error(self, doing: str, exc: OSError) -> StorageError:
        reason = exc.strerror or type(exc).__name__
        if exc.errno == errno.ENOSPC:
            reason = "no space left on device"
        return StorageError(f"{doing} local object store {self.root}: {reason}")


def _type_path(path: Path) -> Path:
    return path.with_name(path.name + _TYPE_SUFFIX)


def _fsync_dir(path: Path) -> None:
    """Make the rename durable: without it a crash can forget a freshly stored object."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
