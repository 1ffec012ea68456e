"""End to end in real Chromium: the outgoing path (specialist drafts, unit head and clerk check,
leader signs with PIN, clerk numbers, seals and issues) and the incoming path (clerk registers,
leader directs, specialist completes)."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

import signing
from eoffice import signing_keys
from eoffice.documents.models import Document
from eoffice.extensions import db
from eoffice.files.service import object_store
from tests.browser.panel_helpers import live, pick, press  # noqa: F401  (fixture)
from tests.documents.conftest import make_pdf
from tests.services.browser import logged_in_page

# The browser checks the pages; both databases are covered by the other tests, and a second
# Chromium run would double the suite's slowest part: these run on SQLite only.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


def session(browser: Any, base_url: str, username: str) -> Any:
    """A page logged in as ``username`` (vi-VN browser)."""
    return logged_in_page(browser, base_url, username, locale="vi-VN")


# Option texts are "<full name> — <title>".
OPTION = {
    "Hoàng Văn Nam": "Hoàng Văn Nam — Trưởng phòng",
    "Trần Văn Hùng": "Trần Văn Hùng — Chủ tịch",
    "Vũ Ngọc Ánh": "Vũ Ngọc Ánh — Chuyên viên",
    "Đặng Thu Trang": "Đặng Thu Trang — Chuyên viên",
}


def open_from_my_work(page: Any, base_url: str, subject: str) -> None:
    page.goto(f"{base_url}/my-work")
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile(re.escape(subject))).first.click()


def test_outgoing_path_in_chromium(live: tuple[Flask, str], browser: Any, tmp_path: Path  # noqa: F811
                                   ) -> None:
    app, base_url = live
    subject = "Về việc kiểm tra công tác văn thư năm 2026"
    pdf = tmp_path / "du-thao.pdf"
    pdf.write_bytes(make_pdf())

    specialist = session(browser, base_url, "chuyenvien")
    specialist.get_by_role("link", name="Văn bản đi").click()
    specialist.get_by_role("link", name="Soạn văn bản mới").click()
    specialist.get_by_label("Trích yếu nội dung").fill(subject)
    specialist.get_by_label("Độ khẩn").select_option(label="Thượng khẩn")
    # Searchable pickers: type a few letters, choose the person.
    pick(specialist, "Người kiểm tra nội dung (lãnh đạo đơn vị)", "Nam", OPTION["Hoàng Văn Nam"])
    pick(specialist, "Người ký", "Hùng", OPTION["Trần Văn Hùng"])
    pick(specialist, "Người nhận trong cơ quan", "Ánh", OPTION["Vũ Ngọc Ánh"])
    specialist.get_by_label("Tệp dự thảo (DOCX hoặc PDF)").set_input_files(str(pdf))
    press(specialist, "Tạo dự thảo")
    assert "Đã tạo dự thảo" in specialist.inner_text("body")
    assert "Thượng khẩn" in specialist.inner_text("body")
    document_url = specialist.url

    head = session(browser, base_url, "truongphong")
    open_from_my_work(head, base_url, subject)
    press(head, "Duyệt nội dung")

    clerk = session(browser, base_url, "vanthu")
    open_from_my_work(clerk, base_url, subject)
    press(clerk, "Đạt thể thức")

    leader = session(browser, base_url, "chutich")
    open_from_my_work(leader, base_url, subject)
    press(leader, "Duyệt ban hành")
    leader.get_by_label("Mã PIN ký số").fill("123456")
    press(leader, "Ký số")
    assert "Lãnh đạo đã ký (chờ cấp số)" in leader.inner_text("body")

    clerk.goto(document_url)
    press(clerk, "Cấp số và ngày ban hành")
    assert "01/UBND-KT" in clerk.inner_text("body")
    clerk.get_by_label("Mã PIN chứng thư số cơ quan").fill("123456")
    press(clerk, "Ký số cơ quan")
    press(clerk, "Phát hành")
    assert "Đã phát hành" in clerk.inner_text("body")

    # The recipient finds it in their work; opening it records the first opening.
    recipient = session(browser, base_url, "thuky")
    open_from_my_work(recipient, base_url, subject)
    clerk.goto(document_url)
    deliveries = clerk.locator("table.deliveries").inner_text()
    assert "Vũ Ngọc Ánh" in deliveries and "Chưa mở" not in deliveries

    with app.app_context():
        document = db.session.execute(select(Document).where(Document.subject == subject)
                                      ).scalar_one()
        assert document.state == "ISSUED"
        issued = object_store().read_bytes(document.current_version.file.sha256)
        pki = signing_keys.demo_pki()
        # Playwright's sync API keeps an event loop in this thread; validate in another one.
        with ThreadPoolExecutor(1) as pool:
            report = pool.submit(signing.validate, issued, pki=pki).result()
        assert report.ok and len(report.signatures) == 2
        db.session.remove()


def test_incoming_path_in_chromium(live: tuple[Flask, str], browser: Any, tmp_path: Path  # noqa: F811
                                   ) -> None:
    app, base_url = live
    subject = "Về việc triển khai chuyển đổi số năm 2027"
    pdf = tmp_path / "den.pdf"
    pdf.write_bytes(make_pdf())

    clerk = session(browser, base_url, "vanthu")
    clerk.get_by_role("link", name="Văn bản đến").click()
    clerk.get_by_role("link", name="Vào sổ văn bản đến").click()
    clerk.get_by_label("Tệp văn bản (PDF)").set_input_files(str(pdf))
    clerk.get_by_label("Cơ quan ban hành").fill("Bộ Thông tin và Truyền thông")
    clerk.get_by_label("Số", exact=True).fill("88")
    clerk.get_by_label("Ký hiệu").fill("BTTTT-CĐSQG")
    clerk.get_by_label("Trích yếu nội dung").fill(subject)
    clerk.get_by_label("Độ khẩn").select_option(label="Hỏa tốc")
    press(clerk, "Vào sổ")
    assert "số đến 1" in clerk.inner_text("body")
    clerk.get_by_label("Trình lãnh đạo").select_option(label=OPTION["Trần Văn Hùng"])
    press(clerk, "Trình lãnh đạo")

    leader = session(browser, base_url, "chutich")
    open_from_my_work(leader, base_url, subject)
    assert "Hỏa tốc" in leader.inner_text("body")
    pick(leader, "Hoặc người chủ trì", "Trang", OPTION["Đặng Thu Trang"])
    leader.get_by_label("Hạn xử lý").fill("2027-01-15")
    leader.get_by_label("Ý kiến chỉ đạo").fill("Giao đồng chí Trang chủ trì tham mưu")
    press(leader, "Chỉ đạo")

    specialist = session(browser, base_url, "chuyenvien")
    open_from_my_work(specialist, base_url, subject)
    specialist.get_by_label("Tiến độ, ý kiến xử lý").fill("Đang tổng hợp ý kiến các phòng")
    press(specialist, "Ghi tiến độ")
    specialist.get_by_label("Kết quả xử lý").fill("Đã tham mưu văn bản trả lời")
    press(specialist, "Hoàn thành")
    assert "Đã hoàn thành" in specialist.inner_text("body")

    with app.app_context():
        document = db.session.execute(select(Document).where(Document.subject == subject)
                                      ).scalar_one()
        assert document.state == "COMPLETED" and document.urgency == 3
        db.session.remove()


def test_batch_signing_answers_at_once_and_shows_progress(live: tuple[Flask, str],  # noqa: F811
                                                          browser: Any) -> None:
    """The leader ticks two approved drafts, types the PIN once, and watches them signed in
    the background; a wrong PIN is refused before anything starts."""
    from eoffice.documents.workflow import transition
    from eoffice.jobs import Job
    from tests.documents.conftest import create_outgoing, user

    app, base_url = live
    with app.app_context():
        ids = []
        for subject in ("Về việc ký hàng loạt thứ nhất", "Về việc ký hàng loạt thứ hai"):
            document = create_outgoing(subject=subject)
            transition(user("truongphong"), document, "approve_content")
            transition(user("vanthu"), document, "approve_format")
            transition(user("chutich"), document, "approve")
            ids.append(document.id)
        db.session.commit()
        db.session.remove()

    page = session(browser, base_url, "chutich")
    page.goto(f"{base_url}/documents/batch-sign")
    page.get_by_label("Mã PIN ký số (nhập một lần)").fill("000000")
    page.get_by_role("button", name="Ký các văn bản đã chọn").click()
    page.wait_for_selector("#batch-status:has-text('PIN')")
    page.get_by_label("Mã PIN ký số (nhập một lần)").fill(signing_keys.DEMO_PIN)
    page.get_by_role("button", name="Ký các văn bản đã chọn").click()
    page.wait_for_selector("#batch-status:has-text('Hoàn tất: 2 đã ký, 0 lỗi.')", timeout=60_000)
    assert page.locator(".outcome.ok").count() == 2

    with app.app_context():
        assert [db.session.get(Document, i).state for i in ids] == ["SIGNED", "SIGNED"]
        [job] = db.session.execute(select(Job).where(Job.kind == "sign_batch")).scalars()
        assert job.state == "done"
        assert sorted(job.params["document_ids"]) == ids and set(job.params) == {
            "document_ids"}  # the PIN is kept nowhere
        db.session.remove()
    page.context.close()


def test_dates_are_dd_mm_yyyy_in_an_english_browser(live: tuple[Flask, str], browser: Any,  # noqa: F811
                                                     tmp_path: Path) -> None:
    """A clerk whose Chrome speaks English still types and reads 15/12/2026: date fields are
    not the browser's native (mm/dd/yyyy) widget."""
    _app, base_url = live
    pdf = tmp_path / "den.pdf"
    pdf.write_bytes(make_pdf())
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    clerk = context.new_page()
    clerk.goto(f"{base_url}/login")
    clerk.get_by_label("Tên đăng nhập").fill("vanthu")
    clerk.get_by_label("Mật khẩu").fill("matkhau123")
    clerk.get_by_role("button", name="Đăng nhập").click()
    clerk.goto(f"{base_url}/documents/incoming/new")
    due = clerk.get_by_label("Hạn giải quyết")
    assert due.get_attribute("placeholder") == "dd/mm/yyyy"
    assert due.get_attribute("type") == "text"
    clerk.get_by_label("Tệp văn bản (PDF)").set_input_files(str(pdf))
    clerk.get_by_label("Cơ quan ban hành").fill("Sở Tài chính")
    clerk.get_by_label("Số", exact=True).fill("41")
    clerk.get_by_label("Ký hiệu").fill("STC-NS")
    clerk.get_by_label("Trích yếu nội dung").fill("Về việc lập dự toán năm 2027")
    clerk.get_by_label("Ngày tháng văn bản").fill("20/11/2026")
    due.fill("15/12/2026")
    press(clerk, "Vào sổ")
    body = clerk.inner_text("body")
    assert "số đến 1" in body
    assert "15/12/2026" in body  # the deadline as it was typed, not 12/15/2026
    context.close()
