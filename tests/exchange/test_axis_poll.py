"""The inbox poll against a live hub: what waits for an organisation of this installation is
taken in by the exchange core and acknowledged; a refused package is acknowledged as refused
with a reason the sender reads; a crash between taking in and acknowledging registers nothing
twice. Here one app is both the hub and the installation (a province running its own hub)."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from eoffice.exchange import axis
from eoffice.exchange.axis import hub
from eoffice.exchange.axis.client import AxisClient
from eoffice.exchange.ports import (
    MessageKind,
    OutgoingMessage,
    TransportUnavailable,
    remote_transport,
)
from eoffice.extensions import db
from eoffice.organisation.models import DirectoryOrgan
from tests.exchange.ministry import SENDER, incoming_subjects, package, send


def poll(application: Flask) -> axis.PollReport:
    with application.app_context():
        report = axis.run_poll()
        db.session.remove()
    return report


def test_waiting_packages_are_taken_in_once_and_acknowledged(
        installation: tuple[Flask, AxisClient]) -> None:
    application, ministry = installation
    send(ministry, "cv-15", package("15"))
    send(ministry, "cv-15", package("15"))  # the ministry's retry: still one message
    report = poll(application)
    assert (len(report.accepted), report.refused, report.failed) == (1, [], [])
    assert incoming_subjects(application) == ["Về việc báo cáo đầu tư công số 15"]
    assert [s.status for s in ministry.sent_status("cv-15")] == ["done"]
    assert poll(application).accepted == []  # acknowledged: not listed again
    # `flask exchange poll` does the same from the shell.
    send(ministry, "cv-16", package("16"))
    result = application.test_cli_runner().invoke(args=["exchange", "poll"])
    assert result.exit_code == 0 and "accepted=1" in result.output, result.output
    assert len(incoming_subjects(application)) == 2


def test_a_refused_package_is_acknowledged_with_the_reason_the_sender_reads(
        installation: tuple[Flask, AxisClient]) -> None:
    application, ministry = installation
    send(ministry, "garbage", b"<not-edxml/>")
    report = poll(application)
    assert (report.accepted, len(report.refused)) == ([], 1)
    [status] = ministry.sent_status("garbage")
    assert status.status == "fail" and status.description
    assert incoming_subjects(application) == []
    assert poll(application).refused == []  # refused once, not offered again


class HubGoneAfterTakingIn(AxisClient):
    """The hub stops answering right after the package was taken in (the acknowledgement is
    lost), as when the process or the network dies between the two."""

    def acknowledge(self, message_id: str, organ_id: str) -> None:
        raise TransportUnavailable("connection reset")


def test_a_crash_between_taking_in_and_acknowledging_registers_nothing_twice(
        installation: tuple[Flask, AxisClient]) -> None:
    application, ministry = installation
    send(ministry, "cv-17", package("17"))
    with application.app_context():
        real = remote_transport()
        assert isinstance(real, AxisClient)
        flaky = HubGoneAfterTakingIn(real.endpoint, real.system_id, real._secret)
        report = axis.poll_inbox(flaky, axis.accept)
        db.session.remove()
    assert report.interrupted and report.accepted == []
    assert len(incoming_subjects(application)) == 1  # taken in, not acknowledged
    assert [s.status for s in ministry.sent_status("cv-17")] == ["pending"]
    again = poll(application)  # offered again: the core knows it, the hub hears "done"
    assert len(again.accepted) == 1
    assert incoming_subjects(application) == ["Về việc báo cáo đầu tư công số 17"]
    assert [s.status for s in ministry.sent_status("cv-17")] == ["done"]


def test_mail_for_an_organisation_the_hub_routes_here_by_mistake_is_refused_not_left(
        installation: tuple[Flask, AxisClient]) -> None:
    application, ministry = installation
    stray = "000.00.09.H41"  # registered on the hub for this system, unknown here
    with application.app_context():
        hub.add_organs("tinh", [(stray, "Sở không có ở đây")])
        db.session.commit()
        db.session.remove()
    ministry.send(OutgoingMessage(key="stray", kind=MessageKind.PACKAGE,
                                  from_organ_id=SENDER.organ_id, to_organ_ids=(stray,),
                                  data=package("18")))
    assert len(poll(application).refused) == 1
    [status] = ministry.sent_status("stray")
    assert status.status == "fail" and stray in status.description
    assert incoming_subjects(application) == []


def test_the_axis_agencies_fill_the_directory_clerks_pick_recipients_from(
        installation: tuple[Flask, AxisClient]) -> None:
    application, _ministry = installation
    result = application.test_cli_runner().invoke(args=["exchange", "agencies", "--import"])
    assert result.exit_code == 0, result.output
    assert f"{SENDER.organ_id}\t{SENDER.organ_name}" in result.output
    with application.app_context():
        external = db.session.execute(select(DirectoryOrgan.organ_id, DirectoryOrgan.name,
                                             DirectoryOrgan.source)).all()
    # This installation's own organisation is already in the directory as internal.
    assert [tuple(row) for row in external] == [(SENDER.organ_id, SENDER.organ_name, "axis")]
