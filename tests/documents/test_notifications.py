"""New work is pushed to the person's own Socket.IO room and e-mailed when SMTP is set;
issued documents record delivery and first opening per recipient."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from eoffice.accounts.models import User
from eoffice.documents import service
from eoffice.documents.models import DocumentDelivery
from eoffice.extensions import db, socketio
from tests.conftest import _wipe, login, make_app
from tests.documents.conftest import create_outgoing, make_pdf, user
from tests.services.smtp import Inbox, smtp_server  # noqa: F401


@pytest.fixture()
def mail_app(database_url: str, tmp_path: Path, smtp: tuple[Inbox, int]) -> Iterator[Flask]:
    application = make_app(tmp_path, database_url, smtp_url=f"smtp://127.0.0.1:{smtp[1]}",
                           mail_from="eoffice@hoabinh.gov.vn")
    with application.app_context():
        from eoffice.demo import seed_demo

        seed_demo()
        user("truongphong").email = "nam.hv@hoabinh.gov.vn"
        db.session.commit()
        db.session.remove()
    try:
        yield application
    finally:
        _wipe(application)


def _ids(app: Flask, *names: str) -> list[int]:
    with app.app_context():
        ids = [user(name).id for name in names]
        db.session.remove()
        return ids


def test_new_draft_is_pushed_to_the_reviewer_room_and_mailed(
    mail_app: Flask, smtp: tuple[Inbox, int]
) -> None:
    inbox, _port = smtp
    reviewer_browser = mail_app.test_client()
    login(reviewer_browser, "truongphong")
    reviewer_socket = socketio.test_client(mail_app, namespace="/notify",
                                           flask_test_client=reviewer_browser)
    assert reviewer_socket.is_connected("/notify")
    outsider_browser = mail_app.test_client()
    login(outsider_browser, "thuky")
    outsider_socket = socketio.test_client(mail_app, namespace="/notify",
                                           flask_test_client=outsider_browser)
    anonymous = socketio.test_client(mail_app, namespace="/notify")
    assert not anonymous.is_connected("/notify")

    drafter = mail_app.test_client()
    token = login(drafter, "chuyenvien")
    reviewer, checker, signer = _ids(mail_app, "truongphong", "vanthu", "chutich")
    response = drafter.post("/documents/outgoing/new", data={
        "csrf_token": token, "subject": "Về việc rà soát thủ tục hành chính",
        "type_code": "", "urgency": "0", "secrecy": "0", "reviewer_id": reviewer,
        "checker_id": checker, "signer_id": signer,
        "file": (io.BytesIO(make_pdf()), "du-thao.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 303

    received = reviewer_socket.get_received("/notify")
    work = [m for m in received if m["name"] == "work"]
    assert len(work) == 1
    assert work[0]["args"][0]["title"] == "Dự thảo chờ kiểm tra nội dung"
    assert work[0]["args"][0]["url"].startswith("/documents/outgoing/")
    assert [m for m in outsider_socket.get_received("/notify") if m["name"] == "work"] == []

    assert inbox.messages == []  # mail is a job, never sent inside the click
    assert mail_app.test_cli_runner().invoke(args=["jobs", "run-pending"]).exit_code == 0
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message.rcpt_tos == ["nam.hv@hoabinh.gov.vn"]
    body = message.content.decode("utf-8", "replace")
    assert "Subject: =?utf-8?" in body or "Dự thảo chờ kiểm tra nội dung" in body
    for client in (reviewer_socket, outsider_socket):
        client.disconnect(namespace="/notify")


def test_issue_records_delivery_and_first_opening_per_recipient(
    app: Flask, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    from eoffice.organisation.models import Unit

    with app.app_context():
        th = db.session.execute(select(Unit.id).where(Unit.abbreviation == "TH")).scalar_one()
        document = create_outgoing(recipient_user_ids=[user("chanhvanphong").id],
                                   recipient_unit_ids=[th])
        document_id = document.id
        for state in ("SIGNED", "NUMBERED", "ORG_SIGNED"):
            document.state = state
        document.code_number, document.code_notation = 7, "UBND-KT"
        db.session.commit()
        result = service.issue(user("vanthu"), document)
        db.session.commit()
        notified = set(result.notices[0].user_ids)
        assert notified == {user("chanhvanphong").id, user("thuky").id}
        rows = db.session.execute(select(DocumentDelivery)).scalars().all()
        assert all(r.delivered_at is not None and r.first_opened_at is None for r in rows)
        db.session.remove()

    login_as("thuky")  # member of TH: opens it through the unit's delivery
    assert client.get(f"/documents/outgoing/{document_id}").status_code == 200
    client.get(f"/documents/outgoing/{document_id}")  # a second opening changes nothing
    with app.app_context():
        rows = {(r.user_id, r.unit_id): r for r in
                db.session.execute(select(DocumentDelivery)).scalars()}
        unit_row = rows[(None, th)]
        assert unit_row.first_opened_at is not None
        assert unit_row.first_opened_by_id == user("thuky").id
        person_row = rows[(user("chanhvanphong").id, None)]
        assert person_row.first_opened_at is None
        from eoffice.audit.models import Event

        opened = db.session.execute(select(Event).where(Event.action == "opened")).scalars().all()
        assert len(opened) == 1 and opened[0].details["first"] is True
        assert db.session.execute(select(User.id)).first()
        db.session.remove()


def test_unpublished_recipient_sees_nothing_before_issue(
    app: Flask, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    with app.app_context():
        document = create_outgoing(recipient_user_ids=[user("thuky").id])
        document_id = document.id
        db.session.remove()
    login_as("thuky")
    assert client.get(f"/documents/outgoing/{document_id}").status_code == 404


def test_overdue_sweep_flags_once_and_tells_the_handlers(ctx: Flask) -> None:
    from datetime import timedelta

    from eoffice.audit.models import Event
    from eoffice.documents.models import ParticipantRole
    from eoffice.timestamps import utcnow
    from tests.documents.conftest import create_incoming

    late = create_incoming(subject="Báo cáo quá hạn")
    service.add_participant(late, user("chuyenvien").id, ParticipantRole.HANDLER)
    late.due_date = utcnow() - timedelta(days=1)
    on_time = create_incoming(subject="Còn hạn", code_number=77)
    on_time.due_date = utcnow() + timedelta(days=3)
    db.session.commit()
    notices = service.sweep_overdue()
    db.session.commit()
    assert [n.document_id for n in notices] == [late.id]
    assert notices[0].user_ids == (user("chuyenvien").id,)
    assert service.sweep_overdue() == []  # recorded once
    events = db.session.execute(select(Event).where(Event.action == "overdue")).scalars().all()
    assert [e.object_id for e in events] == [str(late.id)]
    assert service.is_overdue(late) and not service.is_overdue(on_time)
