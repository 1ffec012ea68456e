"""One "Nơi nhận bên ngoài" in Chromium: the clerk adds the Department of Finance from the
directory and an agency the exchange cannot reach on the same page, with the same form, and
issues; the department's row turns to 01 by itself, the other row says it is not connected and
offers its edXML package, which our reader parses. Revoked, the document is owed to the
unconnected agencies by hand: the clerk is told and downloads the revoke package."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from eoffice.exchange import recipients
from eoffice.exchange.sender_check import VALID, sender_verdict
from eoffice.extensions import db
from formats import edxml
from tests.documents.conftest import user
from tests.exchange.conftest import (
    DEPARTMENT,
    PROVINCE,
    UNCONNECTED,
    ensure_organisation,
    issue,
    ready_to_issue,
)
from tests.services.browser import logged_in_page
from tests.services.live_server import serve

pytestmark = pytest.mark.browser

OTHER = "000.00.00.G16"


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


def test_a_revocation_is_handed_to_the_unconnected_agency(app: Flask, demo: None,
                                                          browser: Any, tmp_path: Path) -> None:
    """The clerk revokes an issued document; the page says two unconnected agencies must be
    told by hand, the revoked content is no longer offered, and the revoke package downloaded
    for one of them is a signed type-1 package; its row then says when it was downloaded."""
    with app.app_context():
        document = ready_to_issue("Về việc điều chỉnh kế hoạch đầu tư công năm 2027")
        for organ_id, name in ((UNCONNECTED, "Bộ Xây dựng"), (OTHER, "Bộ Giao thông vận tải")):
            recipients.add_recipient(user("vanthu"), document, organ_id, name)
        db.session.commit()
        issue(document)
        document_id = document.id
        db.session.remove()

    with serve(app) as base_url:
        page = logged_in_page(browser, base_url, "vanthu", locale="vi-VN")
        page.goto(f"{base_url}/documents/outgoing/{document_id}")
        unconnected = page.locator(f'#exchange-table tr[data-organ="{UNCONNECTED}"]')
        assert unconnected.get_by_role("button", name="Tải gói edXML").count() == 1
        assert page.locator("#exchange-manual-notice").count() == 0

        page.get_by_text("Thao tác khác").click()
        page.fill("#note-revoke", "Ban hành nhầm đối tượng")
        page.locator('form[data-action="revoke"]').get_by_role("button", name="Thu hồi").click()
        page.get_by_role("button", name="Xác nhận").click()  # revoking asks first
        page.wait_for_selector("#exchange-manual-notice")
        assert page.locator("#exchange-manual-notice").inner_text() == (
            "Cần gửi thủ công: thông báo thu hồi cho 2 cơ quan chưa kết nối liên thông.")
        assert unconnected.get_by_role("button", name="Tải gói edXML").count() == 0
        assert "Thu hồi — chưa tải" in unconnected.inner_text()

        with page.expect_download() as download_info:
            unconnected.get_by_role("button", name="Tải gói thu hồi").click()
        target = tmp_path / "thu-hoi.edxml"
        download_info.value.save_as(target)
        data = target.read_bytes()
        package = edxml.parse_package(data)
        assert package.message.business.doc_type == 1
        assert package.message.business.reason == "Ban hành nhầm đối tượng"
        assert [o.organ_id for o in package.message.to_orgs] == [UNCONNECTED]
        assert package.attachments == ()
        with app.app_context():
            assert sender_verdict(PROVINCE, data).startswith(VALID)

        # The row and the notice are re-read once the download is recorded.
        page.wait_for_selector(f'#exchange-table tr[data-organ="{UNCONNECTED}"] '
                               'li[data-business="1"][data-downloaded="yes"]', timeout=10000)
        assert re.search(r"Thu hồi — đã tải lúc \d\d/\d\d/\d{4} \d\d:\d\d",
                         unconnected.inner_text())
        assert "thông báo thu hồi cho 1 cơ quan" in page.locator(
            "#exchange-manual-notice").inner_text()
        page.context.close()
