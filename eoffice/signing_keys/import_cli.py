"""``flask documents import-certificate (--user USERNAME | --seal ORGAN_ID) FILE.p12``: a
leader's or the organisation seal's key from a licensed CA (``imports.import_certificate``).

The file's password and the new signing PIN are asked at the prompt, hidden (the PIN twice),
never taken from the command line where ``ps`` and shell history would keep them.
"""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy import select

from eoffice.accounts.models import User
from eoffice.errors import DomainError
from eoffice.extensions import db
from eoffice.organisation.models import Organisation
from eoffice.signing_keys.imports import import_certificate
from eoffice.signing_keys.remote import link_for_seal, link_for_user


@click.command("import-certificate")
@click.option("--user", "username", help="Username of the signer (a leader).")
@click.option("--seal", "organ_id", help="OrganId of the organisation whose seal it is.")
@click.argument("p12_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_certificate_command(username: str | None, organ_id: str | None,
                               p12_file: Path) -> None:
    """Install P12_FILE (a PKCS#12 from a licensed CA) as a signer's or a seal's key."""
    if (username is None) == (organ_id is None):
        raise click.UsageError("Chọn đúng một trong --user USERNAME hoặc --seal ORGAN_ID.")
    holder: User | Organisation | None
    if username is not None:
        holder = db.session.execute(
            select(User).where(User.username == username.strip())).scalar_one_or_none()
        if holder is None:
            raise click.ClickException(f"Không có người dùng {username} trong hệ thống.")
        linked = link_for_user(holder) is not None
    else:
        assert organ_id is not None
        holder = db.session.execute(select(Organisation).where(
            Organisation.organ_id == organ_id.strip())).scalar_one_or_none()
        if holder is None:
            raise click.ClickException(f"Không có cơ quan {organ_id} trong hệ thống.")
        linked = link_for_seal(holder) is not None
    password = click.prompt("Mật khẩu của tệp PKCS#12", hide_input=True, default="",
                            show_default=False)
    pin = click.prompt("Mã PIN ký số mới", hide_input=True, confirmation_prompt=(
        "Nhập lại mã PIN ký số mới", "Hai lần nhập mã PIN không khớp."))
    try:
        certificate = import_certificate(holder, p12_file.read_bytes(), password, pin)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    whose = (f"{holder.full_name} ({holder.username})" if isinstance(holder, User)
             else f"con dấu của {holder.name} ({holder.organ_id})")
    click.echo(f"Đã cài chứng thư số cho {whose}: {certificate.subject.rfc4514_string()}, "
               f"số hiệu {certificate.serial_number:x}, hết hạn "
               f"{certificate.not_valid_after_utc:%d/%m/%Y}.")
    if linked:
        click.echo("Lưu ý: đang liên kết chứng thư ký số từ xa; ký số vẫn dùng chứng thư từ xa "
                   "cho đến khi bỏ liên kết.")
