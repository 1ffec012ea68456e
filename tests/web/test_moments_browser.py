"""In an English Chromium, task deadlines and meeting times are typed and read as
dd/mm/yyyy hh:mm (24-hour, Vietnam time), never the browser's mm/dd/yyyy hh:mm AM/PM."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.browser.panel_helpers import pick
from tests.web.conftest import english_session

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


def test_task_and_meeting_times_in_an_english_browser(live: tuple[Flask, str],
                                                      browser: Any) -> None:
    _app, base_url = live
    head = english_session(browser, base_url, "truongphong")
    head.goto(f"{base_url}/tasks/new")
    deadline = head.get_by_label("Thời hạn", exact=True)
    assert deadline.get_attribute("type") == "text"
    assert deadline.get_attribute("placeholder") == "dd/mm/yyyy hh:mm"
    head.get_by_label("Tên công việc").fill("Tổng hợp báo cáo quý IV")
    pick(head, "Người thực hiện", "Trang", "Đặng Thu Trang")
    deadline.fill("05/01/2031 14:30")
    with head.expect_navigation():
        head.get_by_role("button", name="Giao việc").click()
    assert "05/01/2031 14:30" in head.inner_text("body")  # not 01/05/2031 02:30 PM

    secretary = english_session(browser, base_url, "thuky")
    secretary.goto(f"{base_url}/meetings/new")
    starts = secretary.get_by_label("Bắt đầu")
    assert starts.get_attribute("type") == "text"
    secretary.get_by_label("Tên cuộc họp").fill("Họp triển khai nhiệm vụ năm 2031")
    starts.fill("06/01/2031 08:00")
    secretary.get_by_label("Kết thúc").fill("06/01/2031 11:30")
    secretary.get_by_label("Địa điểm").fill("Phòng họp số 1")
    pick(secretary, "Chủ trì", "Hùng", "Trần Văn Hùng (Chủ tịch)")
    pick(secretary, "Thư ký", "Ánh", "Vũ Ngọc Ánh (Chuyên viên)")
    with secretary.expect_navigation():
        secretary.get_by_role("button", name="Tạo cuộc họp").click()
    body = secretary.inner_text("body")
    assert "06/01/2031 08:00 – 06/01/2031 11:30" in body, body[-600:]
    head.context.close()
    secretary.context.close()
