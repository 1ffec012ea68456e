"""What only the local folder backend does: its on-disk layout and serving by path."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from storage import LocalStore, ObjectNotFound, StorageError
from tests.storage.helpers import MIB, GeneratedStream

DOC = b"%PDF-1.7 a signed decision\n" * 100
DOC_KEY = hashlib.sha256(DOC).hexdigest()


def test_objects_are_sharded_by_digest(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "objects")
    store.put(DOC, content_type="application/pdf")

    path = tmp_path / "objects" / DOC_KEY[:2] / DOC_KEY[2:4] / DOC_KEY
    assert store.path_for(DOC_KEY) == path
    assert path.read_bytes() == DOC
    assert path.with_name(DOC_KEY + ".type").read_text() == "application/pdf\n"
    assert list((tmp_path / "objects" / ".tmp").iterdir()) == []


def test_verified_path_is_served_by_path(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    store.put(DOC)
    path = store.verified_path(DOC_KEY)
    assert path == store.path_for(DOC_KEY)
    assert path.read_bytes() == DOC
    with pytest.raises(ObjectNotFound):
        store.verified_path(hashlib.sha256(b"x").hexdigest())


def test_no_presigned_urls_for_folders(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    store.put(DOC)
    assert store.presigned_url(DOC_KEY, filename="a.pdf") is None


def test_missing_folder_reads_as_empty_and_is_created_on_put(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "not" / "yet")
    assert not store.exists(DOC_KEY)
    assert not (tmp_path / "not").exists()  # reading creates nothing
    store.put(DOC)
    assert store.read_bytes(DOC_KEY) == DOC


def test_unwritable_root_is_a_storage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_bytes(b"")
    store = LocalStore(blocker / "objects")  # cannot exist: its parent is a file
    with pytest.raises(StorageError, match="cannot write to local object store"):
        store.put(DOC)


def test_unknown_or_damaged_type_file_falls_back(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    store.put(DOC, content_type="application/pdf")
    type_file = store.path_for(DOC_KEY).with_name(DOC_KEY + ".type")
    type_file.write_bytes(b"\xff\xfe not a type")
    assert store.stat(DOC_KEY).content_type == "application/octet-stream"
    type_file.unlink()
    assert store.stat(DOC_KEY).content_type == "application/octet-stream"
    assert store.read_bytes(DOC_KEY) == DOC


def test_large_put_cleans_its_temporary_file(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    obj = store.put(GeneratedStream(17 * MIB, seed=1))
    assert obj.size == 17 * MIB
    assert list((tmp_path / ".tmp").iterdir()) == []
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == sorted(
        [obj.key, obj.key + ".type"]
    )
