"""``flask exchange …``: poll the axis now, list its agencies, and on a hub register the
systems (other installations) it serves."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import TypeVar

import click
from flask import Flask
from flask.cli import AppGroup

from eoffice.errors import DomainError
from eoffice.exchange.axis import hub
from eoffice.exchange.axis.client import AxisClient
from eoffice.exchange.axis.poll import PollReport, local_organ_ids
from eoffice.exchange.ports import TransportRefused, TransportUnavailable, remote_transport
from eoffice.extensions import db
from eoffice.organisation.directory_import import import_directory

T = TypeVar("T")


def exchange_group(app: Flask) -> click.Group:
    """The ``exchange`` command group, shared with the exchange core's commands (whichever
    module registers first creates it)."""
    existing = app.cli.commands.get("exchange")
    if isinstance(existing, click.Group):
        return existing
    group = AppGroup("exchange", help="Exchange of documents with other organisations.")
    app.cli.add_command(group)
    return group


def _organ(value: str) -> tuple[str, str]:
    organ_id, _, name = value.partition("=")
    return organ_id.strip(), name.strip()


def register_commands(app: Flask, run_poll: Callable[[], PollReport]) -> None:
    """Add the axis commands to ``flask exchange``."""
    group = exchange_group(app)

    @group.command("poll")
    def poll_command() -> None:
        """Fetch now what waits on the axis for this installation's organisations."""
        if remote_transport() is None:
            raise click.ClickException("EOFFICE_AXIS_URL is not set: no axis to poll.")
        # The statuses taking a message in queues (01 arrived…) are left to the job worker:
        # this short-lived process must not start sending them on threads it would then
        # cut off when it exits (eoffice.exchange.at_once).
        app.config["EXCHANGE_AT_ONCE"] = False
        report = run_poll()
        click.echo(f"accepted={len(report.accepted)} refused={len(report.refused)} "
                   f"failed={len(report.failed)} "
                   f"refused_by_recipient={len(report.sender_failures)}"
                   + (f" interrupted: {report.interrupted}" if report.interrupted else ""))
        if report.interrupted:
            raise SystemExit(1)

    @group.command("agencies")
    @click.option("--import", "into_directory", is_flag=True,
                  help="Also add them to the directory clerks pick recipients from.")
    def agencies_command(into_directory: bool) -> None:
        """The organisations reachable through the axis (organ id, name)."""
        transport = remote_transport()
        if not isinstance(transport, AxisClient):
            raise click.ClickException("EOFFICE_AXIS_URL is not set: no axis to ask.")
        try:
            agencies = transport.agencies()
        except (TransportUnavailable, TransportRefused) as error:
            raise click.ClickException(str(error)) from None
        for agency in agencies:
            click.echo(f"{agency['code']}\t{agency.get('name', '')}")
        if into_directory:
            result = _run(lambda: import_directory(_as_csv(agencies), source="axis",
                                                   file_name="axis"))
            click.echo(f"directory: added={result.added} updated={result.updated} "
                       f"unchanged={result.unchanged}")

    systems = AppGroup("hub-systems", help="Installations this hub serves (EOFFICE_HUB=1).")
    group.add_command(systems)

    @systems.command("create")
    @click.argument("system_id")
    @click.option("--organ", "organs", multiple=True, required=True, metavar="ORGAN_ID[=NAME]",
                  help="An organisation this system sends and receives for (repeatable).")
    @click.option("--name", default="", help="A readable name for the installation.")
    def create_command(system_id: str, organs: tuple[str, ...], name: str) -> None:
        """Register an installation; print its secret (shown this once only)."""
        secret = _run(lambda: hub.register_system(system_id, name, [_organ(o) for o in organs]))
        click.echo(f"system_id={system_id}")
        click.echo(f"secret={secret}")

    @systems.command("add-organ")
    @click.argument("system_id")
    @click.argument("organs", nargs=-1, required=True, metavar="ORGAN_ID[=NAME]...")
    def add_organ_command(system_id: str, organs: tuple[str, ...]) -> None:
        """Let a registered installation send and receive for more organisations."""
        _run(lambda: hub.add_organs(system_id, [_organ(o) for o in organs]))
        click.echo("OK")

    @systems.command("rotate-secret")
    @click.argument("system_id")
    def rotate_command(system_id: str) -> None:
        """Give an installation a new secret (the old one stops working); print it once."""
        click.echo(f"secret={_run(lambda: hub.rotate_secret(system_id))}")

    @systems.command("revoke")
    @click.argument("system_id")
    def revoke_command(system_id: str) -> None:
        """Refuse every further request of an installation."""
        _run(lambda: hub.revoke_system(system_id))
        click.echo("OK")

    @systems.command("list")
    def list_command() -> None:
        """The installations this hub serves and their organisations."""
        for system in hub.systems():
            state = "revoked" if system.revoked_at else "active"
            organs = ",".join(organ.organ_id for organ in system.organs)
            click.echo(f"{system.system_id}\t{state}\t{system.name}\t{organs}")


def _as_csv(agencies: list[dict[str, str]]) -> bytes:
    """The axis's agencies outside this installation, as the directory's CSV import reads
    them (a nameless one is named by its OrganId)."""
    local = set(local_organ_ids())
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["OrganId", "Name", "Parent"])
    for agency in agencies:
        if agency["code"] not in local:
            writer.writerow([agency["code"], agency.get("name") or agency["code"],
                             agency.get("pcode", "")])
    return out.getvalue().encode()


def _run(act: Callable[[], T]) -> T:
    try:
        result = act()
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    return result
