"""``flask --app wsgi exchange set-certificate ORGAN_ID FILE.p12``: install an organisation's
exchange certificate from a real CA (production; the demo PKI issues its own).

The PKCS#12's passphrase comes from ``EOFFICE_EXCHANGE_P12_PASSPHRASE`` or is asked for
without echo; it is used once to open the file and never stored or logged — the key is kept
re-encrypted under the installation's PKI passphrase (``signing_keys.exchange_keys``).
"""

from __future__ import annotations

from pathlib import Path

import click
from cryptography.hazmat.primitives import hashes
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from eoffice import audit
from eoffice.errors import DomainError
from eoffice.extensions import db
from eoffice.organisation.models import Organisation
from eoffice.signing_keys.exchange_keys import set_exchange_certificate

PASSPHRASE_ENV = "EOFFICE_EXCHANGE_P12_PASSPHRASE"
MAX_P12_BYTES = 256 * 1024


def _exchange_group(app: Flask) -> click.Group:
    """The ``exchange`` command group, shared with the axis commands (whichever module
    registers first creates it)."""
    existing = app.cli.commands.get("exchange")
    if isinstance(existing, click.Group):
        return existing
    group = AppGroup("exchange", help="Exchange of documents with other organisations.")
    app.cli.add_command(group)
    return group


def register_commands(app: Flask) -> None:
    """Add ``set-certificate`` to ``flask exchange``."""
    group = _exchange_group(app)

    @group.command("set-certificate")
    @click.argument("organ_id")
    @click.argument("p12_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--passphrase", envvar=PASSPHRASE_ENV, prompt="PKCS#12 passphrase",
                  hide_input=True, help=f"The file's passphrase (or set {PASSPHRASE_ENV}).")
    def set_certificate_command(organ_id: str, p12_file: Path, passphrase: str) -> None:
        """Sign ORGAN_ID's edXML packages with the key and certificate in P12_FILE."""
        organisation = db.session.execute(select(Organisation).where(
            Organisation.organ_id == organ_id.strip())).scalar_one_or_none()
        if organisation is None:
            raise click.ClickException(f"Không có cơ quan {organ_id} trong hệ thống.")
        if p12_file.stat().st_size > MAX_P12_BYTES:
            raise click.ClickException("Tệp PKCS#12 quá lớn.")
        try:
            certificate = set_exchange_certificate(organisation, p12_file.read_bytes(),
                                                   passphrase)
        except DomainError as error:
            raise click.ClickException(error.message) from None
        fingerprint = certificate.fingerprint(hashes.SHA256()).hex()
        audit.record(None, "exchange_certificate_set", "organisation", organisation.id,
                     subject=certificate.subject.rfc4514_string(), fingerprint=fingerprint,
                     not_after=certificate.not_valid_after_utc.isoformat(), via="cli")
        db.session.commit()
        click.echo(f"Đã cài chứng thư số liên thông cho {organisation.name} "
                   f"({organisation.organ_id}): {certificate.subject.rfc4514_string()}, "
                   f"SHA-256 {fingerprint}, hết hạn "
                   f"{certificate.not_valid_after_utc:%d/%m/%Y}.")
