"""Content-addressed object storage for eoffice: a local folder or an S3 bucket, one interface.

Pick the backend with a URL (usually from configuration)::

    store = open_store("file://instance/objects", base_dir=app_root)
    store = open_store("s3://ACCESS:SECRET@s3.example.org:9000/eoffice?secure=false")

    obj = store.put(upload_stream, content_type="application/pdf", max_bytes=50 * 2**20)
    obj.key            # the SHA-256 of the content: record it in the database
    store.read_bytes(obj.key)   # verified: CorruptObject if the bytes were altered

No web framework is imported here; see docs/storage.md for how a web layer serves objects.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from storage.base import (
    DEFAULT_CONTENT_TYPE,
    ListedObject,
    ObjectStore,
    StoredObject,
    VerifiedReader,
)
from storage.errors import (
    CorruptObject,
    InvalidKey,
    InvalidStoreURL,
    ObjectNotFound,
    ObjectTooLarge,
    StorageError,
    StorageUnavailable,
)
from storage.local import LocalStore
from storage.s3 import S3Store

__all__ = [
    "DEFAULT_CONTENT_TYPE",
    "CorruptObject",
    "InvalidKey",
    "InvalidStoreURL",
    "ListedObject",
    "LocalStore",
    "ObjectNotFound",
    "ObjectStore",
    "ObjectTooLarge",
    "S3Store",
    "StorageError",
    "StorageUnavailable",
    "StoredObject",
    "VerifiedReader",
    "open_store",
]

_FORMS = "expected file://PATH or s3://ACCESS_KEY:SECRET_KEY@HOST[:PORT]/BUCKET[?secure=false]"
# S3's rules for new bucket names (no uppercase, no underscores, 3-63 characters).
_BUCKET_RE = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def open_store(url: str, *, base_dir: str | os.PathLike[str] | None = None) -> ObjectStore:
    """Build the object store described by `url`.

    - `file://instance/objects` (relative: resolved against `base_dir`, default the current
      folder) or `file:///var/lib/eoffice/objects` (absolute).
    - `s3://ACCESS_KEY:SECRET_KEY@HOST[:PORT]/BUCKET[?secure=false][&region=REGION]`;
      percent-encode reserved characters in the keys; `secure` defaults to true (HTTPS).

    Nothing is contacted here: an unreachable S3 shows up as `StorageUnavailable` on first
    use. A malformed URL raises `InvalidStoreURL` (a `ValueError`) whose one-line message
    never contains the secret key.
    """
    if not isinstance(url, str) or not url.strip():
        raise InvalidStoreURL(f"empty object store URL; {_FORMS}")
    if any(ord(c) < 0x21 or c == "\x7f" for c in url):
        raise InvalidStoreURL("object store URL contains spaces or control characters")
    scheme, sep, rest = url.partition("://")
    scheme = scheme.lower()
    if not sep or not scheme:
        raise InvalidStoreURL(f"object store URL has no scheme; {_FORMS}")
    if scheme == "file":
        return _open_local(rest, base_dir)
    if scheme == "s3":
        return _open_s3(url)
    shown = scheme if scheme.isalnum() and len(scheme) <= 20 else "?"
    raise InvalidStoreURL(f"unsupported object store URL scheme {shown!r}; {_FORMS}")


def _open_local(rest: str, base_dir: str | os.PathLike[str] | None) -> LocalStore:
    if "?" in rest or "#" in rest:
        raise InvalidStoreURL("file:// object store URL takes no query or fragment")
    path_text = unquote(rest)
    if not path_text or "\x00" in path_text:
        raise InvalidStoreURL(f"file:// object store URL has no path; {_FORMS}")
    path = Path(path_text)
    if not path.is_absolute():
        path = Path(base_dir if base_dir is not None else Path.cwd()) / path
    return LocalStore(path)


def _open_s3(url: str) -> S3Store:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise InvalidStoreURL("s3:// object store URL has an invalid host or port") from None
    if parts.username is None or parts.password is None or "@" not in parts.netloc:
        raise InvalidStoreURL(
            "s3:// object store URL needs credentials: s3://ACCESS_KEY:SECRET_KEY@HOST/BUCKET "
            "(percent-encode '/', '@', ':' in them)"
        )
    access_key, secret_key = unquote(parts.username), unquote(parts.password)
    if not access_key or not secret_key:
        raise InvalidStoreURL("s3:// object store URL has an empty access key or secret key")
    host = parts.hostname
    if not host:
        raise InvalidStoreURL("s3:// object store URL has no host")
    endpoint = f"[{host}]" if ":" in host else host
    if port is not None:
        endpoint += f":{port}"
    bucket = parts.path[1:] if parts.path.startswith("/") else parts.path
    if not bucket:
        raise InvalidStoreURL(f"s3:// object store URL for {endpoint} names no bucket")
    if not _BUCKET_RE.fullmatch(bucket) or ".." in bucket:
        # Echo the name only when it cannot be a stray piece of a badly encoded secret.
        shown = bucket if re.fullmatch(r"[A-Za-z0-9._-]{1,70}", bucket) else "(not shown)"
        raise InvalidStoreURL(
            f"invalid bucket name {shown!r} in s3:// object store URL: use 3-63 lowercase "
            "letters, digits, '.' or '-', and no '/'"
        )
    if parts.fragment:
        raise InvalidStoreURL("s3:// object store URL takes no fragment")

    secure = True
    region: str | None = None
    seen: set[str] = set()
    try:
        options = parse_qsl(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
    except ValueError:
        raise InvalidStoreURL("s3:// object store URL has a malformed query string") from None
    for name, value in options:
        if name in seen:
            raise InvalidStoreURL(f"s3:// object store URL repeats option {name!r}")
        seen.add(name)
        if name == "secure":
            if value.lower() in _TRUE:
                secure = True
            elif value.lower() in _FALSE:
                secure = False
            else:
                raise InvalidStoreURL("s3:// option secure must be true or false")
        elif name == "region":
            if not re.fullmatch(r"[a-z0-9-]{1,40}", value):
                raise InvalidStoreURL("s3:// option region must look like 'us-east-1'")
            region = value
        else:
            shown = name if name.isidentifier() and len(name) <= 30 else "?"
            raise InvalidStoreURL(
                f"unknown s3:// object store URL option {shown!r} (known: secure, region)"
            )
    return S3Store(
        endpoint,
        bucket,
        access_key=access_key,
        secret_key=secret_key,
        secure=secure,
        region=region,
    )
