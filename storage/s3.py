"""`S3Store`: objects in one bucket of any S3-compatible service, through the minio SDK.

Object names are the bare SHA-256 hex digests. Because the name depends on the whole content,
`put` must read everything before it can upload: content is spooled while hashing (in memory
up to `SPOOL_MEMORY_BYTES`, then to a temporary file) and then uploaded from the spool, in
multipart pieces of `PART_SIZE` for anything bigger than that.

Failures are translated into `storage.errors`; messages name the endpoint and bucket, never
the secret key (which is held only inside the minio client).
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from datetime import UTC, timedelta
from pathlib import Path
from typing import IO, TypeVar
from urllib.parse import quote

import certifi
import urllib3
from minio import Minio
from minio.error import InvalidResponseError, MinioException, S3Error, ServerError

from formats.folding import strip_marks
from storage.base import (
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
from storage.errors import ObjectNotFound, StorageError, StorageUnavailable

#: Content up to this size is hashed and uploaded from memory; beyond, from a temp file.
SPOOL_MEMORY_BYTES = 4 * 1024 * 1024
#: Multipart piece size: S3's minimum, so an upload holds at most ~5 MiB in memory.
PART_SIZE = 5 * 1024 * 1024

_NOT_FOUND = {"NoSuchKey", "NoSuchBucket", "NoSuchObject", "ResourceNotFound"}
_REFUSED = {
    "AccessDenied",
    "AllAccessDisabled",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "InvalidToken",
    "ExpiredToken",
    "AuthorizationHeaderMalformed",
}
_BUCKET_TAKEN = {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}

T = TypeVar("T")


class S3Store(ObjectStore):
    """A content-addressed object store in an S3 bucket (created on first put if missing).

    Timeouts and retries are deliberately short: a web request waiting on a dead S3 endpoint
    should fail with `StorageUnavailable` in seconds, not hang for minutes (minio's defaults
    are 5-minute timeouts and 5 retries).
    """

    def __init__(
        self,
        endpoint: str,
        bucket: str,
        *,
        access_key: str,
        secret_key: str,
        secure: bool = True,
        region: str | None = None,
        connect_timeout: float = 5.0,
        read_timeout: float = 60.0,
        retries: int = 2,
        spool_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.bucket = bucket
        self.secure = secure
        self.region = region
        self.spool_dir = None if spool_dir is None else Path(spool_dir)
        http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=connect_timeout, read=read_timeout),
            maxsize=10,
            cert_reqs="CERT_REQUIRED",
            ca_certs=os.environ.get("SSL_CERT_FILE") or certifi.where(),
            retries=urllib3.Retry(
                total=retries,
                backoff_factor=0.1,
                status_forcelist=[500, 502, 503, 504],
            ),
        )
        self._client = Minio(
            endpoint,
            access_key=access_key,
            secret_key=secret_key,
            secure=secure,
            region=region,
            http_client=http,
        )
        self._bucket_checked = False

    def __repr__(self) -> str:
        return f"S3Store(endpoint={self.endpoint!r}, bucket={self.bucket!r}, secure={self.secure})"

    # -- writing -------------------------------------------------------------------------

    def _store(self, source: Source, content_type: str, max_bytes: int | None) -> tuple[str, int]:
        """Spool `source` while hashing it, then upload it under its digest.

        Storing the same bytes again simply overwrites the object with identical content,
        which keeps puts idempotent and repairs a damaged copy. Nothing is uploaded if
        `max_bytes` is exceeded; a failed multipart upload is aborted by minio, and S3 never
        shows a partial object.
        """
        with _Spool(self.spool_dir) as spool:
            digest, size = copy_hashing(source, spool.write, max_bytes)
            self._ensure_bucket()
            stream = spool.reader()
            self._call(
                digest,
                lambda: self._client.put_object(
                    self.bucket,
                    digest,
                    stream,
                    size,
                    content_type=content_type,
                    part_size=PART_SIZE,
                    num_parallel_uploads=1,  # one part in memory at a time
                ),
            )
        return digest, size

    def delete(self, key: str) -> None:
        check_key(key)
        with contextlib.suppress(ObjectNotFound):  # no bucket: nothing to delete either
            self._call(key, lambda: self._client.remove_object(self.bucket, key))

    def list_objects(self) -> Iterator[ListedObject]:
        """Page through the bucket (a missing bucket holds nothing); names that are not
        content keys are someone else's and are skipped."""
        listing = iter(self._client.list_objects(self.bucket, recursive=True))  # lazy: no I/O
        while True:
            try:
                item = self._call("", lambda: next(listing))  # each page's I/O, translated
            except StopIteration:
                return
            except ObjectNotFound:  # no bucket yet
                return
            name = item.object_name or ""
            if is_key(name) and item.last_modified is not None:
                yield ListedObject(key=name, size=item.size or 0,
                                   modified_at=item.last_modified.astimezone(UTC))

    # -- reading -------------------------------------------------------------------------

    def get(self, key: str) -> VerifiedReader:
        check_key(key)
        response = self._call(key, lambda: self._client.get_object(self.bucket, key))

        def read(size: int) -> bytes:
            try:
                return response.read(size, decode_content=False)
            except (urllib3.exceptions.HTTPError, OSError) as exc:
                raise self._unavailable(exc, "while reading") from None

        def close() -> None:
            response.close()
            response.release_conn()

        content_type = response.headers.get("Content-Type") or DEFAULT_CONTENT_TYPE
        return VerifiedReader(key, read, close, content_type=content_type)

    def stat(self, key: str) -> StoredObject:
        check_key(key)
        info = self._call(key, lambda: self._client.stat_object(self.bucket, key))
        return StoredObject(
            key=key,
            size=int(info.size or 0),
            sha256=key,
            content_type=info.content_type or DEFAULT_CONTENT_TYPE,
        )

    def verified_path(self, key: str) -> None:
        """S3 objects are not local files: always None (use `fetch_to` or `presigned_url`)."""
        check_key(key)
        return None

    def _url(self, info: StoredObject, *, filename: str | None, content_type: str | None,
             expires: timedelta) -> str:
        """A signed GET URL valid for `expires`, making the browser save the object as
        `filename` (Unicode allowed, with an ASCII fallback) with `content_type`.

        The object was checked to exist (`presigned_url`), so a dead link is an
        `ObjectNotFound` there rather than an XML error in the browser.
        """
        if not timedelta(seconds=1) <= expires <= timedelta(days=7):
            raise ValueError("expires must be between 1 second and 7 days (S3 limit)")
        key = info.key
        headers = {"response-content-type": check_content_type(content_type or info.content_type)}
        if filename:
            headers["response-content-disposition"] = content_disposition(filename)
        return self._call(
            key,
            lambda: self._client.presigned_get_object(
                self.bucket, key, expires=expires, response_headers=headers
            ),
        )

    # -- helpers -------------------------------------------------------------------------

    def _ensure_bucket(self) -> None:
        """Create the bucket on the first put if it does not exist (once per store)."""
        if self._bucket_checked:
            return

        def make() -> None:
            try:
                self._client.make_bucket(self.bucket, location=self.region)
            except S3Error as exc:
                if exc.code not in _BUCKET_TAKEN:  # taken by us in a race: fine
                    raise

        if not self._call("", lambda: self._client.bucket_exists(self.bucket)):
            self._call("", make)
        self._bucket_checked = True

    def _call(self, key: str, operation: Callable[[], T]) -> T:
        """Run one minio call, translating its failures into `storage.errors`."""
        try:
            return operation()
        except S3Error as exc:
            if exc.code in _NOT_FOUND:
                raise ObjectNotFound(key, exc.code) from None
            if exc.code in _REFUSED:
                raise StorageUnavailable(
                    f"S3 endpoint {self.endpoint} refused access to bucket {self.bucket} "
                    f"({exc.code}): check the access key, secret and permissions"
                ) from None
            raise StorageError(
                f"S3 endpoint {self.endpoint} failed on bucket {self.bucket}: {exc.code}"
            ) from None
        except ServerError as exc:
            raise StorageUnavailable(
                f"S3 endpoint {self.endpoint} answered HTTP {exc.status_code}"
            ) from None
        except InvalidResponseError:
            raise StorageUnavailable(
                f"S3 endpoint {self.endpoint} gave a non-S3 answer (is it an S3 service?)"
            ) from None
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise self._unavailable(exc) from None
        except MinioException as exc:  # pragma: no cover - other SDK errors
            raise StorageError(f"S3 endpoint {self.endpoint}: {type(exc).__name__}") from None

    def _unavailable(self, exc: BaseException, when: str = "") -> StorageUnavailable:
        where = f" {when}" if when else ""
        return StorageUnavailable(
            f"S3 endpoint {self.endpoint} is unreachable{where}: {_root_cause(exc)}"
        )


