"""The contract of `ObjectStore`, run unchanged against every backend (see conftest.py)."""

from __future__ import annotations

import hashlib
import io
import shutil
import tracemalloc
from pathlib import Path

import pytest

from storage import (
    CorruptObject,
    InvalidKey,
    ObjectNotFound,
    ObjectStore,
    ObjectTooLarge,
    StorageError,
    StoredObject,
)
from tests.storage.conftest import StoreCase
from tests.storage.helpers import MIB, GeneratedStream, generated_sha256

DOC = "Công văn số 12/UBND — nội dung thử nghiệm.\n".encode() * 50
DOC_KEY = hashlib.sha256(DOC).hexdigest()
MISSING_KEY = hashlib.sha256(b"never stored").hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(MIB):
            digest.update(chunk)
    return digest.hexdigest()


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    """An empty folder to download into (tmp_path itself may hold the store's files)."""
    path = tmp_path / "downloads"
    path.mkdir()
    return path


def test_store_satisfies_the_protocol(store: ObjectStore) -> None:
    assert isinstance(store, ObjectStore)


def test_round_trip(store: ObjectStore) -> None:
    obj = store.put(DOC, content_type="text/plain; charset=utf-8")

    assert obj == StoredObject(DOC_KEY, len(DOC), DOC_KEY, "text/plain; charset=utf-8")
    assert store.read_bytes(obj.key) == DOC
    assert store.stat(obj.key) == obj
    assert store.exists(obj.key)
    with store.get(obj.key) as reader:
        assert reader.content_type == "text/plain; charset=utf-8"
        first = reader.read(10)
        rest = reader.read()
        assert reader.verified
    assert first + rest == DOC


def test_put_from_a_stream(store: ObjectStore) -> None:
    obj = store.put(io.BytesIO(DOC))
    assert obj.key == DOC_KEY
    assert obj.content_type == "application/octet-stream"
    assert store.read_bytes(obj.key) == DOC


def test_empty_object(store: ObjectStore) -> None:
    obj = store.put(b"")
    assert obj.key == hashlib.sha256(b"").hexdigest()
    assert obj.size == 0
    assert store.read_bytes(obj.key) == b""
    assert store.stat(obj.key).size == 0


def test_put_is_idempotent(store_case: StoreCase) -> None:
    store = store_case.store
    first = store.put(DOC, content_type="text/plain")
    before = store_case.contents()
    second = store.put(io.BytesIO(DOC), content_type="text/plain")

    assert second == first
    assert store_case.contents() == before
    assert store.read_bytes(first.key) == DOC


def test_latest_content_type_wins(store: ObjectStore) -> None:
    store.put(DOC, content_type="text/plain")
    store.put(DOC, content_type="application/x-eoffice-note")
    assert store.stat(DOC_KEY).content_type == "application/x-eoffice-note"


def test_delete(store_case: StoreCase) -> None:
    store = store_case.store
    other = store.put(b"another document")
    obj = store.put(DOC)

    store.delete(obj.key)

    assert not store.exists(obj.key)
    with pytest.raises(ObjectNotFound):
        store.stat(obj.key)
    store.delete(obj.key)  # deleting again is fine
    assert store.read_bytes(other.key) == b"another document"
    assert all(obj.key not in name for name in store_case.contents())


def test_missing_object(store: ObjectStore, out_dir: Path) -> None:
    assert not store.exists(MISSING_KEY)
    for call in (store.stat, store.get, store.read_bytes, store.verify):
        with pytest.raises(ObjectNotFound) as info:
            call(MISSING_KEY)
        assert info.value.key == MISSING_KEY
    target = out_dir / "out.bin"
    with pytest.raises(ObjectNotFound):
        store.fetch_to(MISSING_KEY, target)
    assert list(out_dir.iterdir()) == []  # not even a temporary file
    with pytest.raises(ObjectNotFound):
        store.presigned_url(MISSING_KEY)
    store.delete(MISSING_KEY)


@pytest.mark.parametrize(
    "key",
    ["../../etc/passwd", "", DOC_KEY.upper(), DOC_KEY[:-1], DOC_KEY + "0", "z" * 64, None],
)
def test_invalid_keys_are_refused(store: ObjectStore, key: object) -> None:
    for call in (store.stat, store.get, store.read_bytes, store.exists, store.delete):
        with pytest.raises(InvalidKey) as info:
            call(key)  # type: ignore[arg-type]
        # A web layer mapping ObjectNotFound to 404 handles forged keys too.
        assert isinstance(info.value, ObjectNotFound)
        assert isinstance(info.value, ValueError)


def test_bad_content_type_is_refused(store_case: StoreCase) -> None:
    with pytest.raises(ValueError):
        store_case.store.put(DOC, content_type="text/plain\r\nX-Injected: 1")
    assert store_case.contents() == set()


