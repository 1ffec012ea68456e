"""``flask seed-demo`` prepares a demo meeting people can open at once, and only one."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import func, select

import meetings.demo_pdf
from eoffice.extensions import db
from eoffice.timestamps import VIETNAM, utcnow
from formats import conversion
from meetings.demo import DEMO_TITLE, start_time
from meetings.demo_pdf import Block, Style, text_pdf
from meetings.models import Meeting, MeetingStatus, ParticipantRole
from tests.conftest import login
from tests.services.require import require_executable

LINK = re.compile(r"Cuộc họp dùng thử: .+ — (\S*/meetings/(\d+))")


@pytest.fixture()
def without_libreoffice(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A server where LibreOffice is not installed: nothing named soffice on PATH."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    monkeypatch.setattr(conversion, "_default", None)


def seed(app: Flask) -> str:
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return result.output


def test_seed_demo_twice_prepares_one_meeting_with_papers_and_invitation(mapp: Flask) -> None:
    require_executable("soffice", "apt-get install libreoffice-writer-nogui")
    before = utcnow()
    first = seed(mapp)
    second = seed(mapp)

    # The documents seeder still runs, and first: demo certificates, then the meeting.
    assert first.index("Chứng thư số dùng thử") < first.index("Cuộc họp dùng thử")
    assert "  chutich" in first and "  thuky" in first
    meeting_id = int(LINK.search(first).group(2))  # type: ignore[union-attr]
    assert LINK.search(second).group(2) == str(meeting_id)  # type: ignore[union-attr]
    assert "(đã có từ trước)" in second and "Giấy mời gửi không kèm" not in first

    with mapp.app_context():
        # One meeting to try at once (the living demo adds past and upcoming ones beside it).
        assert db.session.scalar(select(func.count()).select_from(Meeting).where(
            Meeting.title == DEMO_TITLE)) == 1
        meeting = db.session.get(Meeting, meeting_id)
        assert meeting is not None and meeting.title == DEMO_TITLE
        assert meeting.status == MeetingStatus.INVITED
        assert meeting.location == "Phòng họp số 1"
        assert (meeting.chair.username, meeting.secretary.username) == ("chutich", "thuky")
        members = {p.user.username for p in meeting.participants
                   if p.role == ParticipantRole.MEMBER}
        assert members == {"phochutich", "chanhvanphong", "truongphong", "chuyenvien"}
        # Later today in Vietnam: between 30 and 90 minutes from the seed, on a whole hour.
        assert timedelta(minutes=30) <= meeting.starts_at - before <= timedelta(minutes=91)
        assert meeting.starts_at.astimezone(VIETNAM).minute == 0
        assert meeting.ends_at is not None and meeting.ends_at > meeting.starts_at
        assert [(i.title, i.duration_minutes) for i in meeting.items] == [
            ("Báo cáo tình hình kinh tế – xã hội và nhiệm vụ trọng tâm thời gian tới", 45),
            ("Cho ý kiến dự thảo Kế hoạch chuyển đổi số", 30),
        ]
        assert [i.presenter.username for i in meeting.items] == ["chanhvanphong", "truongphong"]
        assert all(len(i.documents) == 1 for i in meeting.items)
        assert meeting.invitation_file is not None  # the giấy mời, via LibreOffice


def test_participants_open_the_demo_meeting_and_others_get_404(
    mapp: Flask, without_libreoffice: None
) -> None:
    output = seed(mapp)
    assert "Giấy mời gửi không kèm tệp PDF" in output  # the seed succeeds without LibreOffice
    url, meeting_id = LINK.search(output).groups()  # type: ignore[union-attr]
    assert url == f"/meetings/{meeting_id}"
    with mapp.app_context():
        meeting = db.session.get(Meeting, int(meeting_id))
        assert meeting is not None and meeting.status == MeetingStatus.INVITED
        assert meeting.invitation_file is None
        report = meeting.items[0].documents[0]
        document_url = f"/meetings/{meeting_id}/documents/{report.id}"

    for username in ("thuky", "chuyenvien"):
        client = mapp.test_client()
        login(client, username)
        page = client.get(url)
        assert page.status_code == 200
        assert DEMO_TITLE in page.get_data(as_text=True)
        live = client.get(f"{url}/live")
        assert live.status_code == 200
        assert document_url in live.get_data(as_text=True)  # pdf.js loads the paper from here
        paper = client.get(document_url)
        assert paper.status_code == 200 and paper.mimetype == "application/pdf"
        assert len(PdfReader(io.BytesIO(paper.data)).pages) == 3

    outsider = mapp.test_client()
    login(outsider, "vanthu")  # the clerk is not invited
    assert outsider.get(url).status_code == 404
    assert outsider.get(f"{url}/live").status_code == 404
    assert outsider.get(document_url).status_code == 404


def test_seed_demo_without_meetings_still_seeds_documents(app: Flask) -> None:
    output = seed(app)
    assert "Chứng thư số dùng thử" in output and "  chutich" in output
    assert "Cuộc họp dùng thử" not in output


def test_start_time_is_the_next_whole_hour_at_least_half_an_hour_away() -> None:
    def local(hour: int, minute: int) -> datetime:
        return datetime(2026, 11, 22, hour, minute, tzinfo=VIETNAM)

    assert start_time(local(14, 20)) == local(15, 0)
    assert start_time(local(14, 40)) == local(16, 0)
    assert start_time(local(14, 0)) == local(15, 0)
    assert start_time(local(14, 20)).tzinfo == UTC


def test_papers_break_pages_and_survive_a_missing_font(monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = [Block("BÁO CÁO", Style.TITLE), Block("Trang đầu tiên."),
              Block("", Style.PAGE_BREAK), Block("Trang thứ hai.")]
    pdf = text_pdf(blocks, title="Báo cáo", footer="Tài liệu")
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 2
    long = text_pdf([Block("Nội dung dài " * 40)] * 30, title="Dài", footer="Tài liệu")
    assert len(PdfReader(io.BytesIO(long)).pages) > 2  # text flows onto new pages by itself
    monkeypatch.setattr(meetings.demo_pdf, "FONT_DIRS", ())
    fallback = text_pdf(blocks, title="Báo cáo", footer="Tài liệu")
    assert len(PdfReader(io.BytesIO(fallback)).pages) == 2
