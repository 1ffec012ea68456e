"""Live "new work" pop-ups reach a user on any page, not only on document pages."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from eoffice.documents import notifications, service
from eoffice.extensions import db
from tests.documents.conftest import create_outgoing, user
from tests.documents.test_browser import session
from tests.notifications.test_browser import wait_connected
from tests.services.live_server import live  # noqa: F401  (fixture)

# The browser checks the pages; both databases are covered by the other tests, and a second
# Chromium run would double the suite's slowest part: these run on SQLite only.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


def test_user_on_my_work_sees_the_popup_when_a_document_is_delivered(
        browser: Any, live: tuple[Flask, str]) -> None:  # noqa: F811
    application, base_url = live
    page = session(browser, base_url, "thuky")
    assert page.url.endswith("/my-work")
    wait_connected(page)
    with application.app_context():
        document = create_outgoing(recipient_user_ids=[user("thuky").id])
        document.state, document.code_number, document.code_notation = (
            "ORG_SIGNED", 3, "UBND-VP")
        db.session.commit()
        result = service.issue(user("vanthu"), document)
        db.session.commit()
        with application.test_request_context("/"):
            notifications.send(result.notices)
        document_id = document.id
        db.session.remove()
    toast = page.locator(".notify-toast")
    toast.wait_for(timeout=10_000)
    # The toast names the document (issue #12): who sent it, its number and subject.
    assert "gửi đến bạn — Công văn 03/UBND-VP — Về việc" in toast.inner_text()
    assert toast.locator("a").get_attribute("href") == f"/documents/outgoing/{document_id}"
