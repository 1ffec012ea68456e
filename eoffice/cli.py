"""Command-line actions: ``flask --app wsgi seed-demo``; the ``backup`` group is plugged in here."""

from __future__ import annotations

import click
from flask import Flask

from eoffice.backup import cli as backup_cli
from eoffice.demo_documents import seed_documents as seed_demo_documents
from eoffice.extension_points import registered


def register_cli(app: Flask) -> None:
    @app.cli.command("seed-demo")
    @click.option("--without-history", is_flag=True,
                  help="Only the organisations, people, certificates and the try-at-once "
                       "meeting: none of the living demo's past documents, tasks and meetings "
                       "(benchmarks and load tests start from an empty office).")
    def seed_demo_command(without_history: bool) -> None:
        """Create the demo organisations and users (idempotent) and print the logins."""
        from eoffice.demo import DEMO_PASSWORD, seed_demo

        users = seed_demo()
        click.echo(f"Tài khoản dùng thử (mật khẩu chung: {DEMO_PASSWORD}):")
        for user in users:
            roles = ", ".join(role.label for role in user.roles)
            click.echo(f"  {user.username:<14} {user.full_name} — {roles}")
        # Modules add their demo data (documents: signing credentials; meetings: a meeting).
        # Contract: a callable taking no arguments, returning lines to print or None; a
        # seeder reads DEMO_HISTORY to leave out the living demo's past.
        app.config["DEMO_HISTORY"] = not without_history
        for seeder in registered("demo_seeders", app):
            for line in seeder() or []:
                click.echo(line)
        if without_history:
            return
        # The living demo's documents, once every module's people and certificates exist.
        for line in seed_demo_documents():
            click.echo(line)

    backup_cli.init_app(app)
