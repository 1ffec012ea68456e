"""From a real session to signed minutes: what happened is what the minutes say."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from flask import Flask
from sqlalchemy import select

import signing
from eoffice.accounts.models import User
from eoffice.audit.models import Event
from eoffice.extensions import db
from eoffice.files.service import object_store
from meetings import minutes
from meetings.models import Meeting
from meetings.service import MeetingError
from tests.meetings.conftest import Person, Prepared
from tests.services.require import require_executable


def run_session(prepared: Prepared, person: Callable[[str], Person]) -> None:
    chair, secretary, a, b = (person("chutich"), person("thuky"), person("phochutich"),
                              person("truongphong"))
    for p in (chair, secretary, a, b):
        p.join(prepared.meeting_id)
    assert chair.emit("open")["ok"]
    for p in (chair, a, b):
        assert p.emit("check_in")["ok"]
    assert secretary.emit("check_in", {"user_id": prepared.users["chuyenvien"],
                                       "status": "excused", "reason": "Ốm"})["ok"]
    assert a.emit("request_speak", {"queue": "speak"})["ok"]
    speaker = prepared.users["phochutich"]
    assert chair.emit("grant_speak", {"queue": "speak", "user_id": speaker})["ok"]
    assert chair.emit("end_speak")["ok"]
    assert chair.emit("create_poll", {"question": "Thông qua báo cáo?", "secret": True})["ok"]
    assert chair.emit("create_poll", {"question": "Chọn ngày họp tiếp", "secret": False,
                                      "options": ["Thứ Hai", "Thứ Sáu"]})["ok"]
    polls = sorted(int(k) for k in chair.emit("snapshot")["snapshot"]["polls"])
    for poll_id in polls:
        assert chair.emit("open_poll", {"poll_id": poll_id})["ok"]
    for p, choices in ((chair, (0, 1)), (a, (0, 0)), (b, (1, 1))):
        for poll_id, choice in zip(polls, choices, strict=True):
            assert p.emit("vote", {"poll_id": poll_id, "choice": choice})["ok"]
    for poll_id in polls:
        assert chair.emit("close_poll", {"poll_id": poll_id})["ok"]
    assert secretary.emit("conclude", {"item_id": prepared.item_ids[0],
                                       "text": "Thống nhất thông qua báo cáo."})["ok"]
    reply = secretary.emit("add_action", {"title": "Hoàn thiện báo cáo gửi Sở Tài chính",
                                          "assignee_id": prepared.users["truongphong"],
                                          "deadline": "2030-02-01T17:00:00+07:00",
                                          "item_id": prepared.item_ids[0]})
    assert reply["ok"], reply
    assert chair.emit("close")["ok"]


def test_minutes_are_generated_from_the_record_and_signed_in_order(
    mapp: Flask, prepared: Prepared, person: Callable[[str], Person]
) -> None:
    require_executable("soffice", "apt-get install libreoffice-writer-nogui")
    require_executable("pdftotext", "apt-get install poppler-utils")
    run_session(prepared, person)
    # pyHanko runs its own asyncio loop; a session-wide Playwright (browser tests) may hold
    # one on this thread, so the signing part runs on a worker thread as in the web server.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(generate_and_sign, mapp, prepared).result()


def generate_and_sign(mapp: Flask, prepared: Prepared) -> None:
    from eoffice.signing_keys import demo_pki, issue_user_certificate, set_signature_image
    from eoffice.tasks.service import tasks_for

    with mapp.app_context():
        meeting = db.session.get(Meeting, prepared.meeting_id)
        secretary = db.session.get(User, prepared.users["thuky"])
        chair = db.session.get(User, prepared.users["chutich"])
        assignee = db.session.get(User, prepared.users["truongphong"])
        # The action item is an eoffice task in the assignee's work.
        tasks = tasks_for(assignee)
        assert [(t.title, t.source_kind, t.source_id) for t in tasks] == [
            ("Hoàn thiện báo cáo gửi Sở Tài chính", "meeting", prepared.meeting_id)]
        minutes.generate(secretary, meeting)
        db.session.commit()
        pdf = object_store().read_bytes(meeting.minutes_file.sha256)
        with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
            Path(handle.name).write_bytes(pdf)
            text = subprocess.run(["pdftotext", "-layout", handle.name, "-"], check=True,
                                  capture_output=True, text=True).stdout
        for expected in ("BIÊN BẢN", "Họp giao ban tháng 11", "Có mặt: 3", "vắng có lý do: 1",
                         "Lê Thị Hoa phát biểu", "Thông qua báo cáo? (bỏ phiếu kín; 3/3",
                         "Đồng ý: 2", "Không đồng ý: 1", "Thứ Sáu: 2",
                         "Trần Văn Hùng: Thứ Sáu", "Thống nhất thông qua báo cáo.",
                         "Hoàn thiện báo cáo gửi Sở Tài chính", "Ốm"):
            assert expected in " ".join(text.split()), expected
        # The secret poll's choices appear nowhere, only its tally.
        assert "Lê Thị Hoa: Đồng ý" not in text

        for user in (secretary, chair):
            issue_user_certificate(user, "123456")
            # Signed minutes show each signer's image (issue #11); this app has its own store.
            set_signature_image(user, signing.demo_signature_png(user.full_name))
        db.session.commit()
        try:
            minutes.sign(chair, meeting, "123456")
            raise AssertionError("the chair signed before the secretary")
        except MeetingError as error:
            assert "thư ký ký trước" in str(error)
        try:
            minutes.sign(secretary, meeting, "000000")
            raise AssertionError("a wrong PIN signed")
        except MeetingError as error:
            assert "PIN" in str(error)
        db.session.rollback()
        meeting = db.session.get(Meeting, prepared.meeting_id)
        minutes.sign(db.session.get(User, prepared.users["thuky"]), meeting, "123456")
        db.session.commit()
        minutes.sign(db.session.get(User, prepared.users["chutich"]), meeting, "123456")
        db.session.commit()
        assert meeting.minutes_status == "signed"
        signed = object_store().read_bytes(meeting.minutes_file.sha256)
        pki = demo_pki()
        report = signing.validate(signed, trust_roots=[pki.root_pem()], pki=pki)
        assert report.ok, report.verdict_en
        assert len(report.signatures) == 2 and all(s.ok and s.intact for s in report.signatures)
        actions = db.session.execute(select(Event.details).where(
            Event.action == "minutes_signed")).scalars().all()
        assert [d["role"] for d in actions] == ["secretary", "chair"]
