"""`open_store`: the URL forms it accepts, and one-line refusals that never show a secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage import InvalidStoreURL, LocalStore, S3Store, StorageError, open_store

SECRET = "s3cr3tV4lue"


def test_relative_file_url_resolves_against_base_dir(tmp_path: Path) -> None:
    store = open_store("file://instance/objects", base_dir=tmp_path)
    assert isinstance(store, LocalStore)
    assert store.root == tmp_path / "instance" / "objects"


def test_relative_file_url_defaults_to_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = open_store("file://objects")
    assert isinstance(store, LocalStore)
    assert store.root == tmp_path / "objects"


def test_absolute_file_url(tmp_path: Path) -> None:
    store = open_store(f"file://{tmp_path}/objects", base_dir="/elsewhere")
    assert isinstance(store, LocalStore)
    assert store.root == tmp_path / "objects"
    assert isinstance(open_store("FILE:///srv/eoffice%20objects"), LocalStore)
    assert open_store("file:///srv/eoffice%20objects").root == Path("/srv/eoffice objects")


def test_s3_url() -> None:
    store = open_store(f"s3://AKIA:{SECRET}%2F%2B@s3.example.org:9000/eoffice-docs?secure=false")
    assert isinstance(store, S3Store)
    assert (store.endpoint, store.bucket, store.secure, store.region) == (
        "s3.example.org:9000",
        "eoffice-docs",
        False,
        None,
    )
    assert SECRET not in repr(store)


def test_s3_url_defaults_to_https_and_takes_a_region() -> None:
    store = open_store(f"s3://AKIA:{SECRET}@s3.example.org/docs?region=ap-southeast-1")
    assert isinstance(store, S3Store)
    assert (store.endpoint, store.secure, store.region) == (
        "s3.example.org",
        True,
        "ap-southeast-1",
    )


def test_nothing_is_contacted_when_opening() -> None:
    # Port 9 (discard) on loopback is closed here; opening must still succeed.
    assert isinstance(open_store(f"s3://a:{SECRET}@127.0.0.1:9/docs?secure=false"), S3Store)


@pytest.mark.parametrize(
    "url",
    [
        "",
        "   ",
        "instance/objects",
        "file:instance/objects",
        "file://",
        "file://objects?mode=fast",
        "ftp://host/objects",
        f"minio://AK:{SECRET}@host/bucket",
        "s3://host:9000/bucket",
        "s3://AK@host:9000/bucket",
        f"s3://AK:{SECRET}@/bucket",
        f"s3://AK:{SECRET}@host:port/bucket",
        f"s3://AK:{SECRET}@host:99999/bucket",
        f"s3://AK:{SECRET}@host:9000",
        f"s3://AK:{SECRET}@host:9000/",
        f"s3://AK:{SECRET}@host:9000/Bucket_Name",
        f"s3://AK:{SECRET}@host:9000/bucket/sub",
        f"s3://AK:{SECRET}@host:9000/ab",
        f"s3://AK:{SECRET}@host:9000/bucket?secure=maybe",
        f"s3://AK:{SECRET}@host:9000/bucket?secure=false&secure=true",
        f"s3://AK:{SECRET}@host:9000/bucket?timeout=3",
        f"s3://AK:{SECRET}@host:9000/bucket?region=Bad Region",
        f"s3://AK:{SECRET}@host:9000/bucket#frag",
        f"s3://AK:{SECRET}/more@host:9000/bucket",
        f"s3://AK:x@y/{SECRET}@host/bucket",
        f"s3://AK:{SECRET}@host:9000/bucket\n",
        f"s3://:{SECRET}@host:9000/bucket",
    ],
)
def test_malformed_urls_are_refused(url: str) -> None:
    with pytest.raises(InvalidStoreURL) as info:
        open_store(url)
    error = info.value
    assert isinstance(error, ValueError) and isinstance(error, StorageError)
    message = str(error)
    assert message and "\n" not in message
    assert SECRET not in message
