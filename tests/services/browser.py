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
