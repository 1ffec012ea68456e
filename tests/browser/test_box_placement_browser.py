"""In real Chromium (issue #11): an uploaded draft has no room at the usual places for the
number, date and signature; the format checker sees its pages, clicks three free places on
the preview, saves them and approves the format; the leader signs on the page; the clerk
numbers and seals it; both signatures are valid in pdfsig and the number, date and
signature lie in the boxes she placed."""

from __future__ import annotations

import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from sqlalchemy import select

from eoffice import signing_keys
from eoffice.documents import service, signing_service
from eoffice.documents.format_check import page_words
from eoffice.documents.models import Document
from eoffice.documents.placed_boxes import PlacedBoxes
from eoffice.documents.workflow import transition
from eoffice.extensions import db
from eoffice.files.service import object_store
from tests.browser.panel_helpers import live  # noqa: F401  (fixture)
from tests.documents.conftest import user
from tests.documents.test_box_placement import (
    DATE_AT,
    NUMBER_AT,
    SIGNATURE_AT,
    typed_from_the_top,
    uploaded_for_format_check,
)
from tests.services.browser import (
    browser,  # noqa: F401  (fixture)
    logged_in_page,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]
PIN = signing_keys.DEMO_PIN
A4 = (595.28, 841.89)


def _press(page: Any, name: str) -> None:
    """Press a form button and wait for the answer page; an irreversible step may first ask
    for confirmation in a dialog, answered yes."""
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()
        dialog = page.locator("#confirm-dialog[open]")
        try:
            dialog.wait_for(timeout=1500)
        except PlaywrightTimeout:
            return
        dialog.get_by_role("button", name="Xác nhận").click()


def _click_at(page: Any, point: tuple[float, float]) -> None:
    """Click the first page of the preview at ``point`` (PDF points, bottom-left origin)."""
    canvas = page.locator("#pdf-pages canvas").first
    box = canvas.bounding_box()
    canvas.click(position={"x": point[0] / A4[0] * box["width"],
                           "y": (A4[1] - point[1]) / A4[1] * box["height"]})


def test_the_checker_places_the_boxes_by_clicking_and_the_leader_signs_into_them(
        live: tuple[Flask, str], browser: Any, tmp_path: Path) -> None:  # noqa: F811
    app, base_url = live
    with app.app_context():
        document_id = uploaded_for_format_check(typed_from_the_top())
        db.session.remove()
    url = f"{base_url}/documents/outgoing/{document_id}"

    page = logged_in_page(browser, base_url, "vanthu", locale="vi-VN", viewport=(1400, 1000))
    page.goto(url)
    panel = page.get_by_test_id("box-placement")
    assert panel.get_by_test_id("placement-problem").inner_text().startswith(
        "Không còn chỗ trống cho Ô số, ký hiệu")
    page.wait_for_selector("#box-placement[data-ready='yes']", timeout=30000)

    # A first click over the text: the server refuses and says what to move.
    _click_at(page, (190.0, 700.0))
    _click_at(page, DATE_AT)
    _click_at(page, SIGNATURE_AT)
    assert page.locator(".placed-box").count() == 3
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu vị trí các ô").click()
    assert "đè lên chữ" in page.locator(".flash-error").first.inner_text()

    # Number again, in the free space; the date and signature keep their places.
    page.wait_for_selector("#box-placement[data-ready='yes']", timeout=30000)
    panel.get_by_label("Ô số, ký hiệu").check()
    _click_at(page, NUMBER_AT)
    _click_at(page, DATE_AT)
    _click_at(page, SIGNATURE_AT)
    if os.environ.get("EOFFICE_SCREENSHOTS"):
        page.screenshot(path=os.environ["EOFFICE_SCREENSHOTS"] + "/placing.png", full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu vị trí các ô").click()
    assert page.locator(".flash-error").count() == 0, page.locator(".flash-error").inner_text()
    assert page.get_by_test_id("placement-ok").is_visible()
    # Back on the page, the saved boxes are drawn where she put them.
    page.wait_for_selector("#box-placement[data-ready='yes']", timeout=30000)
    assert page.locator(".placed-box").count() == 3
    if os.environ.get("EOFFICE_SCREENSHOTS"):
        page.screenshot(path=os.environ["EOFFICE_SCREENSHOTS"] + "/placed.png", full_page=True)
    _press(page, "Đạt thể thức")
    assert page.locator(".flash-error").count() == 0, page.locator(".flash-error").inner_text()

    with app.app_context():
        document = db.session.get(Document, document_id)
        assert document.state == "FORMAT_OK"
        layout = db.session.execute(select(PlacedBoxes)).scalar_one().layout
        transition(user("chutich"), document, "approve")
        db.session.commit()
        db.session.remove()
    # Each box is where the clicks put its centre (a pixel is about 1.3 pt here).
    for key, point in (("number_rect", NUMBER_AT), ("date_rect", DATE_AT),
                       ("signature_area", SIGNATURE_AT)):
        rect = layout[key]
        assert abs((rect[0] + rect[2]) / 2 - point[0]) < 3, key
        assert abs((rect[1] + rect[3]) / 2 - point[1]) < 3, key

    page.context.close()
    page = logged_in_page(browser, base_url, "chutich", locale="vi-VN", viewport=(1400, 1000))
    page.goto(url)
    page.wait_for_selector("#pdf-pages[data-rendered-pages='1'] canvas", timeout=30000)
    page.get_by_label("Mã PIN ký số").fill(PIN)
    _press(page, "Ký số")
    assert page.locator(".flash-error").count() == 0, page.locator(".flash-error").inner_text()
    page.context.close()

    def clerk_issues() -> bytes:
        # In a thread of its own: pyHanko runs asyncio, and Playwright's loop holds this one.
        with app.app_context():
            document = db.session.get(Document, document_id)
            assert document.state == "SIGNED"
            signing_service.assign_number(user("vanthu"), document)
            signing_service.org_sign(user("vanthu"), document, PIN)
            service.issue(user("vanthu"), document)
            db.session.commit()
            issued = object_store().read_bytes(document.current_version.file.sha256)
            db.session.remove()
            return issued

    with ThreadPoolExecutor(1) as pool:
        issued = pool.submit(clerk_issues).result()
    path = tmp_path / "issued.pdf"
    path.write_bytes(issued)
    checked = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60)
    assert checked.stdout.count("Signature Validation: Signature is Valid.") == 2, checked.stdout
    flat = subprocess.run(["pdftocairo", "-pdf", str(path), "-"], capture_output=True,
                          check=True, timeout=60).stdout
    _sizes, words = page_words(flat)
    so = next(w for w in words if w.text == "Số:")
    number = layout["number_rect"]
    assert number[0] <= so.rect[0] and so.rect[3] <= number[3] + 1
    area = layout["signature_area"]
    name = next(w for w in words if w.text == "Hùng")
    assert area[0] <= name.rect[0] and name.rect[2] <= area[2]
    assert area[1] <= name.rect[1] and name.rect[3] <= area[3]
