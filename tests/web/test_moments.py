"""Dates with a time, typed dd/mm/yyyy hh:mm in Vietnam time, whatever the browser's language:
one parser for task deadlines, meeting times and the meeting room's action items."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from eoffice.extensions import db
from eoffice.tasks.models import Task
from eoffice.timestamps import VIETNAM
from eoffice.web.dates import parse_moment, show_moment
from meetings.models import Meeting
from tests.conftest import login
from tests.documents.conftest import user
from tests.meetings.conftest import mapp  # noqa: F401  (fixture)


def test_parse_moment_reads_vietnamese_writing_and_iso() -> None:
    assert parse_moment("15/01/2031 14:30") == datetime(2031, 1, 15, 14, 30, tzinfo=VIETNAM)
    assert parse_moment("5/1/2031 8h05") == datetime(2031, 1, 5, 8, 5, tzinfo=VIETNAM)
    # A deadline given as a day alone is due at the end of that day.
    assert parse_moment("15/01/2031") == datetime(2031, 1, 15, 23, 59, tzinfo=VIETNAM)
    assert parse_moment("2031-01-15") == datetime(2031, 1, 15, 23, 59, tzinfo=VIETNAM)
    assert parse_moment("2031-01-15T08:30") == datetime(2031, 1, 15, 8, 30, tzinfo=VIETNAM)
    assert parse_moment("2031-01-15T01:30:00+00:00") == datetime(2031, 1, 15, 1, 30,
                                                                 tzinfo=UTC)
    assert parse_moment("  ") is None
    for wrong in ("01/15/2031 14:30", "31/02/2031", "15/01/2031 25:00", "ngày mai"):
        with pytest.raises(ValueError):
            parse_moment(wrong)
    with pytest.raises(ValueError):  # a meeting's start needs its hour
        parse_moment("15/01/2031", day_alone=None)
    assert parse_moment("15/01/2031", day_alone=time(0, 0)).hour == 0
    assert show_moment(datetime(2031, 1, 15, 7, 30, tzinfo=UTC)) == "15/01/2031 14:30"


def test_a_task_deadline_typed_dd_mm_yyyy_hh_mm(app: Flask, demo: None, client: Any) -> None:
    login(client, "truongphong")
    page = client.get("/tasks/new").get_data(as_text=True)
    field = re.search(r'<input[^>]*name="deadline"[^>]*>', page).group(0)
    assert 'type="text"' in field and 'placeholder="dd/mm/yyyy hh:mm"' in field
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    with app.app_context():
        worker = user("chuyenvien").id
    wrong = client.post("/tasks/new", data={"csrf_token": token, "title": "Tổng hợp số liệu",
                                             "assignee_ids": worker,
                                             "deadline": "01/31/2031 14:30",
                                             "priority": "normal"})
    assert "Thời gian không hợp lệ" in wrong.get_data(as_text=True)
    done = client.post("/tasks/new", data={"csrf_token": token, "title": "Tổng hợp số liệu",
                                            "assignee_ids": worker,
                                            "deadline": "31/01/2031 14:30",
                                            "priority": "normal"})
    assert done.status_code == 302
    with app.app_context():
        task = db.session.execute(select(Task)).scalar_one()
        assert task.deadline == datetime(2031, 1, 31, 7, 30, tzinfo=UTC)
    assert "31/01/2031 14:30" in client.get(done.headers["Location"]).get_data(as_text=True)


def test_a_meeting_time_typed_dd_mm_yyyy_hh_mm(mapp: Flask) -> None:  # noqa: F811
    client = mapp.test_client()
    login(client, "thuky")
    page = client.get("/meetings/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    with mapp.app_context():
        chair, secretary = user("chutich").id, user("thuky").id
    form = {"csrf_token": token, "title": "Họp chuẩn bị Tết", "chair_id": chair,
            "location": "Phòng họp số 2",
            "secretary_id": secretary, "quorum_percent": 50}
    no_hour = client.post("/meetings/new", data={**form, "starts_at": "20/12/2030"})
    assert "Thời gian không hợp lệ" in no_hour.get_data(as_text=True)
    created = client.post("/meetings/new", data={**form, "starts_at": "20/12/2030 08:30",
                                                 "ends_at": "20/12/2030 11:00"})
    assert created.status_code in (302, 303), re.findall(
        r'class="(?:error|flash[^"]*)"[^>]*>([^<]+)', created.get_data(as_text=True))
    with mapp.app_context():
        meeting = db.session.execute(select(Meeting)).scalar_one()
        assert meeting.starts_at == datetime(2030, 12, 20, 1, 30, tzinfo=UTC)
