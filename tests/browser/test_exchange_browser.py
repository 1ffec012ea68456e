"""Issue #18's journey in Chromium, two people in two browsers: the People's Committee's clerk
picks the Department of Finance as a recipient and issues; the department's clerk finds the
document in RECEIVED within a second, registers it and hands it to the director; the sender's
page, never reloaded, shows 01, 03 and 04 for the department as they happen."""

from __future__ import annotations

import time
from typing import Any

import pytest
from flask import Flask

from eoffice.extensions import db
from tests.documents.conftest import user
from tests.exchange.conftest import DEPARTMENT, ensure_organisation, ready_to_issue
from tests.services.live_server import serve

pytestmark = pytest.mark.browser

#: Collects every status the recipients table shows, from now on, without reloading.
WATCH = """() => {
  window.__notReloaded = true;
  window.__seen = [];
  const note = () => document.querySelectorAll('#exchange-table tr[data-status]').forEach(
      (row) => { if (row.dataset.status && !window.__seen.includes(row.dataset.status)) {
        window.__seen.push(row.dataset.status); } });
  note();
  new MutationObserver(note).observe(document.getElementById('exchange-table'),
                                     {childList: true, subtree: true});
}"""


def _login(browser: Any, base_url: str, username: str) -> Any:
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    page.goto(f"{base_url}/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill("matkhau123")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base_url}/my-work")
    return page


def test_issue_to_a_department_statuses_come_back_live(app: Flask, demo: None,
                                                       browser: Any) -> None:
    with app.app_context():
        ensure_organisation(DEPARTMENT)
        document = ready_to_issue("Về việc lập dự toán ngân sách năm 2027")
        document_id, subject = document.id, document.subject
        director = user("giamdoc.stc").id
        db.session.remove()

    with serve(app) as base_url:
        sender = _login(browser, base_url, "vanthu")
        department = _login(browser, base_url, "vanthu.stc")

        sender.goto(f"{base_url}/documents/outgoing/{document_id}")
        # The picker is fed by the directory: searching by name offers the department.
        sender.fill("#exchange-search", "tai chinh hoa binh")
        option = sender.wait_for_selector(f'#exchange-directory option[value="{DEPARTMENT}"]',
                                          state="attached")
        assert "Sở Tài chính tỉnh Hòa Bình" in (option.get_attribute("label") or "")
        sender.fill("#exchange-organ", option.get_attribute("value") or "")
        sender.get_by_role("button", name="Thêm nơi nhận", exact=True).click()
        row = sender.locator(f'#exchange-table tr[data-organ="{DEPARTMENT}"]')
        assert "Sở Tài chính tỉnh Hòa Bình" in row.inner_text()
        assert "Chưa gửi" in row.inner_text()

        department.goto(f"{base_url}/documents/incoming")
        assert subject not in department.content()
        # The clock starts when the issue is answered (committed), before the sender's page
        # has even reloaded.
        with sender.expect_response(lambda r: r.request.method == "POST"
                                    and r.url.endswith(f"/documents/{document_id}/issue")):
            sender.get_by_role("button", name="Phát hành", exact=True).click()
            sender.get_by_role("button", name="Xác nhận").click()  # issuing asks first
        issued = time.monotonic()
        # The department's clerk: the document is in its incoming list, RECEIVED, from the
        # province, within a second of the issue.
        while True:
            department.reload()
            if subject in department.content():
                break
            assert time.monotonic() - issued < 1.0, "not delivered within a second"
            department.wait_for_timeout(50)
        waited = time.monotonic() - issued
        assert waited < 1.0
        print(f"delivered to the department's incoming list {waited:.2f} s after issue")
        sender.wait_for_selector("text=Đã phát hành văn bản số")
        sender.evaluate(WATCH)
        sender.wait_for_function("window.eofficeNotify && window.eofficeNotify.connected")
        line = department.locator("table.documents tr", has_text=subject)
        assert "Đã tiếp nhận" in line.inner_text()
        assert "Ủy ban nhân dân tỉnh Hòa Bình" in line.inner_text()

        line.get_by_role("link").click()
        assert "Nhận qua liên thông" in department.content()
        department.get_by_role("button", name="Vào sổ văn bản đến").click()
        department.wait_for_selector("text=Đã vào sổ, số đến")
        sender.wait_for_selector(
            f'#exchange-table tr[data-organ="{DEPARTMENT}"][data-status="03"]', timeout=5000)
        department.select_option("#leader_id", str(director))
        department.get_by_role("button", name="Trình lãnh đạo", exact=True).click()
        department.wait_for_selector("text=Đã trình ")

        # The sender's page was never reloaded and shows each status as it came.
        sender.wait_for_selector(
            f'#exchange-table tr[data-organ="{DEPARTMENT}"][data-status="04"]', timeout=5000)
        assert sender.evaluate("window.__notReloaded") is True
        seen = sender.evaluate("window.__seen")
        assert {"01", "03", "04"} <= set(seen) and seen.index("03") < seen.index("04")
        text = sender.locator(f'#exchange-table tr[data-organ="{DEPARTMENT}"]').inner_text()
        assert "Đã đến nơi nhận" in text and "Đã phân công xử lý" in text
        assert "Quách Thị Mai" in text  # who reported it
