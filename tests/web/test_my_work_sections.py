""""Việc của tôi" lists every kind of pending step: filing, invitations, minutes to sign."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask

from eoffice.documents import service
from eoffice.extensions import db
from meetings.models import Meeting, MinutesStatus
from tests.conftest import login
from tests.documents.conftest import create_incoming, user
from tests.meetings.conftest import mapp, prepare_meeting  # noqa: F401  (mapp: fixture)

SUBJECT = "Về việc kiểm kê tài sản cuối năm"


def _section(app: Flask, username: str, key: str) -> str:
    client = app.test_client()
    login(client, username)
    html = client.get("/my-work").get_data(as_text=True)
    start = html.index(f'data-section="{key}"')
    return html[start:html.index("</section>", start)]


def test_completed_documents_wait_to_be_filed_until_filed(app: Flask, demo: None) -> None:
    with app.app_context():
        document = create_incoming(subject=SUBJECT)
        leader, specialist = user("chutich"), user("chuyenvien")
        service.present(user("vanthu"), document, leader.id)
        service.direct(leader, document, [service.Handling(
            "lead", user_id=specialist.id, deadline=datetime.now(UTC) + timedelta(days=3))], "")
        service.complete(specialist, document, None, "Đã xử lý xong")
        db.session.commit()
        db.session.remove()
    assert SUBJECT in _section(app, "vanthu", "to_file")
    assert SUBJECT in _section(app, "chuyenvien", "to_file")
    assert SUBJECT not in _section(app, "truongphong", "to_file")


def test_invitations_and_minutes_wait_for_their_people(mapp: Flask) -> None:  # noqa: F811
    prepared = prepare_meeting(mapp)
    assert "Họp giao ban tháng 11" in _section(mapp, "phochutich", "invitations")
    with mapp.app_context():
        meeting = db.session.get(Meeting, prepared.meeting_id)
        meeting.minutes_status = MinutesStatus.GENERATED.value
        db.session.commit()
    assert "Họp giao ban tháng 11" in _section(mapp, "thuky", "minutes")
    assert "Họp giao ban tháng 11" not in _section(mapp, "chutich", "minutes")
    with mapp.app_context():
        meeting = db.session.get(Meeting, prepared.meeting_id)
        meeting.minutes_status = MinutesStatus.SECRETARY_SIGNED.value
        db.session.commit()
    assert "Họp giao ban tháng 11" in _section(mapp, "chutich", "minutes")
    assert "Họp giao ban tháng 11" not in _section(mapp, "thuky", "minutes")