def _root_cause(exc: BaseException) -> str:
    """A short, one-line reason ('Connection refused', 'timed out') from urllib3's wrapped
    exceptions, without their URLs or object reprs."""
    chain: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and len(chain) < 10 and seen not in chain:
        chain.append(seen)
        seen = getattr(seen, "reason", None) or seen.__cause__ or seen.__context__
    # The innermost OS error says most ("Connection refused", "Name or service not known");
    # urllib3's own classes are the fallback (its NewConnectionError is a TimeoutError).
    for error in reversed(chain):
        if isinstance(error, OSError) and error.strerror:
            return error.strerror
    for error in chain:
        if isinstance(error, TimeoutError | urllib3.exceptions.TimeoutError):
            return "timed out"
        if isinstance(error, urllib3.exceptions.ResponseError):
            return "too many error responses"
        if isinstance(error, urllib3.exceptions.ProtocolError):
            return "connection broken"
    return type(exc).__name__


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback name and the exact UTF-8 one (RFC 6266/5987).

    Vietnamese names ("Công văn số 12.pdf") must survive the round trip, and old clients that
    ignore `filename*` still get a readable "Cong van so 12.pdf".
    """
    name = filename.replace("\r", " ").replace("\n", " ").strip() or "download"
    ascii_name = unicodedata.normalize("NFKD", strip_marks(name))
    ascii_name = "".join(c for c in ascii_name if c.isascii() and c.isprintable())
    ascii_name = ascii_name.replace("\\", "_").replace('"', "_") or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


class _Spool:
    """Holds an upload while it is hashed: memory first, a temporary file past a threshold.

    Unlike `tempfile.SpooledTemporaryFile`, rolling over does not copy the memory buffer
    (`getvalue()`), so peak memory stays near the threshold. The temporary file is unlinked
    on close, so a failed or refused put leaves nothing behind.
    """

    def __init__(self, spool_dir: Path | None) -> None:
        self._dir = spool_dir
        self._memory: bytearray | None = bytearray()
        self._file: IO[bytes] | None = None

    def __enter__(self) -> _Spool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._memory = None
        if self._file is not None:
            self._file.close()
            self._file = None

    def write(self, chunk: BytesLike) -> None:
        """Append a chunk; a disk error is a `StorageError` (the source's own errors are not
        caught here, so they propagate unchanged)."""
        try:
            self._write(chunk)
        except OSError as exc:
            raise StorageError(
                f"cannot spool the upload to a temporary file: {exc.strerror or exc}"
            ) from None

    def _write(self, chunk: BytesLike) -> None:
        if self._file is not None:
            self._file.write(chunk)
            return
        assert self._memory is not None
        if len(self._memory) + len(chunk) <= SPOOL_MEMORY_BYTES:
            self._memory += chunk
            return
        # Closed in __exit__; unlinked at once by the OS, so nothing survives a crash either.
        self._file = tempfile.TemporaryFile(dir=self._dir, prefix="eoffice-s3-spool-")  # noqa: SIM115
        self._file.write(self._memory)
        self._memory = None
        self._file.write(chunk)

    def reader(self) -> IO[bytes]:
        """A stream over everything written, from the start."""
        if self._file is not None:
            self._file.flush()
            self._file.seek(0)
            return self._file
        return io.BytesIO(self._memory or b"")
