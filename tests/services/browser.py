"""Real Chromium (Debian's package) driven by Playwright: no browser download, offline flags."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.services.require import missing

CHROMIUM = os.environ.get("EOFFICE_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture()
def browser() -> Iterator[Any]:
    """A Chromium for one test.

    Not shared across tests on purpose: Playwright's sync API keeps an asyncio loop running
    in the main thread while it lives, and code under test that calls ``asyncio.run`` (pyHanko
    signing does) would fail in any later test if the browser outlived its own.
    """
    if not os.path.exists(CHROMIUM):
        missing("Chromium", "apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("Playwright", "pip install playwright")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield instance
        finally:
            instance.close()


def logged_in_page(browser: Any, base_url: str, username: str, *, locale: str = "en-US",
                   viewport: tuple[int, int] = (1280, 900),
                   password: str = "matkhau123") -> Any:
    """A new page of a new browser context, logged in through the real form as ``username``
    (``locale`` is the browser's language: en-US shows what an English Chrome shows;
    ``viewport`` is the window's width and height). ``page.context.close()`` ends it."""
    width, height = viewport
    context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
    page = context.new_page()
    page.goto(f"{base_url}/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base_url}/my-work")
    return page
