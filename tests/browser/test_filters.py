"""List filters work in a real browser under our Content-Security-Policy (no inline handlers)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.services.live_server import serve

pytestmark = pytest.mark.browser


def test_choosing_a_state_filters_the_incoming_list(app: Flask, demo: None, browser: Any) -> None:
    with serve(app) as base_url:
        page = browser.new_page()
        blocked: list[str] = []
        page.on("console", lambda m: blocked.append(m.text) if "Security" in m.text else None)
        page.goto(f"{base_url}/login")
        page.get_by_label("Tên đăng nhập").fill("vanthu")
        page.get_by_label("Mật khẩu").fill("matkhau123")
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_url(f"{base_url}/my-work")
        page.goto(f"{base_url}/documents/incoming")
        option = page.locator("#state option").nth(1)
        value = option.get_attribute("value")
        with page.expect_navigation():
            page.select_option("#state", value)
        assert f"state={value}" in page.url
        assert blocked == []
