"""In real Chromium (issue #14): the administrator registers a remote signing service (CSC)
and links the leader to a credential on the admin page; the leader then signs through the
same dialog as with a local key, the PIN field joined by an OTP field because the credential
is at sole-control level 2. A wrong OTP is told on the page and changes nothing."""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

import signing
from eoffice.documents.models import Document
from eoffice.extensions import db
from eoffice.files.service import object_store
from tests.documents.test_signing import approved_document
from tests.services.browser import (
    browser,  # noqa: F401  (fixture)
    logged_in_page,
)
from tests.services.live_server import served_demo
from tests.signing.csc_service import (
    CLIENT_ID,
    CLIENT_SECRET,
    OTP,
    CscServer,
    holder_from_p12,
    write_config,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]
REMOTE_PIN = "305519"
LEADER_NAME = "Trần Văn Hùng (ký từ xa)"


@pytest.fixture()
def csc(tmp_path: Path) -> Iterator[tuple[Path, CscServer]]:
    pki_dir = tmp_path / "pki"
    pki = signing.DemoPKI.init(pki_dir, org="eOffice demo")
    issued = pki.issue_user(LEADER_NAME, "p12-only", title="Chủ tịch")
    holder = holder_from_p12("chutich", issued.pkcs12, "p12-only")
    config = write_config(tmp_path / "csc", pki, [holder])
    server = CscServer(config, {"chutich": REMOTE_PIN}, scal=2, otp=OTP).start()
    try:
        yield pki_dir, server
    finally:
        server.stop()


@pytest.fixture()
def live(database_url: str, tmp_path: Path, csc: tuple[Path, CscServer]
         ) -> Iterator[tuple[Flask, str]]:
    with served_demo(database_url, tmp_path / "app", pki_dir=csc[0]) as served:
        yield served


def _page(browser: Any, base_url: str, username: str) -> Any:  # noqa: F811
    return logged_in_page(browser, base_url, username, locale="vi-VN", viewport=(1280, 1000))


def test_admin_links_a_remote_credential_and_the_leader_signs_with_pin_and_otp(
        live: tuple[Flask, str], csc: tuple[Path, CscServer], browser: Any  # noqa: F811
) -> None:
    app, base_url = live
    server = csc[1]
    admin = _page(browser, base_url, "admin")
    admin.goto(f"{base_url}/admin/remote-signing")
    admin.get_by_label("Tên dịch vụ").fill("SmartCA")
    admin.get_by_label("Địa chỉ dịch vụ (phần trước /csc/v1)").fill(server.url)
    admin.get_by_label("Mã ứng dụng (client id)").fill(CLIENT_ID)
    admin.get_by_label("Khóa bí mật ứng dụng", exact=False).fill(CLIENT_SECRET)
    with admin.expect_navigation():
        admin.get_by_role("button", name="Lưu dịch vụ").click()
    assert "Đã lưu dịch vụ ký số từ xa." in admin.content()
    admin.get_by_label("Người ký").select_option(label="Trần Văn Hùng — Chủ tịch")
    admin.get_by_label("Mã chứng thư tại dịch vụ (credential id)").fill("eoffice/chutich")
    with admin.expect_navigation():
        admin.get_by_role("button", name="Liên kết", exact=True).click()
    links = admin.get_by_test_id("links")
    assert "Trần Văn Hùng" in links.inner_text() and "PIN + OTP (SCAL2)" in links.inner_text()
    assert CLIENT_SECRET not in admin.content()
    if os.environ.get("EOFFICE_SCREENSHOTS"):
        admin.screenshot(path=os.environ["EOFFICE_SCREENSHOTS"] + "/remote_signing_admin.png",
                         full_page=True)

    with app.app_context():
        document_id = approved_document().id
        db.session.remove()
    leader = _page(browser, base_url, "chutich")
    leader.goto(f"{base_url}/documents/outgoing/{document_id}")
    leader.get_by_label("Mã PIN ký số").fill(REMOTE_PIN)
    leader.get_by_label("Mã OTP (ký số từ xa)").fill("000000")
    with leader.expect_navigation():
        leader.get_by_role("button", name="Ký số", exact=True).click()
        leader.get_by_role("button", name="Xác nhận").click()  # signing asks first
    error = leader.locator(".flash-error")
    assert "Mã OTP ký số từ xa không đúng" in error.inner_text()
    with app.app_context():
        assert db.session.get(Document, document_id).state == "APPROVED"
        db.session.remove()

    leader.get_by_label("Mã PIN ký số").fill(REMOTE_PIN)
    leader.get_by_label("Mã OTP (ký số từ xa)").fill(OTP)
    if os.environ.get("EOFFICE_SCREENSHOTS"):
        leader.locator("form[action$='/sign']").screenshot(
            path=os.environ["EOFFICE_SCREENSHOTS"] + "/remote_sign_dialog.png")
    with leader.expect_navigation():
        leader.get_by_role("button", name="Ký số", exact=True).click()
        leader.get_by_role("button", name="Xác nhận").click()
    assert leader.locator(".flash-error").count() == 0
    assert "Đã ký số văn bản." in leader.content()
    with app.app_context():
        document = db.session.get(Document, document_id)
        assert document.state == "SIGNED"
        signed = object_store().read_bytes(document.current_version.file.sha256)
        db.session.remove()
    # In a thread of its own: pyHanko runs asyncio, and Playwright's loop holds this one.
    with ThreadPoolExecutor(1) as pool:
        report = pool.submit(signing.validate, signed, pki=signing.DemoPKI.open(csc[0])).result()
    assert report.ok and LEADER_NAME in report.signatures[0].signer
