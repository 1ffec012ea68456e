"""Command-line actions: ``flask --app wsgi seed-demo`` and ``flask --app wsgi audit verify``."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from eoffice.backup import cli as backup_cli
from eoffice.extension_points import registered
from eoffice.extensions import db


def register_cli(app: Flask) -> None:
    @app.cli.command("seed-demo")
    def seed_demo_command() -> None:
        """Create the demo organisation and users (idempotent) and print the logins."""
        from eoffice.demo import DEMO_PASSWORD, seed_demo

        users = seed_demo()
        click.echo(f"Tài khoản dùng thử (mật khẩu chung: {DEMO_PASSWORD}):")
        for user in users:
            roles = ", ".join(role.label for role in user.roles)
            click.echo(f"  {user.username:<14} {user.full_name} — {roles}")
        # Modules add their demo data (documents: signing credentials; meetings: a meeting).
        # Contract: a callable taking no arguments, returning lines to print or None.
        for seeder in registered("demo_seeders", app):
            for line in seeder() or []:
                click.echo(line)

    audit_group = AppGroup("audit", help="The hash-chained audit trail.")

    @audit_group.command("verify")
    def verify_command() -> None:
        """Check every event's hash and link; exit 1 naming the first broken event."""
        from eoffice.audit import verify_chain

        report = verify_chain()
        click.echo(report.describe())
        db.session.remove()
        if not report.ok:
            raise SystemExit(1)

    app.cli.add_command(audit_group)
    backup_cli.init_app(app)
