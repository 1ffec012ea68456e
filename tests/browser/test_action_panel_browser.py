"""The document page's action panel in Chromium (English locale): the next step first and
alone, the rest under "Thao tác khác"; an irreversible step asks in a <dialog> (cancel keeps
everything, confirm acts); a return's reason is required and shown to the drafter; the
messages name what happened."""

from __future__ import annotations

import os
from typing import Any

import pytest
from flask import Flask

from eoffice.documents import incoming, service
from eoffice.documents.models import Document
from eoffice.extensions import db
from tests.browser.panel_helpers import live, pick, press, session  # noqa: F401  (fixture)
from tests.documents.conftest import create_incoming, create_outgoing, user
from tests.services.browser import browser  # noqa: F401  (fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


def _state(app: Flask, document_id: int) -> str:
    with app.app_context():
        state = db.session.get(Document, document_id).state
        db.session.remove()
    return state


def test_reviewer_sees_one_next_step_and_returns_with_a_reason(
        live: tuple[Flask, str], browser: Any) -> None:  # noqa: F811
    app, base_url = live
    with app.app_context():
        document_id = create_outgoing(subject="Về việc tổ chức hội nghị tổng kết").id
        db.session.remove()
    head = session(browser, base_url, "truongphong")
    head.goto(f"{base_url}/documents/outgoing/{document_id}")
    panel = head.get_by_test_id("action-panel")
    primary = panel.locator(".primary-step button[type=submit]")
    assert primary.count() == 1 and primary.inner_text() == "Duyệt nội dung"
    # The return is folded away, not listed first.
    returning = panel.get_by_role("button", name="Trả lại để sửa")
    assert not returning.is_visible()
    if os.environ.get("EOFFICE_SCREENSHOTS"):
        panel.screenshot(path=os.environ["EOFFICE_SCREENSHOTS"] + "/action_panel.png")
    panel.get_by_text("Thao tác khác").click()
    assert returning.is_visible()
    # The reason is labelled and required: an empty one is not sent.
    reason = head.get_by_label("Lý do trả lại để sửa (bắt buộc)")
    returning.click()
    assert reason.evaluate("box => box.validity.valueMissing")
    assert _state(app, document_id) == "DRAFT"
    reason.fill("Bổ sung số liệu quý IV vào mục 2")
    press(head, "Trả lại để sửa")
    assert "Đã trả lại dự thảo cho Chuyên viên Đặng Thu Trang để sửa." in \
        head.inner_text("[role=status]")

    drafter = session(browser, base_url, "chuyenvien")
    drafter.goto(f"{base_url}/documents/outgoing/{document_id}")
    if os.environ.get("EOFFICE_SCREENSHOTS"):
        drafter.get_by_test_id("action-panel").screenshot(
            path=os.environ["EOFFICE_SCREENSHOTS"] + "/return_reason.png")
    note = drafter.get_by_role("note")
    assert "Lý do trả lại" in note.inner_text()
    assert "Bổ sung số liệu quý IV vào mục 2" in note.inner_text()
    assert "Hoàng Văn Nam" in note.inner_text()
    press(drafter, "Gửi lại để kiểm tra")
    assert "Đã gửi lại dự thảo cho Trưởng phòng Hoàng Văn Nam kiểm tra nội dung." in \
        drafter.inner_text("[role=status]")


def test_completion_asks_first_cancel_keeps_confirm_completes(
        live: tuple[Flask, str], browser: Any) -> None:  # noqa: F811
    app, base_url = live
    with app.app_context():
        document = create_incoming(subject="Về việc rà soát thủ tục hành chính")
        incoming.present(user("vanthu"), document, user("chutich").id)
        incoming.direct(user("chutich"), document,
                        [incoming.Handling("lead", user_id=user("chuyenvien").id)], "")
        db.session.commit()
        document_id, arrival = document.id, document.arrival_number
        db.session.remove()
    page = session(browser, base_url, "chuyenvien")
    page.goto(f"{base_url}/documents/incoming/{document_id}")
    # Directed: the next step is to start (report progress); completing waits folded.
    primary = page.locator(".primary-step button[type=submit]")
    assert primary.inner_text() == "Ghi tiến độ"
    page.get_by_label("Tiến độ, ý kiến xử lý").fill("Đang tổng hợp ý kiến các phòng")
    press(page, "Ghi tiến độ")
    assert primary.inner_text() == "Hoàn thành"

    page.get_by_label("Kết quả xử lý").fill("Đã tham mưu văn bản trả lời")
    page.get_by_role("button", name="Hoàn thành", exact=True).click()
    dialog = page.locator("dialog[open]")
    assert dialog.count() == 1 and "không xử lý tiếp được" in dialog.inner_text()
    if os.environ.get("EOFFICE_SCREENSHOTS"):
        page.screenshot(path=os.environ["EOFFICE_SCREENSHOTS"] + "/confirm_dialog.png")
    page.get_by_role("button", name="Hủy").click()
    assert page.locator("dialog[open]").count() == 0
    assert _state(app, document_id) == "IN_PROGRESS"

    press(page, "Hoàn thành")
    assert f"Đã hoàn thành xử lý văn bản đến số {arrival}" in page.inner_text("[role=status]")
    assert _state(app, document_id) == "COMPLETED"
    # Filing is the next step once a case file exists; after filing, no filing form.
    with app.app_context():
        service.create_case_file(user("chuyenvien"), "05.KT", "Hồ sơ cải cách hành chính")
        db.session.commit()
        db.session.remove()
    page.reload()
    assert primary.inner_text() == "Lập hồ sơ"
    pick(page, "Đưa vào hồ sơ", "cải cách", "Hồ sơ cải cách hành chính")
    press(page, "Lập hồ sơ")
    assert f"Đã lập hồ sơ văn bản đến số {arrival}." in page.inner_text("[role=status]")
    assert _state(app, document_id) == "FILED"
    panel = page.get_by_test_id("action-panel")
    assert panel.locator("form[data-action]").count() == 0
    assert "Không có bước nào chờ bạn." in panel.inner_text()
