"""Fixtures for the web tests: the whole app (meetings included) served to real Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

import meetings
from eoffice.demo import seed_demo
from eoffice.extensions import db
from tests.conftest import _wipe, make_app
from tests.services.browser import browser  # noqa: F401
from tests.services.live_server import serve


@pytest.fixture()
def live(database_url: str, tmp_path: Path) -> Iterator[tuple[Flask, str]]:
    application = make_app(tmp_path, database_url)
    meetings.init_app(application)
    with application.app_context():
        seed_demo()
        db.session.remove()
    try:
        with serve(application) as base_url:
            yield application, base_url
    finally:
        _wipe(application)


def english_session(browser: Any, base_url: str, username: str) -> Any:  # noqa: F811
    """A signed-in page in a Chromium whose language is English (en-US)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    page.goto(f"{base_url}/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill("matkhau123")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base_url}/my-work")
    return page
