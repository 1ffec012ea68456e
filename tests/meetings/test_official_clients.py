"""Other clients of the same protocol: the official socket.io-client under Node, and two
server processes sharing events through a real Redis."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
import socketio
from flask import Flask

from tests.conftest import csrf_token_from
from tests.meetings.conftest import Prepared
from tests.services.live_server import serve, server_subprocess
from tests.services.redis import free_port, redis_url  # noqa: F401
from tests.services.require import missing, require_executable

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"
USER_AGENT = "eoffice-tests/1.0"


def http_login(base_url: str, username: str) -> requests.Session:
    """Log in through the real form; the session cookie then authenticates the socket."""
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    token = csrf_token_from(session.get(f"{base_url}/login", timeout=10).text)
    response = session.post(f"{base_url}/login", timeout=10, allow_redirects=False, data={
        "username": username, "password": "matkhau123", "csrf_token": token})
    assert response.status_code == 302
    return session


def cookie_header(session: requests.Session) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


def connect(base_url: str, username: str) -> socketio.SimpleClient:
    client = socketio.SimpleClient()
    session = http_login(base_url, username)
    client.connect(base_url, namespace="/meeting", transports=["websocket"],
                   headers={"Cookie": cookie_header(session), "User-Agent": USER_AGENT})
    return client


class Driver:
    """The chair (or anyone) over a real network connection, with acknowledgements."""

    def __init__(self, base_url: str, username: str) -> None:
        self.session = http_login(base_url, username)
        self.events: list[tuple[str, Any]] = []
        self.sio = socketio.Client()
        self.sio.on("*", lambda event, data: self.events.append((event, data)),
                    namespace="/meeting")
        self.sio.connect(base_url, namespaces=["/meeting"], transports=["websocket"],
                         headers={"Cookie": cookie_header(self.session),
                                  "User-Agent": USER_AGENT})

    def __call__(self, event: str, payload: Any = None) -> Any:
        reply = self.sio.call(event, payload or {}, namespace="/meeting", timeout=10)
        assert reply["ok"], (event, reply)
        return reply

    def close(self) -> None:
        self.sio.disconnect()


def test_node_socketio_client_receives_the_same_events_as_the_browser(
    mapp: Flask, prepared: Prepared, browser: Any
) -> None:
    node = require_executable("node", "install Node.js 20")
    if not (NODE_MODULES / "socket.io-client").exists():
        missing("socket.io-client", "npm ci")
    from playwright.sync_api import expect

    with serve(mapp) as base_url:
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{base_url}/login")
        page.get_by_label("Tên đăng nhập").fill("phochutich")
        page.get_by_label("Mật khẩu").fill("matkhau123")
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_url(f"{base_url}/my-work")
        page.goto(f"{base_url}/meetings/{prepared.meeting_id}/live")
        expect(page.get_by_test_id("status")).to_have_text("Chưa khai mạc", timeout=10_000)
        page.evaluate("""() => { window.seen = [];
            for (const name of ['change', 'poll_progress'])
              window.meetingRoom.socket.on(name, (data) => window.seen.push(
                [name, JSON.parse(JSON.stringify(data))])); }""")

        member = http_login(base_url, "truongphong")
        process = subprocess.Popen(
            [node, str(Path(__file__).with_name("node_participant.mjs")), base_url,
             str(prepared.meeting_id)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "EOFFICE_NODE_MODULES": str(NODE_MODULES)},
        )
        assert process.stdin and process.stdout
        process.stdin.write(json.dumps({"cookie": cookie_header(member),
                                        "user_agent": USER_AGENT}))
        process.stdin.close()
        joined = json.loads(process.stdout.readline())
        assert joined == {"kind": "joined", "ok": True, "version": 0, "transport": "websocket"}

        chair = Driver(base_url, "chutich")
        chair("join", {"meeting_id": prepared.meeting_id})
        chair("open")
        chair("check_in")
        chair("check_in", {"user_id": prepared.users["truongphong"]})
        chair("present", {"document_id": prepared.document_id, "page": 3})
        chair("create_poll", {"question": "Thông qua?", "secret": True})
        poll_id = int(next(iter(chair("snapshot")["snapshot"]["polls"])))
        chair("open_poll", {"poll_id": poll_id})
        chair("vote", {"poll_id": poll_id, "choice": 0})
        time.sleep(0.4)  # let the throttled progress go out before the poll closes
        chair("close_poll", {"poll_id": poll_id})
        chair("close")
        process.wait(timeout=30)
        out = process.stdout.read()
        err = process.stderr.read() if process.stderr else ""
        chair.close()
        node_events = [json.loads(line) for line in out.splitlines()]
        assert process.returncode == 0, (out, err)
        expect(page.get_by_test_id("status")).to_have_text("Đã bế mạc", timeout=10_000)
        browser_events = page.evaluate("window.seen")
        context.close()
    node_seen = [[e["kind"], e["data"]] for e in node_events]
    assert node_seen == browser_events
    changes = [data for kind, data in node_seen if kind == "change"]
    assert [c["version"] for c in changes] == list(range(1, 9))
    assert {"presenter": {"document_id": prepared.document_id, "page": 3}} in [
        c["patch"] for c in changes]
    assert ["poll_progress", {"meeting_id": prepared.meeting_id, "poll_id": poll_id,
                              "voted": 1, "eligible": 2}] in node_seen


# --------------------------------------------------------------------------- scale-out
@contextmanager
def server_process(database_url: str, instance: Path, redis: str, mode: str) -> Iterator[str]:
    port = free_port()
    with server_subprocess(
        [sys.executable, "-m", "tests.meetings.server_process", str(port), database_url,
         str(instance), redis, mode], port, ROOT,
    ) as base_url:
        yield base_url


def test_two_processes_share_events_through_redis(
    mapp: Flask, prepared: Prepared, database_url: str, redis_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    with server_process(database_url, tmp_path / "a", redis_url, "gevent") as first, \
            server_process(database_url, tmp_path / "b", redis_url, "gevent") as second:
        chair = Driver(first, "chutich")
        member = Driver(second, "phochutich")
        chair("join", {"meeting_id": prepared.meeting_id})
        snapshot = member("join", {"meeting_id": prepared.meeting_id})["snapshot"]
        member("check_in")
        chair("open")
        chair("present", {"document_id": prepared.document_id, "page": 3})
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len(
            [e for e in member.events if e[0] == "change"]) < 3:
            time.sleep(0.05)
        changes = [data for event, data in member.events if event == "change"]
        assert [c["version"] for c in changes] == [snapshot["version"] + i for i in (1, 2, 3)]
        assert changes[-1]["patch"] == {
            "presenter": {"document_id": prepared.document_id, "page": 3}}
        # ... and the other way round: the member's change on B reaches the chair on A.
        assert [c["version"] for e, c in chair.events if e == "change"] == [1, 2, 3]
        chair.close()
        member.close()
