"""One "Nơi nhận bên ngoài" in Chromium: the clerk adds the Department of Finance from the
directory and an agency the exchange cannot reach on the same page, with the same form, and
issues; the department's row turns to 01 by itself, the other row says it is not connected and
offers its edXML package, which our reader parses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from eoffice.extensions import db
from formats import edxml
from tests.exchange.conftest import DEPARTMENT, ensure_organisation, ready_to_issue
from tests.services.browser import logged_in_page
from tests.services.live_server import serve

pytestmark = pytest.mark.browser

UNCONNECTED = "000.00.00.G15"


def test_directory_and_unconnected_recipients_on_one_page(app: Flask, demo: None,
                                                          browser: Any, tmp_path: Path) -> None:
    with app.app_context():
        ensure_organisation(DEPARTMENT)
        document = ready_to_issue("Về việc góp ý quy hoạch xây dựng vùng tỉnh")
        document_id, subject = document.id, document.subject
        db.session.remove()

    with serve(app) as base_url:
        page = logged_in_page(browser, base_url, "vanthu", locale="vi-VN")
        page.goto(f"{base_url}/documents/outgoing/{document_id}")
        section = page.locator("#exchange")
        assert section.locator("h2").inner_text() == "Nơi nhận bên ngoài"
        assert page.locator("#external").count() == 0  # the old second section is gone

        # From the directory, found by name without diacritics.
        page.fill("#exchange-search", "tai chinh hoa binh")
        option = page.wait_for_selector(f'#exchange-directory option[value="{DEPARTMENT}"]',
                                        state="attached")
        page.fill("#exchange-organ", option.get_attribute("value") or "")
        page.get_by_role("button", name="Thêm nơi nhận", exact=True).click()
        department = page.locator(f'#exchange-table tr[data-organ="{DEPARTMENT}"]')
        assert "Sở Tài chính tỉnh Hòa Bình" in department.inner_text()

        # Not in the directory, no national axis: OrganId and name, same form.
        page.fill("#exchange-organ", UNCONNECTED)
        page.get_by_label("Tên cơ quan (nếu không có trong danh bạ)").fill("Bộ Xây dựng")
        page.get_by_role("button", name="Thêm nơi nhận", exact=True).click()
        unconnected = page.locator(f'#exchange-table tr[data-organ="{UNCONNECTED}"]')
        assert "Chưa kết nối liên thông — gửi tệp edXML thủ công" in unconnected.inner_text()
        assert page.locator("#exchange-table tr[data-organ]").count() == 2

        page.get_by_role("button", name="Phát hành", exact=True).click()
        page.get_by_role("button", name="Xác nhận").click()  # issuing asks first
        page.wait_for_selector("text=Đã phát hành văn bản số")
        # The department's 01 arrives by itself (the table is re-read on the server's event).
        page.wait_for_selector(f'#exchange-table tr[data-organ="{DEPARTMENT}"]'
                               '[data-status="01"]', timeout=10000)
        assert "Đã đến nơi nhận" in department.inner_text()
        assert "Tải gói edXML" not in department.inner_text()

        button = unconnected.get_by_role("button", name="Tải gói edXML")
        with page.expect_download() as download_info:
            button.click()
        target = tmp_path / "goi.edxml"
        download_info.value.save_as(target)
        package = edxml.parse_package(target.read_bytes())
        assert [o.organ_id for o in package.message.to_orgs] == [UNCONNECTED]
        assert package.message.to_orgs[0].organ_name == "Bộ Xây dựng"
        assert package.message.subject == subject
        assert package.attachments[0].data.startswith(b"%PDF")
        page.context.close()
