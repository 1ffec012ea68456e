"""In Chromium with an English locale: the leader's bell count rises live when the clerk
presents a document, the toast names it, and the history reads "who did what" in Vietnamese."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.browser.panel_helpers import pick, press, session
from tests.documents.conftest import make_pdf
from tests.services.live_server import live  # noqa: F401  (fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]
SUBJECT = "Về việc chuẩn bị kỳ họp Hội đồng nhân dân cuối năm"


def wait_connected(page: Any, seconds: float = 10.0) -> None:
    """Poll (the CSP forbids Playwright's eval-based wait_for_function)."""
    deadline = time.monotonic() + seconds
    connected = "() => Boolean(window.eofficeNotify && window.eofficeNotify.connected)"
    while not page.evaluate(connected):
        assert time.monotonic() < deadline, "the page never connected to /notify"
        page.wait_for_timeout(100)


def unread(page: Any) -> int:
    count = page.locator("[data-bell] [data-unread]")
    return int(count.inner_text()) if count.is_visible() else 0


def test_bell_rises_live_and_history_names_the_actors(live: tuple[Flask, str], browser: Any,  # noqa: F811
                                                      tmp_path: Path) -> None:
    from playwright.sync_api import expect  # the browser fixture skips without Playwright

    _app, base_url = live
    pdf = tmp_path / "den.pdf"
    pdf.write_bytes(make_pdf())
    leader = session(browser, base_url, "chutich")
    wait_connected(leader)
    before = unread(leader)

    clerk = session(browser, base_url, "vanthu")
    clerk.goto(f"{base_url}/documents/incoming/new")
    clerk.get_by_label("Tệp văn bản (PDF)").set_input_files(str(pdf))
    clerk.get_by_label("Cơ quan ban hành").fill("Thường trực Hội đồng nhân dân tỉnh")
    clerk.get_by_label("Số", exact=True).fill("120")
    clerk.get_by_label("Ký hiệu").fill("HĐND-VP")
    clerk.get_by_label("Trích yếu nội dung").fill(SUBJECT)
    press(clerk, "Vào sổ")
    clerk.get_by_label("Trình lãnh đạo").select_option(label="Trần Văn Hùng — Chủ tịch")
    press(clerk, "Trình lãnh đạo")

    # No reload: the count rises and a toast names the document.
    expect(leader.locator("[data-bell] [data-unread]")).to_have_text(str(before + 1),
                                                                   timeout=10_000)
    toast = leader.locator(".notify-toast", has_text=SUBJECT)
    toast.wait_for()
    assert "Nguyễn Thị Lan trình bạn — Văn bản đến số" in toast.inner_text()

    with leader.expect_navigation():
        toast.get_by_role("link").click()
    pick(leader, "Hoặc người chủ trì", "Trang", "Đặng Thu Trang — Chuyên viên")
    leader.get_by_label("Hạn xử lý").fill("15/01/2027")
    leader.get_by_label("Ý kiến chỉ đạo").fill("Giao đồng chí Trang chủ trì tham mưu")
    press(leader, "Chỉ đạo")
    history = leader.locator("[data-testid=history]").inner_text()
    assert "Nguyễn Thị Lan trình lãnh đạo cho Trần Văn Hùng" in history
    assert ("Trần Văn Hùng chỉ đạo, giao Đặng Thu Trang, hạn 15/01/2027: "
            "Giao đồng chí Trang chủ trì tham mưu") in history
    assert not re.search(r"\b(received|registered|presented|directed|assigned)\b", history)

    # The list page: reading all of them empties the bell.
    leader.locator("[data-bell]").click()
    leader.wait_for_url(f"{base_url}/notifications/")
    assert SUBJECT in leader.get_by_test_id("notifications").inner_text()
    press(leader, "Đánh dấu tất cả là đã đọc")
    expect(leader.locator("[data-bell] [data-unread]")).to_be_hidden()
    assert "0 thông báo chưa đọc" in leader.get_by_test_id("unread-summary").inner_text()
    leader.context.close()
    clerk.context.close()
