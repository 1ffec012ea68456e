"""In Chromium on a touch tablet (issue #12): an invitee answers a meeting invitation with
large, wrapping choice buttons; the reason box appears only for "Không tham dự" and the
deputy picker only for "Cử người dự thay"; nothing overflows the screen sideways.

Set EOFFICE_SCREENSHOTS to a folder to keep screenshots of the section at each size."""

from __future__ import annotations

import os
from typing import Any

import pytest
from flask import Flask

from tests.browser.test_accessibility import AXE, _violations
from tests.meetings.conftest import Prepared
from tests.services.live_server import serve

pytestmark = [
    pytest.mark.browser,
    # The page's layout does not depend on the database; SQLite keeps the browser test quick.
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]
PORTRAIT = {"width": 768, "height": 1024}
LANDSCAPE = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}
CHOICES = ("Tham dự", "Không tham dự", "Cử người dự thay")


def _login(browser: Any, base_url: str, username: str, viewport: dict[str, int],
           *, axe: bool = False) -> Any:
    # Only a page that runs axe lets its injection past the CSP; the others keep the CSP, so
    # the show/hide behaviour is proven to work from a script file.
    context = browser.new_context(viewport=viewport, locale="en-US", has_touch=True,
                                  is_mobile=viewport is PHONE, bypass_csp=axe)
    page = context.new_page()
    page.goto(f"{base_url}/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill("matkhau123")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base_url}/my-work")
    return page


def _no_sideways_scroll(page: Any) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], widths


def _choices_inside(page: Any, viewport: dict[str, int]) -> None:
    """Every choice is a whole, finger-sized target inside the screen's width."""
    for name in CHOICES:
        choice = page.get_by_role("radio", name=name, exact=True)
        box = page.locator("label", has=choice).bounding_box()
        assert box is not None, name
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], (name, box)
        assert box["height"] >= 44 and box["width"] >= 44, (name, box)


def _shoot(page: Any, name: str) -> None:
    if os.environ.get("EOFFICE_SCREENSHOTS"):
        page.locator("#rsvp").screenshot(path=f"{os.environ['EOFFICE_SCREENSHOTS']}/{name}.png")


def test_invitee_declines_with_a_reason_on_a_tablet(
        mapp: Flask, prepared: Prepared, browser: Any) -> None:
    from playwright.sync_api import expect

    path = f"/meetings/{prepared.meeting_id}"
    with serve(mapp) as base_url:
        for label, viewport in (("landscape", LANDSCAPE), ("phone", PHONE)):
            page = _login(browser, base_url, "truongphong", viewport, axe=viewport is LANDSCAPE)
            page.goto(f"{base_url}{path}")
            _choices_inside(page, viewport)
            _no_sideways_scroll(page)
            page.get_by_role("radio", name="Cử người dự thay", exact=True).tap()
            expect(page.get_by_label("Người dự thay", exact=True)).to_be_visible()
            _shoot(page, f"rsvp-{label}")
            if viewport is LANDSCAPE:  # the invitee's page, with the answer form, for axe
                assert AXE.exists(), "axe-core missing: run `npm ci` (make static)"
                assert _violations(page) == []
            page.context.close()

        page = _login(browser, base_url, "truongphong", PORTRAIT)
        page.goto(f"{base_url}{path}")
        _choices_inside(page, PORTRAIT)
        _no_sideways_scroll(page)
        # Nothing chosen yet: neither the reason nor the deputy is asked for.
        expect(page.get_by_label("Lý do", exact=True)).to_be_hidden()
        expect(page.get_by_label("Người dự thay", exact=True)).to_be_hidden()
        _shoot(page, "rsvp-portrait")

        page.get_by_text("Không tham dự", exact=True).tap()
        expect(page.get_by_role("radio", name="Không tham dự", exact=True)).to_be_checked()
        reason = page.get_by_label("Lý do", exact=True)
        expect(reason).to_be_visible()
        expect(page.get_by_label("Người dự thay", exact=True)).to_be_hidden()
        box = reason.bounding_box()
        assert box is not None and box["x"] + box["width"] <= PORTRAIT["width"], box
        reason.fill("Đi công tác tỉnh")
        _shoot(page, "rsvp-portrait-declined")
        page.get_by_role("button", name="Gửi phản hồi").tap()

        expect(page.locator(".flash")).to_be_visible()
        expect(page.get_by_test_id("rsvp-current")).to_have_text("Vắng mặt")
        expect(page.locator("table")).to_contain_text("Vắng mặt: Đi công tác tỉnh")
        _no_sideways_scroll(page)
        page.context.close()
