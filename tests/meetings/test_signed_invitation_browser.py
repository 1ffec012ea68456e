"""In Chromium (issue #11): the chair signs the giấy mời on the meeting page, the clerk seals
it, the secretary sends it, and an invitee downloads the numbered, signed and sealed PDF."""

from __future__ import annotations

import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

import signing
from eoffice.accounts.models import User
from eoffice.extensions import db
from eoffice.signing_keys import (
    ensure_demo_credentials,
    issue_user_certificate,
    set_seal_image,
    set_signature_image,
)
from tests.meetings.conftest import prepare_meeting
from tests.meetings.test_browser import open_room
from tests.services.live_server import serve
from tests.services.require import require_executable

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]
PIN = "123456"


def _keys(app: Flask, users: dict[str, int]) -> None:
    with app.app_context():
        chair = db.session.get(User, users["chutich"])
        clerk = db.session.get(User, users["vanthu"])
        issue_user_certificate(chair, PIN)
        ensure_demo_credentials([clerk])  # the organisation's seal certificate
        # This app keeps its own object store: the images are put here.
        set_signature_image(chair, signing.demo_signature_png(chair.full_name))
        set_seal_image(None, clerk.organisation, signing.demo_seal_png(clerk.organisation.name),
                       uploader=clerk)
        db.session.commit()


def test_chair_signs_clerk_seals_secretary_sends_the_invitation(
        mapp: Flask, browser: Any, tmp_path: Path) -> None:
    require_executable("soffice", "apt-get install libreoffice-writer-nogui")
    pdfsig = require_executable("pdfsig", "apt-get install poppler-utils")
    from playwright.sync_api import expect

    prepared = prepare_meeting(mapp, invite=False)
    with ThreadPoolExecutor(1) as pool:  # pyHanko's asyncio away from Playwright's loop
        pool.submit(_keys, mapp, prepared.users).result()
    path = f"/meetings/{prepared.meeting_id}"
    with serve(mapp) as base_url:
        chair_context, chair = open_room(browser, base_url, "chutich", path)
        chair.get_by_label("Mã PIN ký số").fill(PIN)
        chair.get_by_role("button", name="Ký số giấy mời").click()
        expect(chair.locator(".flash")).to_contain_text("Đã ký số giấy mời")

        clerk_context, clerk = open_room(browser, base_url, "vanthu", path)
        expect(clerk.get_by_test_id("invitation-state")).to_contain_text("chờ đóng dấu")
        clerk.get_by_label("Mã PIN chứng thư số cơ quan").fill(PIN)
        clerk.get_by_role("button", name="Đóng dấu giấy mời").click()
        expect(clerk.locator(".flash")).to_contain_text("Đã đóng dấu giấy mời")

        secretary_context, secretary = open_room(browser, base_url, "thuky", path)
        secretary.get_by_role("button", name="Phát hành giấy mời").click()
        expect(secretary.locator(".flash")).to_contain_text("Đã phát hành giấy mời")

        invitee_context, invitee = open_room(browser, base_url, "truongphong", path)
        link = invitee.get_by_role("link", name=re.compile(r"Giấy mời \(PDF, đã ký số\)"))
        with invitee.expect_download() as download:
            link.click()
        pdf = Path(download.value.path()).read_bytes()
        for context in (chair_context, clerk_context, secretary_context, invitee_context):
            context.close()
    target = tmp_path / "giay-moi.pdf"
    target.write_bytes(pdf)
    out = subprocess.run([pdfsig, str(target)], capture_output=True, text=True, timeout=60)
    assert out.stdout.count("Signature Validation: Signature is Valid.") == 2, out.stdout
    text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True,
                          check=True, timeout=60).stdout
    assert "Số: 01/GM-UBND" in text
