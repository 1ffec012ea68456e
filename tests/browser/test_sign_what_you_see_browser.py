"""In real Chromium (issue #11): the leader opens an approved draft, sees its PDF inline
(pdf.js) with its SHA-256, signs it with his PIN; once issued, the document page shows the
validation panel with both signatures valid."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from eoffice import signing_keys
from eoffice.documents import service, signing_service
from eoffice.documents.generation import generate_outgoing
from eoffice.documents.models import Document
from eoffice.documents.workflow import transition
from eoffice.extensions import db
from eoffice.files.service import object_store
from eoffice.jobs import queue
from tests.documents.conftest import user
from tests.services.browser import (
    browser,  # noqa: F401  (fixture)
    logged_in_page,
)
from tests.services.libreoffice import converter, soffice  # noqa: F401  (fixtures)
from tests.services.live_server import served_demo, shared_pki

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]
PIN = signing_keys.DEMO_PIN
SUBJECT = "Ban hành Quy chế văn thư, lưu trữ"


@pytest.fixture()
def live(database_url: str, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory,
         converter: Any) -> Iterator[tuple[Flask, str]]:  # noqa: F811
    with served_demo(database_url, tmp_path, pki_dir=shared_pki(tmp_path_factory)) as served:
        yield served


def _approved_draft() -> int:
    draft = service.OutgoingDraft(
        subject=SUBJECT, type_code="QĐ", reviewer_id=user("truongphong").id,
        checker_id=user("vanthu").id, signer_id=user("chutich").id,
        authority="TM. ỦY BAN NHÂN DÂN", to_places="Như Điều 3\nSở Nội vụ")
    document = generate_outgoing(user("chuyenvien"), draft, [
        "Căn cứ Luật Tổ chức chính quyền địa phương;",
        "Điều 1. Ban hành kèm theo Quyết định này Quy chế văn thư, lưu trữ.",
    ]).document
    transition(user("truongphong"), document, "approve_content")
    transition(user("vanthu"), document, "approve_format")
    transition(user("chutich"), document, "approve")
    db.session.commit()
    return document.id


def test_leader_signs_the_pdf_he_sees_and_the_issued_page_validates(
        live: tuple[Flask, str], browser: Any, tmp_path: Path) -> None:  # noqa: F811
    app, base_url = live
    with app.app_context():
        document_id = _approved_draft()
        viewed_sha = db.session.get(Document, document_id).current_version.file.sha256
        viewed = object_store().read_bytes(viewed_sha)
        db.session.remove()

    page = logged_in_page(browser, base_url, "chutich", locale="vi-VN", viewport=(1400, 1000))
    page.goto(f"{base_url}/documents/outgoing/{document_id}")

    viewer = page.get_by_test_id("pdf-view")
    assert viewer.get_by_test_id("pdf-sha256").inner_text() == viewed_sha
    # pdf.js has drawn the page (not blank) and the form carries the hash of what it drew.
    page.wait_for_selector("#pdf-pages[data-rendered-pages='1'] canvas", timeout=30000)
    inked = page.evaluate("""() => {
        const c = document.querySelector('#pdf-pages canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let dark = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i] < 128 && d[i + 3] > 0) dark++;
        return dark;
    }""")
    assert inked > 1000, inked
    assert page.input_value('input[name="viewed_sha256"]') == viewed_sha
    if os.environ.get("EOFFICE_SCREENSHOTS"):
        page.screenshot(path=os.environ["EOFFICE_SCREENSHOTS"] + "/sign_view.png", full_page=True)

    page.get_by_label("Mã PIN ký số").fill(PIN)
    with page.expect_navigation():
        page.get_by_role("button", name="Ký số", exact=True).click()
        page.get_by_role("button", name="Xác nhận").click()  # signing asks first
    assert page.locator(".flash-error").count() == 0, page.locator(".flash-error").inner_text()

    def clerk_issues() -> bytes:
        # In a thread of its own: pyHanko runs asyncio, and Playwright's loop holds this one.
        with app.app_context():
            document = db.session.get(Document, document_id)
            assert document.state == "SIGNED"
            signed = object_store().read_bytes(document.current_version.file.sha256)
            signing_service.assign_number(user("vanthu"), document)
            signing_service.org_sign(user("vanthu"), document, PIN)
            service.issue(user("vanthu"), document)
            db.session.commit()
            assert queue.drain() >= 1  # the validation job
            db.session.remove()
            return signed

    with ThreadPoolExecutor(1) as pool:
        signed = pool.submit(clerk_issues).result()
    assert signed.startswith(viewed)  # the viewed PDF plus the signature, not re-rendered
    assert hashlib.sha256(signed[:len(viewed)]).hexdigest() == viewed_sha

    page.goto(f"{base_url}/documents/outgoing/{document_id}")
    panel = page.get_by_test_id("validation-panel")
    assert panel.get_by_test_id("official-copy").is_visible()
    rows = panel.locator("tbody tr")
    assert rows.count() == 2
    assert panel.locator('tr[data-valid="yes"]').count() == 2
    assert "Trần Văn Hùng" in rows.nth(0).inner_text()
    assert "Lãnh đạo ký ban hành" in rows.nth(0).inner_text()
    assert "Chữ ký số của cơ quan (con dấu)" in rows.nth(1).inner_text()
    if os.environ.get("EOFFICE_SCREENSHOTS"):
        panel.screenshot(path=os.environ["EOFFICE_SCREENSHOTS"] + "/validation.png")
    page.context.close()
