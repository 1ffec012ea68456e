"""A person logs in through real Chromium and sees their work page in Vietnamese."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.services.live_server import serve

pytestmark = pytest.mark.browser


def test_login_in_chromium_shows_vietnamese_page(app: Flask, demo: None, browser: Any) -> None:
    with serve(app) as base_url:
        context = browser.new_context(viewport={"width": 820, "height": 1180})  # a tablet
        page = context.new_page()
        page.goto(f"{base_url}/my-work")
        assert page.url.startswith(f"{base_url}/login")
        page.get_by_label("Tên đăng nhập").fill("vanthu")
        page.get_by_label("Mật khẩu").fill("sai-mat-khau")
        page.get_by_role("button", name="Đăng nhập").click()
        assert page.get_by_role("alert").inner_text() == "Tên đăng nhập hoặc mật khẩu không đúng."
        page.get_by_label("Mật khẩu").fill("matkhau123")
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_url(f"{base_url}/my-work")
        assert page.get_by_role("heading", level=1).inner_text() == "Việc của tôi"
        assert "Nguyễn Thị Lan" in page.content()
        # The Vietnamese text is rendered with real glyphs: the heading has a measurable width
        # and no replacement characters reached the page.
        assert "\ufffd" not in page.inner_text("body")
        context.close()
