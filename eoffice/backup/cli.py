"""``flask backup create|verify|restore``: the operator's side of backups."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import inspect, text

from eoffice import audit
from eoffice.backup import archive
from eoffice.backup.database import DatabaseBackupError
from eoffice.extensions import db
from eoffice.files.service import object_store
from eoffice.signing_keys.pki import pki_dir

backup_group = AppGroup("backup", help="Backups: database, objects, PKI and secret key.")


def _passphrase(*, confirm: bool) -> str:
    """EOFFICE_BACKUP_PASSPHRASE, else asked for (never echoed, never logged)."""
    settings = current_app.config["EOFFICE_SETTINGS"]
    if settings.backup_passphrase:
        return str(settings.backup_passphrase)
    return str(click.prompt("Mật khẩu bảo vệ bản sao lưu (EOFFICE_BACKUP_PASSPHRASE)",
                            hide_input=True, confirmation_prompt=confirm))


def _revision() -> str | None:
    if "alembic_version" not in inspect(db.engine).get_table_names():
        return None
    with db.engine.connect() as connection:
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _fail(message: str) -> None:
    click.echo(message, err=True)
    raise SystemExit(1)


@backup_group.command("create")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def create_command(folder: Path) -> None:
    """Write a consistent backup into FOLDER (new or empty)."""
    settings = current_app.config["EOFFICE_SETTINGS"]
    passphrase = _passphrase(confirm=True)
    try:
        manifest = archive.create(
            folder, engine=db.engine, store=object_store(), pki_dir=pki_dir(),
            secret_key=settings.secret_key, passphrase=passphrase, revision=_revision())
    except (archive.BackupError, DatabaseBackupError) as error:
        _fail(f"Không tạo được bản sao lưu: {error}")
        return
    objects = manifest["objects"]
    audit.record(None, "backup_created", "backup", folder.name, folder=str(folder.resolve()),
                 objects=objects["count"], bytes=objects["bytes"],
                 manifest=archive.sha256_file(folder / archive.MANIFEST)[0])
    db.session.commit()
    click.echo(f"Đã sao lưu vào {folder}: cơ sở dữ liệu ({manifest['dialect']}), "
               f"{objects['count']} đối tượng ({objects['bytes']} byte), PKI và khóa bí mật "
               "(mã hóa).")


@backup_group.command("verify")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
def verify_command(folder: Path) -> None:
    """Check every part of the backup in FOLDER; exit 1 naming what is wrong."""
    try:
        checked = archive.verify(folder, _passphrase(confirm=False))
    except archive.BackupError as error:
        _fail(f"Bản sao lưu không dùng được: {error}")
        return
    if not checked.ok:
        for problem in checked.problems:
            click.echo(f"  {problem}", err=True)
        _fail(f"Bản sao lưu {folder} bị hỏng: {len(checked.problems)} lỗi.")
    objects = checked.manifest["objects"]
    click.echo(f"OK: bản sao lưu {folder} nguyên vẹn ({objects['count']} đối tượng, "
               f"lập lúc {checked.manifest['created_at']}).")


@backup_group.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
def restore_command(folder: Path) -> None:
    """Rebuild this EMPTY installation from the backup in FOLDER (checked first)."""
    settings = current_app.config["EOFFICE_SETTINGS"]
    store = object_store()
    refusals = archive.refusals_to_restore(db.engine, store, pki_dir())
    if refusals:
        _fail("Từ chối khôi phục: hệ thống này không trống — " + "; ".join(refusals) + ". "
              "Khôi phục chỉ vào một cài đặt mới để không ghi đè dữ liệu nào.")
    try:
        checked = archive.verify(folder, _passphrase(confirm=False))
        if not checked.ok:
            for problem in checked.problems:
                click.echo(f"  {problem}", err=True)
            _fail(f"Từ chối khôi phục: bản sao lưu bị hỏng ({len(checked.problems)} lỗi).")
        db.session.remove()
        secret_key = archive.restore(checked, engine=db.engine, store=store,
                                     pki_dir=pki_dir()).decode()
    except (archive.BackupError, DatabaseBackupError) as error:
        _fail(f"Không khôi phục được: {error}. Hệ thống vẫn trống như trước.")
        return
    _keep_secret_key(settings.instance_path, secret_key)
    if os.environ.get("EOFFICE_SECRET_KEY") and settings.secret_key != secret_key:
        click.echo("Lưu ý: EOFFICE_SECRET_KEY khác khóa trong bản sao lưu; khóa đã khôi phục "
                   f"nằm ở {settings.instance_path / 'secret_key'}.", err=True)
    audit.record(None, "backup_restored", "backup", folder.name, folder=str(folder.resolve()),
                 created_at=checked.manifest["created_at"],
                 objects=checked.manifest["objects"]["count"])
    db.session.commit()
    click.echo(f"Đã khôi phục từ {folder}: cơ sở dữ liệu, "
               f"{checked.manifest['objects']['count']} đối tượng, PKI và khóa bí mật. "
               "Hãy chạy `audit verify` và `files verify`.")


def _keep_secret_key(instance_path: Path, secret_key: str) -> None:
    target = instance_path / "secret_key"
    temporary = target.with_suffix(".restoring")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secret_key)
    os.replace(temporary, target)


def init_app(app: Flask) -> None:
    """Add the ``backup`` command group to the app's command line."""
    app.cli.add_command(backup_group)
