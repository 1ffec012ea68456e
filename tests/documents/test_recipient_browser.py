"""Issue #12 in real Chromium: a member of a recipient unit opens "Văn bản đến nội bộ", finds
the issued document marked unread, opens it and gets its official copy — no list of draft
versions, no internal comment."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.documents.test_browser import live, session  # noqa: F401  (fixture)
from tests.documents.test_recipient_view import (
    COMMENT,
    DRAFT_NOTE,
    OFFICIAL,
    SUBJECT,
    issue_with_history,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


def test_recipient_reads_the_inbox_and_the_official_copy(live: tuple[Flask, str],  # noqa: F811
                                                         browser: Any) -> None:
    app, base_url = live
    issued = issue_with_history(app)

    page = session(browser, base_url, "thuky")  # Phòng Tổng hợp, the recipient unit
    with page.expect_navigation():
        page.get_by_role("link", name="Văn bản đến nội bộ").click()
    row = page.locator(f'tr[data-document="{issued.id}"]')
    assert row.get_attribute("data-unread") == "yes"
    assert "Chưa đọc" in row.inner_text() and "12/UBND-KT" in row.inner_text()

    with page.expect_navigation():
        row.get_by_role("link", name=SUBJECT, exact=False).click()
    body = page.inner_text("body")
    assert SUBJECT in body and "Văn bản chính thức" in body and "Trần Văn Hùng" in body
    assert "Phiên bản" not in body  # no list of drafts
    assert page.locator("ol.versions").count() == 0
    assert COMMENT not in body and DRAFT_NOTE not in body and "Lịch sử xử lý" not in body
    official = page.get_by_role("link", name="Tải bản chính thức (đã ký số cơ quan)")
    assert official.get_attribute("href") == f"/files/{issued.official_file}/download"
    # The copy itself, fetched with the browser's session.
    copy = page.request.get(f"{base_url}/files/{issued.official_file}/download")
    assert copy.status == 200 and OFFICIAL.encode() in copy.body()
    draft = page.request.get(f"{base_url}/files/{issued.draft_files[1]}/download")
    assert draft.status == 404

    with page.expect_navigation():
        page.get_by_role("link", name="← Văn bản đến nội bộ").click()
    assert page.locator(f'tr[data-document="{issued.id}"]').get_attribute(
        "data-unread") == "no"
    page.context.close()
