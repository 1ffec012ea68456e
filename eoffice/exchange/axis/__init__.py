"""Exchange with other installations through the national axis or a province's hub.

- ``client``: this installation's transport (``RemoteTransport``) to the axis, installed when
  ``EOFFICE_AXIS_URL`` is set, with ``EOFFICE_AXIS_SYSTEM_ID`` and ``EOFFICE_AXIS_SECRET``;
- ``poll``: the inbox job (every minute, ``flask exchange poll``, and a clerk's "Nhận văn bản
  ngay", ``POST /api/v1/exchange/poll``: ``poll_now``);
- ``hub`` and ``hub_views``: the same operations served to other installations when
  ``EOFFICE_HUB=1``; ``flask exchange hub-systems create`` registers them.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from huey import crontab

from eoffice.exchange.axis import cli, hub_views, poll_now
from eoffice.exchange.axis import models as models  # the hub's tables, for the metadata
from eoffice.exchange.axis.client import AxisClient
from eoffice.exchange.axis.poll import PollReport, local_organ_ids, poll_inbox
from eoffice.exchange.axis.poll_now import POLL_JOB
from eoffice.exchange.axis.refusals import reconcile_refusals
from eoffice.exchange.inbound import accept
from eoffice.exchange.ports import (
    TransportRefused,
    TransportUnavailable,
    install_remote_transport,
    remote_transport,
)
from eoffice.jobs import Job, JobFailed, register_handler, register_periodic
from eoffice.settings import SettingsError

__all__ = ["POLL_JOB", "AxisClient", "init_app", "run_poll"]


def init_app(app: Flask) -> None:
    """Install the axis client when configured, the poll job and commands, and the hub when
    ``EOFFICE_HUB`` is on."""
    settings = app.config["EOFFICE_SETTINGS"]
    if settings.axis_url:
        for variable, value in (("EOFFICE_AXIS_SYSTEM_ID", settings.axis_system_id),
                                ("EOFFICE_AXIS_SECRET", settings.axis_secret)):
            if not value:
                raise SettingsError(variable, "required when EOFFICE_AXIS_URL is set")
        client = AxisClient(settings.axis_url, settings.axis_system_id, settings.axis_secret,
                            cafile=settings.axis_cafile)
        install_remote_transport(app, lambda: client)  # one connection pool per process
        register_periodic(app, POLL_JOB, crontab(minute="*"))
    register_handler(app, POLL_JOB, _poll_job)
    app.register_blueprint(poll_now.bp)  # without an axis it answers 409, saying so
    app.register_blueprint(poll_now.pages)
    app.jinja_env.globals["may_poll_now"] = poll_now.may_poll_now
    if settings.hub:
        app.register_blueprint(hub_views.bp)
    cli.register_commands(app, run_poll)


def run_poll() -> PollReport:
    """Poll the installed transport once: hand each waiting message to the exchange core,
    then (with the axis client) learn which sent packages their recipients refused."""
    transport = remote_transport()
    if transport is None:
        return PollReport(interrupted="no transport configured")
    organ_ids = local_organ_ids()
    if isinstance(transport, AxisClient):
        try:
            served = [agency["code"] for agency in transport.agencies()
                      if agency.get("system") == transport.system_id]
        except (TransportUnavailable, TransportRefused) as error:
            return PollReport(interrupted=str(error))
        if served:
            # A hub says which organisations it routes to this system: exactly their mail
            # waits there. One it routes here that this installation does not have (a wrong
            # registration) is polled too, so its mail is refused with a reason instead of
            # waiting on the hub forever.
            organ_ids = sorted(served)
    report = poll_inbox(transport, accept, organ_ids)
    if isinstance(transport, AxisClient) and not report.interrupted:
        try:
            report.sender_failures = reconcile_refusals(transport)
        except (TransportUnavailable, TransportRefused) as error:
            report.interrupted = str(error)
    return report


def _poll_job(job: Job) -> dict[str, Any]:
    report = run_poll()
    if report.interrupted and remote_transport() is None:
        raise JobFailed("Chưa cấu hình trục liên thông (EOFFICE_AXIS_URL).")
    return report.as_dict()