@pytest.mark.parametrize("damage", ["changed", "same-size", "truncated", "extended"])
def test_corrupted_object_is_never_served(
    store_case: StoreCase, out_dir: Path, damage: str
) -> None:
    store = store_case.store
    obj = store.put(DOC, content_type="text/plain")
    altered = {
        "changed": b"this is not the document that was signed",
        "same-size": DOC[:100] + bytes([DOC[100] ^ 1]) + DOC[101:],
        "truncated": DOC[: len(DOC) // 2],
        "extended": DOC + b"\x00",
    }[damage]
    store_case.tamper(obj.key, altered)

    with pytest.raises(CorruptObject) as info:
        store.read_bytes(obj.key)
    assert info.value.key == obj.key
    assert info.value.actual_sha256 == hashlib.sha256(altered).hexdigest()
    assert obj.key in str(info.value)

    with pytest.raises(CorruptObject):
        store.verify(obj.key)

    with store.get(obj.key) as reader:  # streaming: the read that reaches EOF raises
        with pytest.raises(CorruptObject):
            while reader.read(7):
                pass
        assert not reader.verified
        with pytest.raises(CorruptObject):  # and keeps raising
            reader.read(1)

    target = out_dir / "download.txt"
    with pytest.raises(CorruptObject):
        store.fetch_to(obj.key, target)
    assert list(out_dir.iterdir()) == []

    if store_case.kind == "local":  # S3 keeps no local files: verified_path is None there
        with pytest.raises(CorruptObject):
            store.verified_path(obj.key)
    with pytest.raises(CorruptObject):
        store.presigned_url(obj.key, verify=True)


def test_put_repairs_a_corrupted_object(store_case: StoreCase) -> None:
    store = store_case.store
    store.put(DOC)
    store_case.tamper(DOC_KEY, b"garbage")
    assert store.put(DOC).key == DOC_KEY
    assert store.read_bytes(DOC_KEY) == DOC


def test_reader_works_with_standard_file_tools(store: ObjectStore) -> None:
    store.put(DOC)
    out = io.BytesIO()
    with store.get(DOC_KEY) as reader:
        shutil.copyfileobj(reader, out, 1000)
        assert reader.verified
    assert out.getvalue() == DOC
    with store.get(DOC_KEY) as raw, io.BufferedReader(raw) as buffered:
        assert buffered.readline() == DOC.splitlines(keepends=True)[0]


def test_fetch_to_writes_a_verified_copy(store: ObjectStore, out_dir: Path) -> None:
    store.put(DOC, content_type="text/plain")
    target = out_dir / "copy.txt"
    target.write_bytes(b"old content is replaced atomically")
    result = store.fetch_to(DOC_KEY, target)
    assert result == StoredObject(DOC_KEY, len(DOC), DOC_KEY, "text/plain")
    assert target.read_bytes() == DOC
    assert sorted(p.name for p in out_dir.iterdir()) == ["copy.txt"]


@pytest.mark.slow
def test_large_object_streams_in_bounded_memory(store: ObjectStore, out_dir: Path) -> None:
    size = 32 * MIB
    expected = generated_sha256(size, seed=7)
    # Bounded by the chunk size (local) or two 5 MiB multipart pieces (S3: minio reads the
    # next piece while the last is still referenced), whatever the object size.
    limit = 12 * MIB

    tracemalloc.start()
    try:
        obj = store.put(GeneratedStream(size, seed=7), content_type="application/pdf")
        put_peak = tracemalloc.get_traced_memory()[1]

        tracemalloc.reset_peak()
        digest = hashlib.sha256()
        with store.get(obj.key) as reader:
            while chunk := reader.read(MIB):
                digest.update(chunk)
            assert reader.verified
        get_peak = tracemalloc.get_traced_memory()[1]

        tracemalloc.reset_peak()
        target = out_dir / "big.pdf"
        store.fetch_to(obj.key, target)
        fetch_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert obj.key == expected
    assert obj.size == size
    assert store.stat(obj.key).size == size
    assert digest.hexdigest() == expected
    assert file_sha256(target) == expected
    peaks = {"put": put_peak, "get": get_peak, "fetch_to": fetch_peak}
    assert all(peak < limit for peak in peaks.values()), {k: v / MIB for k, v in peaks.items()}


def test_max_bytes_refuses_and_leaves_nothing(store_case: StoreCase) -> None:
    store = store_case.store
    before = store_case.contents()
    with pytest.raises(ObjectTooLarge) as info:
        store.put(GeneratedStream(3 * MIB), max_bytes=MIB)
    assert info.value.max_bytes == MIB
    with pytest.raises(ObjectTooLarge):
        store.put(b"12345", max_bytes=4)
    assert store_case.contents() == before
    assert not store.exists(generated_sha256(3 * MIB))


def test_max_bytes_allows_exactly_the_limit(store: ObjectStore) -> None:
    obj = store.put(b"12345", max_bytes=5)
    assert obj.size == 5


def test_failing_source_leaves_nothing(store_case: StoreCase) -> None:
    store = store_case.store
    with pytest.raises(OSError, match="simulated client disconnect"):
        store.put(GeneratedStream(6 * MIB, fail_after=5 * MIB))
    assert store_case.contents() == set()


def test_source_errors_are_not_disguised_as_storage_errors(store: ObjectStore) -> None:
    with pytest.raises(OSError) as info:
        store.put(GeneratedStream(MIB, fail_after=0))
    assert not isinstance(info.value, StorageError)


def test_put_rejects_text(store: ObjectStore) -> None:
    with pytest.raises(TypeError):
        store.put("not bytes")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        store.put(io.StringIO("text stream"))  # type: ignore[arg-type]


def test_listing_names_every_object_once_with_its_size_and_time(store: ObjectStore) -> None:
    """A sweep or a backup walks the store: every object appears once, nothing else does."""
    from datetime import UTC, datetime, timedelta

    assert list(store.list_objects()) == []  # a store nothing was ever put into
    before = datetime.now(UTC) - timedelta(minutes=1)
    keys = {store.put(io.BytesIO(f"object {i}".encode() * (i + 1))).key: (i + 1) * 8
            for i in range(3)}
    listed = list(store.list_objects())
    assert sorted(o.key for o in listed) == sorted(keys)
    for item in listed:
        assert item.size == keys[item.key]
        assert before <= item.modified_at <= datetime.now(UTC) + timedelta(minutes=1)
    store.delete(next(iter(keys)))
    assert len(list(store.list_objects())) == 2
