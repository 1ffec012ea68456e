"""``flask --app wsgi organisations …``: the operator's way to create organisations and to
import the national agency list, with the same rules as the super-administrator's pages."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from eoffice.errors import DomainError
from eoffice.extensions import db
from eoffice.organisation.directory_import import DirectoryImportError, import_directory
from eoffice.organisation.organisations import (
    OrganisationDetails,
    all_organisations,
    create_organisation,
)


def register_cli(app: Flask) -> None:
    """Add the ``organisations`` command group to ``app``."""
    group = AppGroup("organisations", help="Organisations of the installation; the directory.")

    @group.command("create")
    @click.argument("organ_id")
    @click.argument("name")
    @click.argument("abbreviation")
    @click.option("--parent", "parent", default=None, help="OrganId of the parent organisation")
    @click.option("--parent-name", default=None, help="Governing body printed above the name")
    @click.option("--place", default="", help="Place name in dates (e.g. Hòa Bình)")
    @click.option("--address", default="")
    @click.option("--email", default="")
    @click.option("--telephone", default="")
    def create_command(organ_id: str, name: str, abbreviation: str, parent: str | None,
                       parent_name: str | None, place: str, address: str, email: str,
                       telephone: str) -> None:
        """Create an organisation (ORGAN_ID like 000.00.00.H41) with its registers."""
        details = OrganisationDetails(
            organ_id=organ_id, name=name, abbreviation=abbreviation, parent_organ_id=parent,
            parent_name=parent_name, place=place, address=address, email=email,
            telephone=telephone)
        try:
            organisation = create_organisation(None, details)
        except DomainError as error:
            db.session.rollback()
            raise click.ClickException(error.message) from None
        db.session.commit()
        click.echo(f"Đã tạo cơ quan {organisation.organ_id} {organisation.name} "
                   f"(id {organisation.id}).")

    @group.command("import-directory")
    @click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    def import_command(csv_file: Path) -> None:
        """Import external agencies from a CSV (OrganId,name,parent; UTF-8, BOM or not)."""
        try:
            result = import_directory(csv_file.read_bytes(), file_name=csv_file.name)
        except DirectoryImportError as error:
            db.session.rollback()
            for problem in error.problems:
                click.echo(problem, err=True)
            raise click.ClickException(
                f"Không nhập gì: {len(error.problems)} lỗi trong tệp {csv_file.name}.") from None
        db.session.commit()
        click.echo(f"Đã nhập danh bạ: thêm {result.added}, cập nhật {result.updated}, "
                   f"không đổi {result.unchanged}.")

    @group.command("list")
    def list_command() -> None:
        """Print the installation's organisations as a tree (OrganId, abbreviation, name)."""
        for depth, organisation in all_organisations():
            click.echo(f"{'  ' * depth}{organisation.organ_id}  {organisation.abbreviation:<8} "
                       f"{organisation.name}")

    if "organisations" not in app.cli.commands:
        app.cli.add_command(group)
