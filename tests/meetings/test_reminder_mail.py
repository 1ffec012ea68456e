"""`flask meetings remind` e-mails the invitees it reminds, once, through a real SMTP server."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

import meetings
from eoffice.accounts.models import User
from eoffice.extensions import db, socketio
from eoffice.timestamps import format_local
from meetings import service
from meetings.models import Meeting
from tests.conftest import login, make_app
from tests.meetings.conftest import Prepared, prepare_meeting
from tests.services.smtp import Inbox, smtp_server  # noqa: F401


@pytest.fixture()
def mail_mapp(app: Flask, demo: None, database_url: str, tmp_path: Path,
              smtp: tuple[Inbox, int]) -> Flask:
    """Like ``mapp`` (same database, wiped by ``app``), with mail going to the test server."""
    application = make_app(tmp_path / "meetings-mail", database_url,
                           smtp_url=f"smtp://127.0.0.1:{smtp[1]}",
                           mail_from="eoffice@hoabinh.gov.vn")
    meetings.init_app(application)
    return application


def _set_email(username: str, email: str) -> None:
    db.session.execute(select(User).where(User.username == username)).scalar_one().email = email


def test_remind_command_mails_each_invitee_with_an_address_once(
    mail_mapp: Flask, smtp: tuple[Inbox, int]
) -> None:
    inbox, _port = smtp
    prepared: Prepared = prepare_meeting(mail_mapp)
    with mail_mapp.app_context():
        _set_email("truongphong", "nam.hv@hoabinh.gov.vn")
        _set_email("phochutich", "  ")  # blank address: nobody to mail
        _set_email("vanthu", "lan.vt@hoabinh.gov.vn")  # declines below: not reminded at all
        meeting = db.session.get(Meeting, prepared.meeting_id)
        service.respond(db.session.get(User, prepared.users["vanthu"]), meeting, "declined",
                        reason="Trùng lịch tiếp dân")
        db.session.commit()
        starts = format_local(meeting.starts_at)
        db.session.remove()

    browser = mail_mapp.test_client()
    login(browser, "truongphong")
    live = socketio.test_client(mail_mapp, namespace="/notify",
                                flask_test_client=browser)
    assert live.is_connected("/notify")

    runner = mail_mapp.test_cli_runner()
    first = runner.invoke(args=["meetings", "remind"])
    assert first.exit_code == 0, first.output
    # chutich, thuky, phochutich, truongphong, chuyenvien; only truongphong has an address
    assert ("Đã nhắc lịch 5 người, 1 cuộc họp; đã xếp 1 thư điện tử vào hàng đợi gửi."
            in first.output)
    assert inbox.messages == []  # mail is a job: the worker sends it
    sent = runner.invoke(args=["jobs", "run-pending"])
    assert sent.exit_code == 0, sent.output

    assert [m.rcpt_tos for m in inbox.messages] == [["nam.hv@hoabinh.gov.vn"]]
    mail = inbox.parsed()[0]
    assert mail["From"] == "eoffice@hoabinh.gov.vn"
    assert mail["To"] == "nam.hv@hoabinh.gov.vn"
    assert mail["Subject"] == f"[eOffice] Nhắc lịch họp: Họp giao ban tháng 11 ({starts})"
    body = mail.get_content()
    assert f"http://localhost/meetings/{prepared.meeting_id}" in body
    assert f"Thời gian bắt đầu: {starts} (giờ Việt Nam)" in body
    assert "Địa điểm: Phòng họp số 1" in body
    assert "Kính gửi" in body

    work = [m["args"][0] for m in live.get_received("/notify") if m["name"] == "work"]
    assert [w["url"] for w in work] == [f"/meetings/{prepared.meeting_id}"]

    second = runner.invoke(args=["meetings", "remind"])
    assert second.exit_code == 0, second.output
    assert ("Đã nhắc lịch 0 người, 0 cuộc họp; đã xếp 0 thư điện tử vào hàng đợi gửi."
            in second.output)
    runner.invoke(args=["jobs", "run-pending"])
    assert len(inbox.messages) == 1  # reminded once: no second mail
    live.disconnect(namespace="/notify")


def test_reminder_links_use_the_public_address_under_its_prefix(
    app: Flask, demo: None, database_url: str, tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    """Cron has no request to learn the host from; EOFFICE_PUBLIC_URL gives it, prefix included."""
    inbox, port = smtp
    public = make_app(tmp_path / "meetings-public", database_url,
                      smtp_url=f"smtp://127.0.0.1:{port}",
                      public_url="https://so.hoabinh.gov.vn/eoffice")
    meetings.init_app(public)
    prepared = prepare_meeting(public)
    with public.app_context():
        _set_email("truongphong", "nam.hv@hoabinh.gov.vn")
        db.session.commit()
        db.session.remove()

    result = public.test_cli_runner().invoke(args=["meetings", "remind"])
    assert result.exit_code == 0, result.output
    public.test_cli_runner().invoke(args=["jobs", "run-pending"])
    body = inbox.parsed()[0].get_content()
    assert f"https://so.hoabinh.gov.vn/eoffice/meetings/{prepared.meeting_id}\n" in body
    assert "localhost" not in body
    assert "EOFFICE_PUBLIC_URL" not in result.output
