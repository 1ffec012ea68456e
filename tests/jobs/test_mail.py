"""Notification e-mail goes through the job queue and over TLS: STARTTLS before AUTH against
a real server that requires it; a password is never offered in clear; a server that is down
gets the message later, not never."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from eoffice.extensions import db
from eoffice.jobs import Job, queue
from eoffice.mail import Mail, queue_mail
from tests.conftest import _wipe, make_app
from tests.services.redis import free_port
from tests.services.smtp import Inbox, TlsServer


def _app(database_url: str, tmp_path: Path, smtp_url: str) -> Flask:
    return make_app(tmp_path / "mail", database_url, smtp_url=smtp_url,
                    mail_from="eoffice@hoabinh.gov.vn")


def _states(app: Flask) -> list[tuple[str, str]]:
    with app.app_context():
        return [(j.state, j.message) for j in db.session.query(Job).order_by(Job.id)]


def test_mail_is_queued_then_sent_over_starttls_with_login(
    database_url: str, tmp_path: Path, smtp_tls: TlsServer
) -> None:
    app = _app(database_url, tmp_path, smtp_tls.url())
    try:
        with app.app_context():
            assert queue_mail([Mail("lan.nt@hoabinh.gov.vn", "Văn bản mới: 15/UBND-VP",
                                    "Có văn bản mới chờ xử lý.")]) == 1
            assert smtp_tls.inbox.messages == []  # nothing inside the request
            db.session.commit()
            queue.drain()
        assert _states(app) == [("done", "")]
        assert smtp_tls.logins == [(TlsServer.user, True)]  # AUTH only after STARTTLS
        [message] = smtp_tls.inbox.parsed()
        assert message["Subject"] == "Văn bản mới: 15/UBND-VP"
        assert message["From"] == "eoffice@hoabinh.gov.vn"
    finally:
        _wipe(app)


def test_a_password_is_never_sent_to_a_server_without_tls(
    database_url: str, tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    app = _app(database_url, tmp_path, f"smtp://eoffice:bi-mat@127.0.0.1:{port}")
    try:
        with app.app_context():
            queue_mail([Mail("nam.hv@hoabinh.gov.vn", "Nhắc lịch họp", "Nội dung")])
            db.session.commit()
            queue.drain()
        [(state, message)] = _states(app)
        assert state == "failed" and "STARTTLS" in message
        assert inbox.messages == []
    finally:
        _wipe(app)


def test_a_server_that_is_down_gets_the_message_later(
    database_url: str, tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    down = free_port()
    app = _app(database_url, tmp_path, f"smtp://127.0.0.1:{down}")
    try:
        with app.app_context():
            queue_mail([Mail("nam.hv@hoabinh.gov.vn", "Nhắc hạn", "Còn 1 ngày")])
            db.session.commit()
            queue.drain()
        [(state, message)] = _states(app)
        assert state == "queued" and "thử lại" in message  # kept, not lost
        # The server is back (the same address the operator fixes in the settings).
        app.config["EOFFICE_SETTINGS"] = app.config["EOFFICE_SETTINGS"].__class__(
            **{**app.config["EOFFICE_SETTINGS"].__dict__,
               "smtp_url": f"smtp://127.0.0.1:{port}"})
        with app.app_context():
            queue.drain()
        assert _states(app)[0][0] == "done"
        assert len(inbox.messages) == 1
    finally:
        _wipe(app)
