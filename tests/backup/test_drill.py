"""The disaster drill, on SQLite and on PostgreSQL: an installation with an issued, signed
document is backed up, lost (a new empty database, object folder and PKI folder), restored from
the backup, and then the audit chain, every object and the issued document's signatures check.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

import signing
from eoffice import signing_keys
from eoffice.accounts.models import User
from eoffice.documents import service, signing_service
from eoffice.documents.models import Document
from eoffice.extensions import db
from eoffice.files.service import object_store
from tests.conftest import _wipe, make_app
from tests.documents.conftest import user
from tests.documents.test_signing import approved_document
from tests.services.postgres import create_database

PASSPHRASE = "mật khẩu sao lưu dài và khó đoán"
PIN = signing_keys.DEMO_PIN


@pytest.fixture()
def source(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """An installation of its own (database, objects, PKI) holding an issued document."""
    instance = tmp_path / "source"
    application = make_app(instance, database_url, pki_dir=str(instance / "pki"),
                           backup_passphrase=PASSPHRASE)
    try:
        with application.app_context():
            from eoffice.demo import seed_demo

            seed_demo()
            signing_keys.ensure_demo_credentials(list(db.session.execute(select(User)).scalars()))
            document = approved_document()
            signing_service.sign_as_leader(user("chutich"), document, PIN)
            db.session.commit()
            signing_service.assign_number(user("vanthu"), document)
            db.session.commit()
            signing_service.org_sign(user("vanthu"), document, PIN)
            db.session.commit()
            service.issue(user("vanthu"), document)
            db.session.commit()
            db.session.remove()
        yield application
    finally:
        _wipe(application)


def empty_database_like(database_url: str, request: pytest.FixtureRequest, where: Path) -> str:
    if database_url.startswith("sqlite"):
        return f"sqlite:///{where / 'restored.sqlite3'}"
    return create_database(request.getfixturevalue("postgres_server_url"), "eoffice_restore")


def run(application: Flask, *args: str) -> tuple[int, str]:
    result = application.test_cli_runner().invoke(args=list(args))
    return result.exit_code, result.output  # stdout and stderr as a terminal shows them


def issued_document_pdf(application: Flask) -> tuple[Document, bytes]:
    with application.app_context():
        document = db.session.execute(
            select(Document).where(Document.state == "ISSUED")).scalar_one()
        pdf = object_store().read_bytes(document.current_version.file.sha256)
        number = document.number_and_notation
        db.session.remove()
    return number, pdf


def test_backup_wipe_restore_and_everything_still_checks(
    source: Flask, database_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    number, issued = issued_document_pdf(source)
    assert run(source, "audit", "anchor")[0] == 0  # the TSA vouches for the chain's head
    backup = tmp_path / "backup-1"
    code, output = run(source, "backup", "create", str(backup))
    assert code == 0, output
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["objects"]["count"] >= 5  # draft, three signed versions, images
    # The PKI's private keys never lie in the backup in clear.
    assert b"PRIVATE KEY" not in (backup / "secrets.sealed").read_bytes()
    code, output = run(source, "backup", "verify", str(backup))
    assert code == 0 and output.startswith("OK"), output

    # Disaster: a new machine with an empty database, object folder and PKI folder.
    target_instance = tmp_path / "target"
    target = make_app(target_instance, empty_database_like(database_url, request, tmp_path),
                      pki_dir=str(target_instance / "pki"), backup_passphrase=PASSPHRASE)
    code, output = run(target, "backup", "restore", str(backup))
    assert code == 0, output

    code, output = run(target, "audit", "verify")
    assert code == 0 and output.startswith("OK") and "OK: 1 anchors match" in output, output
    assert len(list((target_instance / "objects" / "anchors").glob("*.json"))) == 1
    code, output = run(target, "files", "verify")
    assert code == 0 and output.startswith("OK"), output
    restored_number, restored = issued_document_pdf(target)
    assert (restored_number, restored) == (number, issued)
    report = signing.validate(restored, pki=signing.DemoPKI.open(target_instance / "pki"))
    assert report.ok, report.verdict_en
    assert len(report.signatures) == 2 and all(s.trusted for s in report.signatures)
    assert (target_instance / "secret_key").read_text() == source.config["SECRET_KEY"]
    # The restored leader can sign again with the restored certificate and PIN.
    with target.app_context():
        assert signing_keys.open_leader_signer(user("chutich"), PIN) is not None
        db.session.remove()

    # A second restore would overwrite: refused, and nothing changes.
    code, output = run(target, "backup", "restore", str(backup))
    assert code == 1 and "không trống" in output, output

    # A damaged object in the store is named by `files verify`.
    with target.app_context():
        path = object_store().path_for(
            db.session.execute(select(Document)).scalars().first().current_version.file.sha256)
        db.session.remove()
    path.write_bytes(path.read_bytes()[:-10] + b"0123456789")
    code, output = run(target, "files", "verify")
    assert code == 1 and path.name in output, output
    _wipe(target)


def test_damaged_backup_or_wrong_passphrase_is_refused_before_anything_is_written(
    source: Flask, database_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    backup = tmp_path / "backup-2"
    assert run(source, "backup", "create", str(backup))[0] == 0
    object_file = next((backup / "objects").glob("??/??/*"))
    target_instance = tmp_path / "target"
    target_url = empty_database_like(database_url, request, tmp_path)

    wrong = make_app(target_instance, target_url, pki_dir=str(target_instance / "pki"),
                     backup_passphrase="not the passphrase")
    code, output = run(wrong, "backup", "restore", str(backup))
    assert code == 1 and "secrets.sealed" in output, output

    original = object_file.read_bytes()
    object_file.write_bytes(b"x" + original[1:])
    code, output = run(source, "backup", "verify", str(backup))
    assert code == 1 and object_file.name in output, output
    target = make_app(target_instance, target_url, pki_dir=str(target_instance / "pki"),
                      backup_passphrase=PASSPHRASE)
    code, output = run(target, "backup", "restore", str(backup))
    assert code == 1 and object_file.name in output, output
    # Nothing was written: the installation is still empty, and a good backup restores.
    object_file.write_bytes(original)
    assert not (target_instance / "objects").exists() or not any(
        (target_instance / "objects").glob("??/??/*"))
    assert not (target_instance / "pki").exists() or not any((target_instance / "pki").iterdir())
    code, output = run(target, "backup", "restore", str(backup))
    assert code == 0, output
    _wipe(target)
    shutil.rmtree(target_instance / "pki", ignore_errors=True)
