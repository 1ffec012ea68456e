"""A manager opens the dashboard in Chromium, drills into a late document, exports XLSX, and the
file's figures match the screen."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook

from eoffice.reports.exports import full_labels
from tests.reports.scenario import seed_may_2026, use_clock, user
from tests.services.live_server import serve

pytestmark = pytest.mark.browser


def test_manager_dashboard_drill_down_and_xlsx_match(
    app: Flask, demo: None, browser: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with app.app_context():
        seed_may_2026(use_clock(monkeypatch))
        monkeypatch.undo()
        kt = user("truongphong").memberships[0].unit_id
    with serve(app) as base_url:
        context = browser.new_context(viewport={"width": 1280, "height": 900},
                                      accept_downloads=True)
        page = context.new_page()
        page.goto(f"{base_url}/login")
        page.get_by_label("Tên đăng nhập").fill("chutich")
        page.get_by_label("Mật khẩu").fill("matkhau123")
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_url(f"{base_url}/my-work")
        page.get_by_role("link", name="Báo cáo").click()
        page.get_by_label("Đơn vị").select_option(str(kt))
        page.get_by_label("Từ ngày").fill("2026-05-01")
        page.get_by_label("Đến ngày").fill("2026-05-31")
        page.get_by_role("button", name="Xem").click()
        page.wait_for_selector("[data-testid=chain-status]")
        assert "toàn vẹn" in page.inner_text("[data-testid=chain-status]")
        # The charts were drawn by Chart.js (a canvas with a non-zero size).
        assert page.evaluate("typeof Chart") == "function"
        assert page.locator("#chart-monthly").bounding_box()["height"] > 0

        screen = {}
        for row in page.locator("[data-testid=figures] tbody tr").all():
            key = row.get_attribute("data-figure")
            text = row.locator("td.value").inner_text().split(" ")[0]
            # Vietnamese writing: 1.234 and 247,5.
            screen[key] = None if text == "—" else float(text.replace(".", "").replace(",", "."))
        assert screen["docs_late"] == 1 and screen["docs_on_time"] == 2

        page.locator("tr[data-figure=docs_late] td.value a").click()
        page.wait_for_selector("[data-testid=evidence]")
        evidence = page.inner_text("[data-testid=evidence]")
        assert "hoàn thành xử lý" in evidence and "05/05/2026 10:00" in evidence
        assert "Quá hạn" in evidence and "#102" not in evidence and "completed" not in evidence
        # The row's object opens for the manager (here a report page about the event: the
        # scenario's documents exist only as events), never "Lỗi 404".
        with page.expect_navigation():
            page.locator("[data-testid=evidence] tbody tr td a").first.click()
        assert "Lỗi" not in page.title()
        assert "Đặng Thu Trang hoàn thành xử lý" in page.inner_text("[data-testid=history]")
        page.go_back()
        page.go_back()

        with page.expect_download() as info:
            page.get_by_test_id("export-xlsx").click()
        download = info.value
        assert download.suggested_filename.endswith(".xlsx")
        book = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
        from_file = {row[0]: (None if row[1] is None else float(row[1]))
                     for row in book["Tổng hợp"].iter_rows(min_row=6, values_only=True)}
        labels = full_labels()
        assert from_file == {labels[key]: value for key, value in screen.items()}
        context.close()
