"""The meeting's document picker names an e-office document by its number and subject, not by
the uploaded file's name; attached without a title, it keeps that name."""

from __future__ import annotations

import re

from flask import Flask

from eoffice.extensions import db
from meetings.models import MeetingDocument
from tests.conftest import login
from tests.documents.conftest import create_outgoing
from tests.meetings.conftest import Prepared

SUBJECT = "Về việc chuẩn bị báo cáo kinh tế - xã hội năm 2026"


def test_picker_shows_document_titles(mapp: Flask, prepared: Prepared) -> None:
    with mapp.app_context():
        draft = create_outgoing(drafter="thuky", subject=SUBJECT)
        file_id = draft.versions[-1].file_id
        db.session.remove()
    client = mapp.test_client()
    token = login(client, "thuky")
    page = client.get(f"/meetings/{prepared.meeting_id}").get_data(as_text=True)
    option = re.search(rf'<option value="{file_id}">([^<]+)</option>', page)
    assert option is not None and SUBJECT in option.group(1)
    assert "du-thao.pdf" not in option.group(1)
    answer = client.post(f"/api/v1/meetings/{prepared.meeting_id}/actions/attach_file",
                         json={"item_id": prepared.item_ids[1], "file_id": file_id},
                         headers={"X-CSRFToken": token})
    assert answer.status_code == 200, answer.get_json()
    with mapp.app_context():
        attached = db.session.query(MeetingDocument).filter_by(file_id=file_id).one()
        assert SUBJECT in attached.title
