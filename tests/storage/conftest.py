"""Fixtures for the storage suite: the same tests run against every store implementation.

`store_case` is parametrized over "local" (a LocalStore in a tmp folder) and "s3" (an S3Store
on a fresh bucket of the session's SeaweedFS gateway). Besides the store, each case knows
how to tamper with a stored object behind the store's back and how to list everything the
backend holds, so tests can check corruption detection and "nothing left behind".
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from storage import LocalStore, ObjectStore, S3Store, open_store
from tests.services.seaweed import S3Server, s3_server  # noqa: F401


@dataclass
class StoreCase:
    kind: str
    store: ObjectStore
    #: Replace the stored bytes of `key` with other bytes, bypassing the store.
    tamper: Callable[[str, bytes], None]
    #: Every file or object the backend holds, including temporary ones.
    contents: Callable[[], set[str]]
    #: Where the store may put temporary files (to check they are cleaned up).
    scratch: Path


def _local_case(tmp_path: Path) -> StoreCase:
    store = open_store("file://objects", base_dir=tmp_path)
    assert isinstance(store, LocalStore)

    def tamper(key: str, data: bytes) -> None:
        store.path_for(key).write_bytes(data)

    def contents() -> set[str]:
        if not store.root.exists():
            return set()
        return {str(p.relative_to(store.root)) for p in store.root.rglob("*") if p.is_file()}

    return StoreCase("local", store, tamper, contents, store.root / ".tmp")


def _s3_case(server: S3Server, tmp_path: Path) -> StoreCase:
    url = server.bucket_url()
    store = open_store(url)
    assert isinstance(store, S3Store)
    spool = tmp_path / "spool"
    spool.mkdir()
    store.spool_dir = spool
    client = server.client()

    def tamper(key: str, data: bytes) -> None:
        client.put_object(store.bucket, key, io.BytesIO(data), len(data))

    def contents() -> set[str]:
        return {
            str(o.object_name) for o in client.list_objects(store.bucket, recursive=True)
        } | {f"spool/{p.name}" for p in spool.iterdir()}

    return StoreCase("s3", store, tamper, contents, spool)


@pytest.fixture(params=["local", pytest.param("s3", marks=pytest.mark.s3)])
def store_case(request: pytest.FixtureRequest, tmp_path: Path) -> StoreCase:
    if request.param == "local":
        return _local_case(tmp_path)
    server: S3Server = request.getfixturevalue("s3_server")
    return _s3_case(server, tmp_path)


@pytest.fixture
def store(store_case: StoreCase) -> ObjectStore:
    return store_case.store
