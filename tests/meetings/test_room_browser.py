"""The meeting room on tablets and the projector, in Chromium with an English locale: banners
for the speaker and an open vote, the vote's verdict on every tablet, a focused button that
survives live updates, conclusions with their line breaks, a projector without the menu and
an item timer that stops at the close."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from flask import Flask

from tests.meetings.conftest import Prepared
from tests.services.live_server import serve

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]
TABLET = {"width": 820, "height": 1180}


def open_room(browser: Any, base_url: str, username: str, path: str) -> Any:
    context = browser.new_context(viewport=TABLET, locale="en-US")
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{base_url}/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill("matkhau123")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base_url}/my-work")
    page.goto(f"{base_url}{path}")
    return page


def expect_text(page: Any, testid: str, pattern: str) -> None:
    from playwright.sync_api import expect

    expect(page.get_by_test_id(testid).first).to_contain_text(re.compile(pattern),
                                                              timeout=10_000)


def test_banners_verdict_focus_line_breaks_projector_and_timer(
    mapp: Flask, prepared: Prepared, browser: Any
) -> None:
    from playwright.sync_api import expect

    room = f"/meetings/{prepared.meeting_id}/live"
    with serve(mapp) as base_url:
        chair = open_room(browser, base_url, "chutich", room)
        hoa = open_room(browser, base_url, "phochutich", room)
        nam = open_room(browser, base_url, "truongphong", room)
        screen = open_room(browser, base_url, "thuky", f"/meetings/{prepared.meeting_id}/screen")
        everyone = (chair, hoa, nam)
        for page in (*everyone, screen):
            expect_text(page, "status", "Chưa khai mạc")
        # The projector is the whole screen: no menu bar, a full-screen button.
        assert screen.locator("header.topbar").count() == 0
        assert chair.locator("header.topbar").count() == 1
        expect(screen.get_by_role("button", name="Toàn màn hình")).to_be_visible()

        chair.get_by_role("button", name="Khai mạc / Tiếp tục").click()
        for page in everyone:
            expect_text(page, "status", "Đang họp")
            page.get_by_test_id("check-in").click()
        # The first item's document opens with the item, on every tablet and the screen.
        for page in (*everyone, screen):
            expect(page.get_by_test_id("viewer")).to_have_attribute(
                "data-document-id", str(prepared.document_id), timeout=10_000)
        for page in everyone:
            expect_text(page, "counts", "Có mặt 3")

        # "You are speaking" shows on the speaker's tablet only.
        hoa.get_by_role("button", name="Đăng ký phát biểu").click()
        chair.get_by_role("button", name="Mời phát biểu").click()
        expect_text(hoa, "banner-speaking", "Bạn đang phát biểu")
        expect(nam.get_by_test_id("banner-speaking")).to_be_hidden()
        chair.get_by_role("button", name="Kết thúc phát biểu").click()
        expect(hoa.get_by_test_id("banner-speaking")).to_be_hidden(timeout=10_000)

        # A vote passed by at least two thirds of all four voting members.
        chair.get_by_label("Nội dung biểu quyết").fill("Thông qua kế hoạch đầu tư công 2027?")
        chair.get_by_label("Thông qua khi số tán thành").select_option(label="từ 2/3 trở lên")
        chair.get_by_label("tính trên").select_option(label="tổng số thành viên")
        chair.get_by_role("button", name="Tạo biểu quyết").click()
        chair.get_by_role("button", name="Mở biểu quyết").click()
        for page in (hoa, nam):
            expect_text(page, "banner-vote", "Đang biểu quyết: Thông qua kế hoạch đầu tư công "
                                             "2027\\? — mời bạn biểu quyết")
        # The chair's finger is on "Kết thúc biểu quyết" while ballots arrive: the list is
        # updated in place, the button keeps its node and its focus.
        chair.get_by_role("button", name="Đồng ý", exact=True).click()
        expect_text(chair, "poll-progress", "Đã biểu quyết: 1/3")
        close_button = chair.get_by_role("button", name="Kết thúc biểu quyết")
        close_button.focus()
        chair.evaluate("window.focusedBefore = document.activeElement")
        hoa.get_by_role("button", name="Đồng ý", exact=True).click()
        expect_text(chair, "poll-progress", "Đã biểu quyết: 2/3")
        nam.get_by_role("button", name="Không đồng ý", exact=True).click()
        expect_text(chair, "poll-progress", "Đã biểu quyết: 3/3")
        assert chair.evaluate("document.activeElement === window.focusedBefore")
        assert chair.evaluate("document.activeElement.textContent") == "Kết thúc biểu quyết"
        chair.keyboard.press("Enter")  # the focused button still works
        verdict = ("Không thông qua: 2/4 tổng số thành viên tán thành "
                   "\\(cần từ 2/3 trở lên\\)")
        for page in (*everyone, screen):
            expect_text(page, "poll-verdict", verdict)
            expect(page.get_by_test_id("banner-vote")).to_be_hidden()

        # A conclusion keeps the secretary's line breaks.
        chair.get_by_label("Kết luận nội dung đang họp").fill(
            "1. Giao Sở Tài chính rà soát.\n2. Báo cáo trước 15/01/2027.")
        chair.get_by_role("button", name="Lưu kết luận").click()
        conclusion = hoa.get_by_test_id("conclusion").first
        expect(conclusion).to_contain_text("Giao Sở Tài chính", timeout=10_000)
        assert "rà soát.\n2. Báo cáo" in conclusion.inner_text()

        # Closing stops the item's clock everywhere.
        chair.get_by_role("button", name="Bế mạc").click()
        for page in (*everyone, screen):
            expect_text(page, "status", "Đã bế mạc")
        shown = hoa.get_by_test_id("timer").inner_text()
        time.sleep(1.5)
        assert hoa.get_by_test_id("timer").inner_text() == shown
        assert hoa.get_by_test_id("timer").get_attribute("data-running") == "false"
        for page in (*everyone, screen):
            page.context.close()
