"""Anchor copies kept outside the database: ``anchors/NAME.json`` beside the objects.

The object store proper holds content-addressed objects only; anchors are named files in the
same folder or bucket under the ``anchors/`` prefix, which its listings skip (not content keys)
and which the sweep therefore never touches. Someone who can rewrite the database does not
thereby hold the bucket's credentials, and a copy there still names the head that was
timestamped after every row that vouched for it is gone.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

from storage import LocalStore, ObjectStore, S3Store

PREFIX = "anchors/"
_NAME_RE = re.compile(r"[0-9A-Za-z._-]{1,100}\.json")


def _checked(name: str) -> str:
    if not _NAME_RE.fullmatch(name):
        raise ValueError(f"invalid anchor file name {name!r}")
    return name


def write(store: ObjectStore, name: str, data: bytes) -> None:
    """Write ``anchors/name`` (whole or not at all)."""
    _checked(name)
    if isinstance(store, LocalStore):
        folder = store.root / "anchors"
        folder.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=".", suffix=".part")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, folder / name)
    elif isinstance(store, S3Store):
        # The store's own client and bucket: the S3 store exposes no named writes, and a
        # second client would need the credentials parsed again.
        store._ensure_bucket()
        store._client.put_object(store.bucket, PREFIX + name, io.BytesIO(data),
                                 len(data), content_type="application/json")
    else:  # pragma: no cover - every store the app opens is one of the two
        raise TypeError(f"cannot keep anchors in a {type(store).__name__}")


def read_all(store: ObjectStore) -> Iterator[tuple[str, bytes]]:
    """Every anchor file as (name, content), oldest name first."""
    if isinstance(store, LocalStore):
        folder: Path = store.root / "anchors"
        if folder.is_dir():
            for path in sorted(folder.glob("*.json")):
                yield path.name, path.read_bytes()
    elif isinstance(store, S3Store):
        client, bucket = store._client, store.bucket
        if not client.bucket_exists(bucket):
            return
        names = sorted(item.object_name or "" for item in
                       client.list_objects(bucket, prefix=PREFIX, recursive=True))
        for object_name in names:
            response = client.get_object(bucket, object_name)
            try:
                yield object_name.removeprefix(PREFIX), response.read()
            finally:
                response.close()
                response.release_conn()


def remove(store: ObjectStore, name: str) -> None:
    """Delete ``anchors/name`` (a restore that failed takes back what it wrote)."""
    _checked(name)
    if isinstance(store, LocalStore):
        (store.root / "anchors" / name).unlink(missing_ok=True)
    elif isinstance(store, S3Store):
        store._client.remove_object(store.bucket, PREFIX + name)
