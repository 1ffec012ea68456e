"""Preparing a meeting through the pages: create, agenda, documents, invitation, responses."""

from __future__ import annotations

import io

from flask import Flask
from sqlalchemy import select

from eoffice.extensions import db
from meetings.models import Meeting, Participant
from tests.conftest import login
from tests.meetings.conftest import Prepared, user_id
from tests.meetings.pdfs import numbered_pdf
from tests.services.require import require_executable


def test_secretary_prepares_and_invites_and_members_respond(mapp: Flask) -> None:
    require_executable("soffice", "apt-get install libreoffice-writer-nogui")
    secretary = mapp.test_client()
    token = login(secretary, "thuky")
    with mapp.app_context():
        ids = {n: user_id(n) for n in ("chutich", "thuky", "phochutich", "truongphong",
                                       "chuyenvien", "chanhvanphong")}
    page = secretary.get("/meetings/new")
    assert page.status_code == 200 and "Tạo cuộc họp" in page.get_data(as_text=True)
    response = secretary.post("/meetings/new", data={
        "csrf_token": token, "title": "Họp bàn kế hoạch đầu tư công",
        "starts_at": "2030-01-15T08:00",
        "location": "Phòng họp A", "chair_id": ids["chutich"], "secretary_id": ids["thuky"],
        "member_ids": [ids["phochutich"], ids["truongphong"]], "quorum_percent": "50",
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    detail_url = response.headers["Location"]
    meeting_id = int(detail_url.rstrip("/").rsplit("/", 1)[-1])
    response = secretary.post(f"/meetings/{meeting_id}/items", data={
        "csrf_token": token, "title": "Báo cáo tiến độ giải ngân", "duration_minutes": "20",
        "presenter_id": "0"})
    # A declared action (meetings.actions): 303 back to the meeting's page.
    assert response.status_code == 303 and response.headers["Location"] == detail_url
    with mapp.app_context():
        item_id = db.session.get(Meeting, meeting_id).items[0].id
    response = secretary.post(f"/meetings/{meeting_id}/items/{item_id}/documents", data={
        "csrf_token": token, "title": "Báo cáo giải ngân",
        "file": (io.BytesIO(numbered_pdf(3)), "bao-cao.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 303
    # A refused input comes back, with its message, on the page it was sent from.
    refused = secretary.post(f"/meetings/{meeting_id}/items/{item_id}/documents", data={
        "csrf_token": token, "file": (io.BytesIO(b"not a pdf at all"), "x.pdf")},
        content_type="multipart/form-data", headers={"Referer": detail_url},
        follow_redirects=True)
    assert refused.request.path == detail_url
    assert "không" in refused.get_data(as_text=True).lower()
    response = secretary.post(f"/meetings/{meeting_id}/invite", data={"csrf_token": token})
    assert response.status_code == 303
    invitation = secretary.get(f"/meetings/{meeting_id}/invitation.pdf")
    assert invitation.status_code == 200 and invitation.data.startswith(b"%PDF")

    member = mapp.test_client()
    member_token = login(member, "truongphong")
    assert "Họp bàn kế hoạch đầu tư công" in member.get("/my-work").get_data(as_text=True)
    page = member.get(detail_url).get_data(as_text=True)
    assert "Báo cáo giải ngân" in page and "Xác nhận tham dự" in page
    response = member.post(f"/meetings/{meeting_id}/respond", data={
        "csrf_token": member_token, "answer": "declined", "reason": ""},
        headers={"Referer": detail_url}, follow_redirects=True)
    assert "Hãy nêu lý do vắng mặt." in response.get_data(as_text=True)
    # Preparing the agenda is the organisers' (403); the page says why.
    refused = member.post(f"/meetings/{meeting_id}/items", data={
        "csrf_token": member_token, "title": "Nội dung lạ"})
    assert refused.status_code == 403
    assert "Chỉ người tạo, chủ trì hoặc thư ký" in refused.get_data(as_text=True)
    response = member.post(f"/meetings/{meeting_id}/respond", data={
        "csrf_token": member_token, "answer": "delegated", "reason": "Đi công tác",
        "deputy_id": ids["chuyenvien"]}, follow_redirects=True)
    assert "Đã ghi nhận người dự thay bạn." in response.get_data(as_text=True)
    with mapp.app_context():
        deputy = db.session.execute(select(Participant).where(
            Participant.user_id == ids["chuyenvien"])).scalar_one()
        assert deputy.delegated_from_id == ids["truongphong"] and deputy.role == "member"

    outsider = mapp.test_client()
    outsider_token = login(outsider, "chanhvanphong")
    assert outsider.get(detail_url).status_code == 404
    # Acting on a meeting one may not see is a 404 too, before anything is read.
    assert outsider.post(f"/meetings/{meeting_id}/respond", data={
        "csrf_token": outsider_token, "answer": "accepted"}).status_code == 404
    document_page = secretary.get(detail_url).get_data(as_text=True)
    assert "Phát hành lại giấy mời" in document_page


def test_live_room_and_documents_follow_the_meeting_rules(mapp: Flask,
                                                          prepared: Prepared) -> None:
    member = mapp.test_client()
    login(member, "phochutich")
    page = member.get(f"/meetings/{prepared.meeting_id}/live")
    assert page.status_code == 200 and 'id="meeting-data"' in page.get_data(as_text=True)
    assert member.get(f"/meetings/{prepared.meeting_id}/screen").status_code == 200
    pdf = member.get(f"/meetings/{prepared.meeting_id}/documents/{prepared.document_id}")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert pdf.headers["Content-Disposition"].startswith("inline")
    outsider = mapp.test_client()
    login(outsider, "chanhvanphong")
    assert outsider.get(f"/meetings/{prepared.meeting_id}/live").status_code == 404
    assert outsider.get(
        f"/meetings/{prepared.meeting_id}/documents/{prepared.document_id}").status_code == 404
    assert "Cuộc họp" in member.get("/meetings/").get_data(as_text=True)


def test_reminders_go_once_to_those_still_coming(mapp: Flask, prepared: Prepared) -> None:
    from datetime import timedelta

    from eoffice.accounts.models import User
    from eoffice.audit.models import Event
    from eoffice.timestamps import utcnow
    from meetings import service

    with mapp.app_context():
        meeting = db.session.get(Meeting, prepared.meeting_id)
        service.respond(db.session.get(User, prepared.users["vanthu"]), meeting, "declined",
                        reason="Trùng lịch tiếp dân")
        db.session.commit()
        assert service.due_reminders(utcnow() - timedelta(days=2)) == []  # too early
        due = service.due_reminders()
        db.session.commit()
        assert [(m.id, ids) for m, ids in due] == [(prepared.meeting_id, sorted(
            prepared.users[n] for n in ("chutich", "thuky", "phochutich", "truongphong",
                                        "chuyenvien")))]
        assert service.due_reminders() == []
        assert db.session.execute(select(Event).where(Event.action == "reminded")).scalar()


def test_reports_link_meeting_events_to_the_meeting_page(mapp: Flask) -> None:
    from eoffice.reports.links import link_for

    with mapp.test_request_context():
        assert link_for("meeting", "42") == "/meetings/42"
        assert link_for("meeting", "not-a-number") is None
