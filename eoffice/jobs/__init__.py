"""Heavy work off the request path: a kept job queue (see ``queue``), its worker command and
the page where people follow the jobs they started."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from eoffice.jobs import queue
from eoffice.jobs.models import Job
from eoffice.jobs.queue import JobFailed, register_handler, register_periodic, submit, touch
from formats.conversion import warm_up_in_background

__all__ = ["Job", "JobFailed", "init_app", "register_handler", "register_periodic", "submit",
           "touch"]


def init_app(app: Flask) -> None:
    from eoffice.extension_points import register
    from eoffice.jobs.views import JOB_SCHEMA, api, bp
    from eoffice.web.navigation import NavEntry, register_nav

    settings = app.config["EOFFICE_SETTINGS"]
    queue.init_app(app, settings.jobs_url or settings.redis_url or "")
    app.register_blueprint(bp)
    app.register_blueprint(api)
    register_nav(app, NavEntry("Việc nền", "jobs.index"))
    register(app, "api_schemas", {"Job": JOB_SCHEMA})
    app.cli.add_command(_commands(app))


def _commands(app: Flask) -> AppGroup:
    group = AppGroup("jobs", help="The job queue (conversion, mail, sweeps, exchange).")

    @group.command("worker")
    @click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True)
    def worker_command(workers: int) -> None:
        """Run a worker (and the periodic scheduler) until interrupted (Ctrl+C, SIGINT)."""
        click.echo(f"eoffice: job worker with {workers} threads; Ctrl+C to stop.")
        warm_up_in_background()  # drafts are rendered here: LibreOffice kept warm
        click.echo(f"Requeued {queue.reap()} job(s) left by a stopped worker.")
        queue.create_consumer(app, workers=workers).run()

    @group.command("run-pending")
    def run_pending_command() -> None:
        """Run the queued jobs in this process, then exit (no worker needed)."""
        click.echo(f"Ran {queue.drain()} job(s).")

    @group.command("reap")
    def reap_command() -> None:
        """Queue again the jobs a dead worker or a lost message left behind."""
        click.echo(f"Requeued {queue.reap()} job(s).")

    return group
