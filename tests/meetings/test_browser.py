"""A whole session in real Chromium: a chair and two participants in separate browser contexts."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

import signing
from eoffice.accounts.models import User
from eoffice.extensions import db
from eoffice.jobs import queue
from tests.meetings.conftest import Prepared
from tests.services.live_server import serve
from tests.services.require import require_executable

pytestmark = pytest.mark.browser
TABLET = {"width": 820, "height": 1180}


def open_room(browser: Any, base_url: str, username: str, path: str) -> tuple[Any, Any]:
    context = browser.new_context(viewport=TABLET)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{base_url}/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill("matkhau123")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base_url}/my-work")
    page.goto(f"{base_url}{path}")
    return context, page


def expect_text(page: Any, testid: str, pattern: str) -> None:
    from playwright.sync_api import expect

    expect(page.get_by_test_id(testid)).to_contain_text(re.compile(pattern), timeout=10_000)


def test_session_with_follow_speaking_secret_vote_reconnect_and_signed_minutes(
    mapp: Flask, prepared: Prepared, browser: Any
) -> None:
    require_executable("soffice", "apt-get install libreoffice-writer-nogui")
    from playwright.sync_api import expect

    room = f"/meetings/{prepared.meeting_id}/live"
    with serve(mapp) as base_url:
        chair_context, chair = open_room(browser, base_url, "chutich", room)
        hoa_context, hoa = open_room(browser, base_url, "phochutich", room)
        nam_context, nam = open_room(browser, base_url, "truongphong", room)
        everyone = (chair, hoa, nam)
        for page in everyone:
            expect_text(page, "status", "Chưa khai mạc")

        chair.get_by_role("button", name="Khai mạc / Tiếp tục").click()
        for page in everyone:
            expect_text(page, "status", "Đang họp")
            expect_text(page, "item-title", "Tình hình kinh tế - xã hội")
            page.get_by_test_id("check-in").click()
        for page in everyone:
            expect_text(page, "counts", "Có mặt 3 · Vắng 3 · Vắng có lý do 0")
            expect_text(page, "quorum", "Đủ số lượng")

        # Presenter-follow: the chair opens the report and goes to page 3.
        chair.get_by_test_id("document-select").select_option(label="Báo cáo tình hình")
        expect(chair.get_by_test_id("viewer")).to_have_attribute("data-rendered-page", "1")
        chair.get_by_role("button", name="Trang sau").click()
        expect(chair.get_by_test_id("viewer")).to_have_attribute("data-rendered-page", "2")
        chair.get_by_role("button", name="Trang sau").click()
        for page in everyone:
            viewer = page.get_by_test_id("viewer")
            expect(viewer).to_have_attribute("data-rendered-page", "3", timeout=10_000)
            expect(viewer).to_have_attribute("data-document-id", str(prepared.document_id))
            expect_text(page, "page-label", "Trang 3/5")
        # A participant browses freely, then jumps back to follow the chair.
        hoa.get_by_role("button", name="Trang sau").click()
        expect(hoa.get_by_test_id("viewer")).to_have_attribute("data-rendered-page", "4")
        expect_text(hoa, "follow-state", "Đang xem tự do")
        chair.get_by_role("button", name="Trang trước").click()
        expect(nam.get_by_test_id("viewer")).to_have_attribute("data-rendered-page", "2")
        expect(hoa.get_by_test_id("viewer")).to_have_attribute("data-rendered-page", "4")
        hoa.get_by_role("button", name="Theo dõi người trình bày").click()
        expect(hoa.get_by_test_id("viewer")).to_have_attribute("data-rendered-page", "2")
        # A private note stays with its author.
        hoa.get_by_test_id("note").fill("Hỏi về số liệu giải ngân")

        # A request to speak, granted by the chair, timed, ended.
        hoa.get_by_role("button", name="Đăng ký phát biểu").click()
        expect_text(chair, "queue-speak", "Lê Thị Hoa")
        chair.get_by_role("button", name="Mời phát biểu").click()
        for page in everyone:
            expect_text(page, "speaker", r"Đang phát biểu: Lê Thị Hoa — 0:0\d / 3:00")
        chair.get_by_role("button", name="Kết thúc phát biểu").click()
        for page in everyone:
            expect_text(page, "speaker", "Chưa có người phát biểu.")

        # A secret vote with a live count; one participant drops out mid-vote and comes back.
        chair.get_by_label("Nội dung biểu quyết").fill("Thông qua báo cáo tình hình?")
        chair.get_by_label("Bỏ phiếu kín").check()
        chair.get_by_role("button", name="Tạo biểu quyết").click()
        chair.get_by_role("button", name="Mở biểu quyết").click()
        for page in everyone:
            expect_text(page, "poll-progress", "Đã biểu quyết: 0/3")
        hoa.get_by_role("button", name="Đồng ý", exact=True).click()
        expect_text(hoa, "voted", "Bạn đã biểu quyết.")
        for page in everyone:
            expect_text(page, "poll-progress", "Đã biểu quyết: 1/3")
        nam.evaluate("window.meetingRoom.socket.disconnect()")
        expect_text(nam, "connection", "Mất kết nối")
        chair.get_by_role("button", name="Không đồng ý", exact=True).click()
        expect_text(chair, "poll-progress", "Đã biểu quyết: 2/3")
        nam.evaluate("window.meetingRoom.socket.connect()")
        expect_text(nam, "poll-progress", "Đã biểu quyết: 2/3")  # from the snapshot
        nam.get_by_role("button", name="Đồng ý", exact=True).click()
        for page in everyone:
            expect_text(page, "poll-progress", "Đã biểu quyết: 3/3")
        version = chair.evaluate("window.meetingRoom.state.version")
        assert nam.evaluate("window.meetingRoom.state.version") == version
        chair.get_by_role("button", name="Kết thúc biểu quyết").click()
        for page in everyone:
            result = page.get_by_test_id("poll-result")
            expect(result).to_contain_text("Đồng ý2", timeout=10_000)
            expect(result).to_contain_text("Không đồng ý1")

        # The secretary's conclusion, then the chair closes the session.
        chair.get_by_label("Kết luận nội dung đang họp").fill("Thông qua báo cáo tình hình.")
        chair.get_by_role("button", name="Lưu kết luận").click()
        expect_text(nam, "agenda", "Kết luận: Thông qua báo cáo tình hình.")
        chair.get_by_role("button", name="Bế mạc").click()
        for page in everyone:
            expect_text(page, "status", "Đã bế mạc")
        # The note was saved privately on the server.
        hoa.reload()
        hoa.get_by_test_id("document-select").select_option(label="Báo cáo tình hình")
        hoa.get_by_role("button", name="Trang sau").click()
        expect(hoa.get_by_test_id("note")).to_have_value("Hỏi về số liệu giải ngân")

        # Minutes: the secretary generates and signs, then the chair signs.
        from eoffice.signing_keys import demo_pki, issue_user_certificate, set_signature_image

        with mapp.app_context():
            for user_id in (prepared.users["thuky"], prepared.users["chutich"]):
                signer = db.session.get(User, user_id)
                issue_user_certificate(signer, "123456")
                # Signed minutes show each signer's image; this app has its own store.
                set_signature_image(signer, signing.demo_signature_png(signer.full_name))
            db.session.commit()
        detail = f"{base_url}/meetings/{prepared.meeting_id}"
        secretary_context, secretary = open_room(browser, base_url, "thuky",
                                                 f"/meetings/{prepared.meeting_id}")
        secretary.get_by_label(re.compile("ghi chép của thư ký")).fill("Ghi chép bổ sung.")
        secretary.get_by_role("button", name="Lập biên bản").click()
        expect(secretary.locator(".flash")).to_contain_text("Đang lập biên bản")
        expect(secretary.get_by_test_id("minutes-building")).to_be_visible()

        def build_minutes() -> int:  # the job a worker would run
            with mapp.app_context():
                return queue.drain()

        with ThreadPoolExecutor(1) as pool:
            assert pool.submit(build_minutes).result() == 1
        secretary.reload()
        expect_text(secretary, "minutes-status", "Chờ thư ký ký")
        secretary.get_by_label("Mã PIN chữ ký số").fill("123456")
        secretary.get_by_role("button", name="Ký số biên bản").click()
        expect_text(secretary, "minutes-status", "Thư ký đã ký, chờ chủ trì ký")
        chair.goto(detail)
        chair.get_by_label("Mã PIN chữ ký số").fill("123456")
        chair.get_by_role("button", name="Ký số biên bản").click()
        expect_text(chair, "minutes-status", "Đã ký đủ")
        with chair.expect_download() as download_info:
            chair.get_by_role("link", name="Tải biên bản (PDF)").click()
        signed = Path(download_info.value.path()).read_bytes()
        with mapp.app_context():
            pki = demo_pki()
        # Playwright's sync API keeps an asyncio loop on this thread; pyHanko needs its own.
        with ThreadPoolExecutor(1) as pool:
            report = pool.submit(signing.validate, signed, trust_roots=[pki.root_pem()],
                                 pki=pki).result()
        assert report.ok and len(report.signatures) == 2, report.verdict_en
        for context in (chair_context, hoa_context, nam_context, secretary_context):
            context.close()
