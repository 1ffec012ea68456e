"""On an S3 store (SeaweedFS here): anchors are written under anchors/ in the bucket and read
back by `audit verify`; the backup copies the bucket's objects and anchors, and restores them
into an empty bucket; `files verify` reads every object back from S3."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from eoffice import audit
from eoffice.extensions import db
from eoffice.files.service import object_store
from tests.backup.test_drill import empty_database_like
from tests.conftest import _wipe, make_app
from tests.services.seaweed import S3Server

PASSPHRASE = "một mật khẩu sao lưu khác"


@pytest.fixture()
def s3_source(database_url: str, tmp_path: Path, s3_server: S3Server) -> Iterator[Flask]:
    application = make_app(tmp_path / "s3-source", database_url,
                           storage_url=s3_server.bucket_url("source"),
                           pki_dir=str(tmp_path / "s3-source" / "pki"),
                           backup_passphrase=PASSPHRASE)
    try:
        yield application
    finally:
        _wipe(application)


def run(application: Flask, *args: str) -> tuple[int, str]:
    result = application.test_cli_runner().invoke(args=list(args))
    return result.exit_code, result.output


def test_anchors_and_backup_on_an_s3_store(
    s3_source: Flask, database_url: str, tmp_path: Path, s3_server: S3Server,
    request: pytest.FixtureRequest,
) -> None:
    with s3_source.app_context():
        bucket = object_store().bucket
        keys = {object_store().put(io.BytesIO(f"tệp {n}".encode())).key for n in range(3)}
        audit.record(None, "registered", "document", 1)
        db.session.commit()
    assert run(s3_source, "audit", "anchor")[0] == 0
    names = [item.object_name for item in
             s3_server.client().list_objects(bucket, prefix="anchors/", recursive=True)]
    assert len(names) == 1 and names[0].endswith(".json")
    code, output = run(s3_source, "audit", "verify")
    assert code == 0 and "OK: 1 anchors match" in output, output
    assert run(s3_source, "files", "verify")[0] == 0

    backup = tmp_path / "s3-backup"
    code, output = run(s3_source, "backup", "create", str(backup))
    assert code == 0, output
    assert all((backup / "objects" / k[:2] / k[2:4] / k).is_file() for k in keys)
    assert len(list((backup / "anchors").glob("*.json"))) == 1

    target = make_app(tmp_path / "s3-target", empty_database_like(database_url, request, tmp_path),
                      storage_url=s3_server.bucket_url("target"),
                      pki_dir=str(tmp_path / "s3-target" / "pki"), backup_passphrase=PASSPHRASE)
    try:
        code, output = run(target, "backup", "restore", str(backup))
        assert code == 0, output
        code, output = run(target, "audit", "verify")
        assert code == 0 and "OK: 1 anchors match" in output, output
        code, output = run(target, "files", "verify")
        assert code == 0, output
    finally:
        _wipe(target)
