"""Side doors to secret content (issue #17, items 1, 2 and 6): the meeting route, "my work"
lists, and a revoked document attached to a meeting."""

from __future__ import annotations

import io
from typing import Any

from flask import Flask
from sqlalchemy import select

from eoffice.documents import service
from eoffice.documents.models import DocumentDelivery
from eoffice.documents.revocation import purge_unreferenced, revoke_incoming
from eoffice.extensions import db
from eoffice.organisation.models import Unit
from eoffice.timestamps import utcnow
from meetings import service as meetings_service
from meetings.models import Meeting
from tests.conftest import login
from tests.documents.conftest import create_incoming, create_outgoing, make_pdf, user
from tests.meetings.conftest import Prepared

SECRET_SUBJECT = "Kế hoạch bảo vệ mục tiêu trọng yếu MẬT-7Q"
SECRET_PDF_TITLE = "NOIDUNGMAT7Q"


def _secret_incoming_presented_to_chair() -> Any:
    """A secret incoming document registered by the clerk and presented to the chair: named on
    it are the clerk and chutich only."""
    document = create_incoming(subject=SECRET_SUBJECT, secrecy=1, code_number=77)
    version = document.current_version
    # The PDF carries a distinctive marker so a leak of its bytes is recognisable.
    stored = service.store_file(user("vanthu"), io.BytesIO(make_pdf(text=SECRET_PDF_TITLE)),
                                "mat.pdf", service.PDF_ONLY)
    version.file_id = stored.id
    service.present(user("vanthu"), document, user("chutich").id)
    db.session.commit()
    return document


def _chair_attaches(prepared: Prepared, document: Any) -> int:
    chair = user("chutich")
    meeting = db.session.get(Meeting, prepared.meeting_id)
    item = meeting.items[0]
    attached = meetings_service.attach_existing(chair, item, document.current_version.file_id,
                                                "Tài liệu mật")
    db.session.commit()
    return attached.id


def test_secret_document_attached_to_an_agenda_item_stays_secret_from_members(
    mapp: Flask, prepared: Prepared
) -> None:
    with mapp.app_context():
        document = _secret_incoming_presented_to_chair()
        meeting_document_id = _chair_attaches(prepared, document)
        file_id = document.current_version.file_id
    url = f"/meetings/{prepared.meeting_id}/documents/{meeting_document_id}"
    member = mapp.test_client()
    login(member, "truongphong")  # a member of the meeting, not named on the document
    refused = member.get(url)
    assert refused.status_code == 404
    assert SECRET_PDF_TITLE.encode() not in refused.data
    assert member.get(f"/files/{file_id}/download").status_code == 404
    page = member.get(f"/meetings/{prepared.meeting_id}").get_data(as_text=True)
    assert url not in page  # listed without a link
    chair = mapp.test_client()
    login(chair, "chutich")  # named on it: still opens it from the meeting
    opened = chair.get(url)
    assert opened.status_code == 200
    assert SECRET_PDF_TITLE.encode() in opened.data


def test_revoked_document_leaves_the_meeting_with_a_clear_message(
    mapp: Flask, prepared: Prepared
) -> None:
    with mapp.app_context():
        document = create_incoming(subject="Công văn sẽ bị thu hồi", code_number=78)
        service.present(user("vanthu"), document, user("chutich").id)
        db.session.commit()
        meeting_document_id = _chair_attaches(prepared, document)
        result = revoke_incoming(user("vanthu"), document, "Nơi gửi rút lại văn bản")
        db.session.commit()
        purge_unreferenced(result.purge_keys)
        db.session.commit()
    url = f"/meetings/{prepared.meeting_id}/documents/{meeting_document_id}"
    chair = mapp.test_client()
    login(chair, "chutich")
    answer = chair.get(url)
    assert answer.status_code == 404  # never a 503 on the missing object
    assert "thu hồi" in answer.get_data(as_text=True)
    page = chair.get(f"/meetings/{prepared.meeting_id}")
    assert page.status_code == 200 and url not in page.get_data(as_text=True)


def _my_work(app: Flask, username: str) -> tuple[str, str]:
    client = app.test_client()
    login(client, username)
    return (client.get("/my-work").get_data(as_text=True),
            client.get("/api/v1/documents/my-work").get_data(as_text=True))


def test_secret_subjects_stay_out_of_my_work_for_those_not_named(
    mapp: Flask, prepared: Prepared
) -> None:
    with mapp.app_context():
        incoming = _secret_incoming_presented_to_chair()
        kt = db.session.execute(select(Unit).where(Unit.abbreviation == "KT")).scalar_one()
        service.direct(user("chutich"), incoming, [
            service.Handling("lead", unit_id=kt.id),
            service.Handling("support", user_id=user("chuyenvien").id),  # now named on it
        ], "Phòng Kinh tế chủ trì")
        outgoing_subject = "Phương án tác chiến MẬT-OUT-9"
        outgoing = create_outgoing(subject=outgoing_subject, secrecy=1)
        th = db.session.execute(select(Unit).where(Unit.abbreviation == "TH")).scalar_one()
        # Issued and delivered to the unit TH, where thuky works and is not named on it (the
        # state is set directly: this test is about the list; signing has its own tests).
        outgoing.state = "ISSUED"
        db.session.add(DocumentDelivery(document_id=outgoing.id, unit_id=th.id,
                                        delivered_at=utcnow()))
        db.session.commit()
    # truongphong heads KT: the secret incoming document was assigned to the unit he heads.
    for body in _my_work(mapp, "truongphong"):
        assert SECRET_SUBJECT not in body
    for body in _my_work(mapp, "thuky"):  # a member of a recipient unit
        assert outgoing_subject not in body
    for body in _my_work(mapp, "phochutich"):  # a leader of the same organisation, not named
        assert SECRET_SUBJECT not in body and outgoing_subject not in body
    # Those named still find their work.
    assert all(SECRET_SUBJECT in body for body in _my_work(mapp, "chuyenvien"))
