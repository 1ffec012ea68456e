"""What only the S3 backend does: presigned downloads, bucket creation, refusals, outages."""

from __future__ import annotations

import hashlib
import socket
import time
import urllib.error
import urllib.request
from datetime import timedelta
from urllib.parse import quote

import pytest

from storage import ObjectNotFound, S3Store, StorageUnavailable, open_store
from tests.services.seaweed import S3Server
from tests.storage.helpers import MIB, GeneratedStream

pytestmark = pytest.mark.s3

DOC = "Quyết định phê duyệt kế hoạch năm 2025.\n".encode() * 20
DOC_KEY = hashlib.sha256(DOC).hexdigest()


@pytest.fixture
def s3_store(s3_server: S3Server) -> S3Store:
    store = open_store(s3_server.bucket_url())
    assert isinstance(store, S3Store)
    return store


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_objects_are_named_by_their_digest(s3_store: S3Store, s3_server: S3Server) -> None:
    s3_store.put(DOC)
    names = [o.object_name for o in s3_server.client().list_objects(s3_store.bucket)]
    assert names == [DOC_KEY]


def test_presigned_url_downloads_the_object(s3_store: S3Store) -> None:
    s3_store.put(DOC, content_type="text/plain; charset=utf-8")
    filename = "Quyết định số 15/QĐ-UBND.txt"
    url = s3_store.presigned_url(DOC_KEY, filename=filename, expires=timedelta(minutes=2))

    assert url is not None and url.startswith("http://127.0.0.1:")
    with urllib.request.urlopen(url, timeout=10) as response:
        body = response.read()
        disposition = response.headers["Content-Disposition"]
        content_type = response.headers["Content-Type"]
    assert body == DOC
    assert content_type == "text/plain; charset=utf-8"
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote(filename, safe='')}" in disposition
    assert 'filename="Quyet dinh so 15/QD-UBND.txt"' in disposition


def test_presigned_url_can_override_the_type_and_verify_first(s3_store: S3Store) -> None:
    s3_store.put(DOC)
    url = s3_store.presigned_url(DOC_KEY, content_type="application/pdf", verify=True)
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.read() == DOC


def test_presigned_url_is_signed(s3_store: S3Store) -> None:
    s3_store.put(DOC)
    url = s3_store.presigned_url(DOC_KEY)
    forged = url.replace("X-Amz-Signature=", "X-Amz-Signature=0")
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(forged, timeout=10)
    assert info.value.code == 403


def test_presigned_url_expiry_is_bounded(s3_store: S3Store) -> None:
    s3_store.put(DOC)
    with pytest.raises(ValueError):
        s3_store.presigned_url(DOC_KEY, expires=timedelta(days=8))


def test_large_objects_use_multipart_upload(s3_store: S3Store, s3_server: S3Server) -> None:
    obj = s3_store.put(GeneratedStream(12 * MIB, seed=5))
    raw = s3_server.client().stat_object(s3_store.bucket, obj.key)
    # A multipart ETag is "<md5 of part md5s>-<part count>": 12 MiB in 5 MiB pieces is 3.
    assert raw.etag is not None and raw.etag.endswith("-3")
    assert raw.size == 12 * MIB


def test_bucket_is_created_on_first_put(s3_server: S3Server) -> None:
    url = s3_server.bucket_url().replace("/test-", "/fresh-", 1)  # a name not yet created
    store = open_store(url)
    assert isinstance(store, S3Store)
    assert not s3_server.client().bucket_exists(store.bucket)
    with pytest.raises(ObjectNotFound):  # reading a missing bucket: simply not found
        store.read_bytes(DOC_KEY)
    assert not store.exists(DOC_KEY)
    store.delete(DOC_KEY)

    store.put(DOC)

    assert s3_server.client().bucket_exists(store.bucket)
    assert store.read_bytes(DOC_KEY) == DOC


def test_wrong_secret_is_refused_without_leaking_it(s3_server: S3Server) -> None:
    bucket = s3_server.make_bucket()
    wrong = "Wr0ngSecretValue" + "x" * 20
    store = open_store(f"s3://{s3_server.access_key}:{wrong}@{s3_server.endpoint}/{bucket}"
                       "?secure=false&region=us-east-1")
    for call in (lambda: store.put(DOC), lambda: store.stat(DOC_KEY), lambda: store.get(DOC_KEY)):
        with pytest.raises(StorageUnavailable) as info:
            call()
        message = str(info.value)
        assert s3_server.endpoint in message
        assert "refused" in message
        assert wrong not in message and s3_server.secret_key not in message
        assert "\n" not in message


def test_unreachable_endpoint_fails_fast(s3_server: S3Server) -> None:
    endpoint = f"127.0.0.1:{closed_port()}"
    secret = "TopSecretValue/+123"
    store = open_store(f"s3://AKIDEXAMPLE:{quote(secret, safe='')}@{endpoint}/eoffice?secure=false")
    calls = {
        "put": lambda: store.put(DOC),
        "get": lambda: store.get(DOC_KEY),
        "read_bytes": lambda: store.read_bytes(DOC_KEY),
        "stat": lambda: store.stat(DOC_KEY),
        "exists": lambda: store.exists(DOC_KEY),
        "delete": lambda: store.delete(DOC_KEY),
        "presigned_url": lambda: store.presigned_url(DOC_KEY),
    }
    for name, call in calls.items():
        started = time.monotonic()
        with pytest.raises(StorageUnavailable) as info:
            call()
        elapsed = time.monotonic() - started
        message = str(info.value)
        assert elapsed < 5, f"{name} took {elapsed:.1f} s"
        assert endpoint in message and "unreachable" in message, message
        assert "Connection refused" in message, message
        assert secret not in message and quote(secret, safe="") not in message
        assert "\n" not in message
    assert secret not in repr(store)


def test_repr_hides_the_secret(s3_store: S3Store, s3_server: S3Server) -> None:
    assert s3_server.secret_key not in repr(s3_store)
    assert quote(s3_server.secret_key, safe="") not in repr(s3_store)
    assert s3_server.secret_key not in repr(s3_server)
