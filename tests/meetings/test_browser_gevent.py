"""Real Chromium following the chair on the production transport (gevent + simple-websocket).

The other browser tests serve the app in threading mode (werkzeug), where every packet goes
through Engine.IO's queue. In production, under gevent, ``eoffice.realtime.direct_send`` writes each
Socket.IO message straight to the WebSocket, so a real browser must be seen to decode those
frames too: here a member's tablet page follows the presenter while the server's own
Engine.IO log tells which path each packet took.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.meetings.conftest import Prepared
from tests.meetings.test_direct_send import gevent_server
from tests.meetings.test_official_clients import Driver

pytestmark = pytest.mark.browser
TABLET = {"width": 820, "height": 1180}
TIMEOUT_MS = 10_000

# Every socket.io "change" event the page receives, as it arrived, before live.js applies it.
RECORD_CHANGES = """() => { window.seenChanges = [];
    window.meetingRoom.socket.on('change', (change) => window.seenChanges.push(
        JSON.parse(JSON.stringify(change)))); }"""
ENGINE = "() => { const e = window.meetingRoom.socket.io.engine;" \
         " return e ? [e.id, e.transport.name] : [null, null]; }"


def wait_for_websocket(page: Any) -> str:
    """The page's Engine.IO session id, once its connection is a WebSocket.

    The page's /meeting socket shares one connection with /notify (socket.io-client keeps one
    manager per server), which notify.js opens WebSocket first, falling back to long-polling;
    only a WebSocket connection takes the direct path.
    """
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while True:
        sid, transport = page.evaluate(ENGINE)
        if transport == "websocket":
            return str(sid)
        assert time.monotonic() < deadline, f"the page stayed on {transport!r}"
        time.sleep(0.05)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the transport is the point
def test_browser_follows_the_presenter_over_the_gevent_fast_path(
    mapp: Flask, prepared: Prepared, database_url: str, browser: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    log_path = tmp_path / "engineio.log"
    # The server shares the test app's instance, hence its object store: the document the
    # meeting was prepared with must be downloadable from the server process too.
    instance = mapp.config["EOFFICE_SETTINGS"].instance_path
    with gevent_server(database_url, instance, log_path) as base_url:
        context = browser.new_context(viewport=TABLET)
        try:
            page = context.new_page()
            page.goto(f"{base_url}/login")
            page.get_by_label("Tên đăng nhập").fill("phochutich")  # an invited member
            page.get_by_label("Mật khẩu").fill("matkhau123")
            page.get_by_role("button", name="Đăng nhập").click()
            page.wait_for_url(f"{base_url}/my-work")
            page.goto(f"{base_url}/meetings/{prepared.meeting_id}/live")
            status = page.get_by_test_id("status")
            expect(status).to_have_text("Chưa khai mạc", timeout=TIMEOUT_MS)  # joined
            page.evaluate(RECORD_CHANGES)
            sid = wait_for_websocket(page)

            chair = Driver(base_url, "chutich")
            try:
                chair("join", {"meeting_id": prepared.meeting_id})
                versions = [chair("open")["version"], chair("check_in")["version"],
                            chair("check_in", {"user_id": prepared.users["phochutich"]})[
                                "version"],
                            chair("present", {"document_id": prepared.document_id,
                                              "page": 3})["version"]]

                viewer = page.get_by_test_id("viewer")
                expect(status).to_have_text("Đang họp", timeout=TIMEOUT_MS)
                expect(status).to_have_attribute("data-state", "open")
                expect(viewer).to_have_attribute("data-rendered-page", "3", timeout=TIMEOUT_MS)
                expect(viewer).to_have_attribute("data-document-id", str(prepared.document_id))
                expect(page.get_by_test_id("page-label")).to_have_text("Trang 3/5")
                expect(page.get_by_test_id("counts")).to_contain_text(
                    re.compile(r"^Có mặt 2 · "))  # the chair and this member

                versions.append(chair("present", {"document_id": prepared.document_id,
                                                  "page": 2})["version"])
                expect(viewer).to_have_attribute("data-rendered-page", "2", timeout=TIMEOUT_MS)
                expect(page.get_by_test_id("page-label")).to_have_text("Trang 2/5")
                expect(page.get_by_test_id("follow-state")).to_have_text(
                    "Đang theo dõi người trình bày")
            finally:
                chair.close()

            # Every change reached the page as a change event, in order, on the same
            # connection: none was made up for by a reconnect and a fresh snapshot.
            seen = page.evaluate("window.seenChanges")
            assert [c["version"] for c in seen] == versions == list(range(1, 6))
            assert seen[-2]["patch"] == {
                "presenter": {"document_id": prepared.document_id, "page": 3}}
            assert seen[-1]["patch"] == {
                "presenter": {"document_id": prepared.document_id, "page": 2}}
            assert page.evaluate("window.meetingRoom.state.version") == versions[-1]
            assert page.evaluate(ENGINE) == [sid, "websocket"]
        finally:
            context.close()

    # The server's own log: once on the WebSocket, every message to the page left through the
    # fast path ("Sending packet 4 (direct)"), none through Engine.IO's queue ("Sending
    # packet MESSAGE data ..."), and no change went the stock way to anyone.
    log = log_path.read_text(encoding="utf-8").splitlines()
    queued_changes = [line for line in log
                      if "Sending packet MESSAGE" in line and '["change"' in line]
    assert queued_changes == []
    page_log = [line for line in log if line.startswith(f"{sid}: ")]
    upgraded = page_log.index(f"{sid}: Upgrade to websocket successful")
    sent = [line for line in page_log[upgraded:] if ": Sending packet " in line]
    direct = [line for line in sent if line == f"{sid}: Sending packet 4 (direct)"]
    assert [line for line in sent if "Sending packet MESSAGE" in line] == []
    assert len(direct) >= len(versions)
