"""The searchable unit → person picker in Chromium (English locale): typing a few letters
(without diacritics) finds a person; a unit without a head is flagged before directing to
it; the choices are what the server receives."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from eoffice.documents import incoming
from eoffice.documents.models import Document, DocumentAssignment, DocumentDelivery
from eoffice.extensions import db
from tests.browser.panel_helpers import live, pick, press, session  # noqa: F401  (fixture)
from tests.documents.conftest import create_incoming, make_pdf, user
from tests.services.browser import browser  # noqa: F401  (fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


def test_leader_directs_by_typing_and_is_warned_of_a_headless_unit(
        live: tuple[Flask, str], browser: Any) -> None:  # noqa: F811
    app, base_url = live
    with app.app_context():
        document = create_incoming(subject="Về việc kiểm tra công vụ năm 2027")
        incoming.present(user("vanthu"), document, user("chutich").id)
        db.session.commit()
        document_id = document.id
        db.session.remove()
    leader = session(browser, base_url, "chutich")
    leader.goto(f"{base_url}/documents/incoming/{document_id}")
    warning = leader.locator("#lead-unit-warning")
    assert not warning.is_visible()
    # Phòng Tổng hợp has no head: choosing it warns at once.
    pick(leader, "Đơn vị chủ trì", "tong hop", "Phòng Tổng hợp")
    assert warning.is_visible() and "chưa có trưởng đơn vị" in warning.inner_text()
    # Sending it anyway is refused by the server, with the reason.
    with leader.expect_navigation():
        leader.get_by_role("button", name="Chỉ đạo", exact=True).click()
    assert "chưa có trưởng đơn vị" in leader.inner_text(".flash-error")
    # Naming a person as well goes through: "trang" finds "Đặng Thu Trang".
    pick(leader, "Đơn vị chủ trì", "tong hop", "Phòng Tổng hợp")
    pick(leader, "Hoặc người chủ trì", "trang", "Đặng Thu Trang")
    leader.get_by_label("Ý kiến chỉ đạo").fill("Giao đồng chí Trang chủ trì")
    press(leader, "Chỉ đạo")
    assert "Đặng Thu Trang chủ trì" in leader.inner_text("[role=status]")
    with app.app_context():
        lead = db.session.execute(select(DocumentAssignment).where(
            DocumentAssignment.document_id == document_id)).scalar_one()
        assert lead.user_id == user("chuyenvien").id
        assert db.session.get(Document, document_id).state == "DIRECTED"
        db.session.remove()


def test_drafter_picks_recipients_with_reviewer_and_signer_proposed(
        live: tuple[Flask, str], browser: Any, tmp_path: Any) -> None:  # noqa: F811
    app, base_url = live
    pdf = tmp_path / "du-thao.pdf"
    pdf.write_bytes(make_pdf())
    page = session(browser, base_url, "chuyenvien")
    page.goto(f"{base_url}/documents/outgoing/new")
    # Proposed: the drafter's unit head reviews, the chairman signs.
    assert "Hoàng Văn Nam" in page.locator("#reviewer_id-ts-control").evaluate(
        "input => input.closest('.ts-control').innerText")
    assert "Trần Văn Hùng" in page.locator("#signer_id-ts-control").evaluate(
        "input => input.closest('.ts-control').innerText")
    page.get_by_label("Trích yếu nội dung").fill("Về việc tổng kết năm 2026")
    pick(page, "Người nhận trong cơ quan", "anh", "Vũ Ngọc Ánh")
    pick(page, "Người nhận trong cơ quan", "lan", "Nguyễn Thị Lan")
    chosen = page.locator("#recipient_user_ids-ts-control").evaluate(
        "input => input.closest('.ts-control').innerText")
    assert "Vũ Ngọc Ánh" in chosen and "Nguyễn Thị Lan" in chosen
    page.get_by_label("Tệp dự thảo (DOCX hoặc PDF)").set_input_files(str(pdf))
    press(page, "Tạo dự thảo")
    with app.app_context():
        document = db.session.execute(select(Document).where(
            Document.subject == "Về việc tổng kết năm 2026")).scalar_one()
        assert {u.username for u in document.people("reviewer")} == {"truongphong"}
        assert {u.username for u in document.people("signer")} == {"chutich"}
        recipients = set(db.session.execute(select(DocumentDelivery.user_id).where(
            DocumentDelivery.document_id == document.id)).scalars())
        assert recipients == {user("thuky").id, user("vanthu").id}
        db.session.remove()
