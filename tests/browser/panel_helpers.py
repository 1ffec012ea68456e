"""Helpers for the browser tests of the action panel, the pickers and accessibility: a
logged-in Chromium page (English locale: what a default Chrome sends), a picker choice typed
as a user would, and a button press that answers the confirmation dialog."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.services.browser import logged_in_page
from tests.services.live_server import served_demo, shared_pki


@pytest.fixture()
def live(database_url: str, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[tuple[Flask, str]]:
    """The demo installation served over HTTP (its people can sign)."""
    with served_demo(database_url, tmp_path, pki_dir=shared_pki(tmp_path_factory)) as served:
        yield served


def session(browser: Any, base_url: str, username: str) -> Any:
    """A page logged in as ``username`` (en-US browser)."""
    return logged_in_page(browser, base_url, username, locale="en-US")


def pick(page: Any, label: str, typed: str, option: str) -> None:
    """Type ``typed`` into the searchable picker labelled ``label``; choose ``option``."""
    control = page.get_by_role("combobox", name=label, exact=True)
    # A single picker showing its choice keeps its text box off-screen until it is opened.
    control.locator("xpath=ancestor::div[contains(@class, 'ts-control')]").click()
    control.fill(typed)
    listbox = control.get_attribute("aria-controls")  # this picker's list, not another's
    page.locator(f"#{listbox} .option", has_text=option).first.click()


def press(page: Any, name: str, *, confirm: bool = True) -> None:
    """Press a form button; answer its confirmation (if it asks); wait for the answer page."""
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()
        if page.locator("dialog[open]").count():
            page.get_by_role("button", name="Xác nhận" if confirm else "Hủy").click()
    assert page.locator(".flash-error").count() == 0, page.locator(".flash-error").inner_text()
