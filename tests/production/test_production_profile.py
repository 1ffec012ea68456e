"""The production profile, end to end: README's "Running in production" commands, run as they
are written, against real PostgreSQL, Redis and an S3 gateway, as separate processes.

Two gunicorn gevent processes (one per core, as README says) share Socket.IO events through
Redis; a job worker renders drafts with the warm converter; every client request comes through
one trusted proxy hop (``X-Forwarded-*`` as nginx sends them). The journey: a clerk logs in
through the form, registers an incoming document; an outgoing one is drafted, rendered by the
worker, approved, signed by the leader, numbered, sealed and issued, and pdfsig (poppler, not
our code) finds both signatures valid; a meeting's chair acts on one process and a member on
the other sees it.

The commands are read from README itself, so the documentation cannot drift from what runs.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
import requests
import socketio

from bench.write_burst import serving
from eoffice.signing_keys import DEMO_PIN as PIN
from meetings.demo import DEMO_TITLE
from tests.conftest import csrf_token_from
from tests.documents.conftest import make_pdf
from tests.services.postgres import create_database, postgres_server_url  # noqa: F401
from tests.services.redis import redis_url  # noqa: F401
from tests.services.require import require_executable
from tests.services.seaweed import S3Server

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
PROXY = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https",
         "X-Forwarded-Host": "eoffice.tinh.gov.vn", "X-Forwarded-Prefix": "/vanphong"}
# What the browser sends from the login page it was shown (Flask-WTF checks it over https).
REFERER = {"Referer": "https://eoffice.tinh.gov.vn/vanphong/login"}
PASSWORD = "matkhau123"
USER_AGENT = "eoffice-production-test/1.0"  # a session is bound to the browser that opened it


def readme_production_block() -> str:
    """The shell block under README's "Running in production" heading."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Running in production", 1)[1]
    match = re.search(r"```sh\n(.*?)```", section, re.S)
    assert match, "README's production section has no sh block"
    return match.group(1)


def readme_commands() -> tuple[list[str], list[list[str]]]:
    """The variables README exports and the ``.venv/bin`` commands it runs, in order."""
    exported, commands = [], []
    for line in readme_production_block().splitlines():
        line = line.split("  #", 1)[0].strip()
        if line.startswith("export "):
            exported.append(line.split()[1].split("=", 1)[0])
        elif line.startswith(".venv/bin/"):
            words = shlex.split(line)
            words[0] = str(VENV_BIN / words[0].removeprefix(".venv/bin/"))
            commands.append(words)
    return exported, commands


class BehindTls(requests.Session):
    """The browser's side of the TLS proxy: it sends its ``Secure`` cookies, because for it
    the site is https; the test talks plain http to gunicorn on loopback, as nginx does."""

    def prepare_request(self, request: requests.Request) -> requests.PreparedRequest:
        cookies = "; ".join(f"{c.name}={c.value}" for c in self.cookies)
        if cookies:
            request.headers = {**(request.headers or {}), "Cookie": cookies}
        return super().prepare_request(request)


def browser_session() -> requests.Session:
    session = BehindTls()
    session.headers.update({**PROXY, "User-Agent": USER_AGENT})
    return session


@contextmanager
def background(command: list[str], env: dict[str, str], log: Path) -> Iterator[None]:
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    try:
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def flask(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([str(VENV_BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


class Api:
    """An integrator's client: a token per user, every request through the proxy hop."""

    def __init__(self, base: str, tokens: dict[str, str]) -> None:
        self.base, self.tokens = base, tokens

    def __call__(self, user: str, method: str, path: str, expect: int = 200,
                 **kwargs: Any) -> Any:
        response = requests.request(
            method, f"{self.base}/api/v1{path}", timeout=120,
            headers={**PROXY, "Authorization": f"Bearer {self.tokens[user]}"}, **kwargs)
        assert response.status_code == expect, (path, response.status_code, response.text[:500])
        kind = response.headers.get("Content-Type", "")
        return response.json() if kind.startswith("application/json") else response.content


@pytest.fixture()
def production_env(postgres_server_url: str, redis_url: str,  # noqa: F811
                   s3_server: S3Server, tmp_path: Path) -> dict[str, str]:
    """Every variable README exports, with this machine's services as the values."""
    redis = redis_url.rsplit("/", 1)[0] + "/7"  # its own Redis database: no other test's keys
    bucket = s3_server.make_bucket("production")
    secret = quote(s3_server.secret_key, safe="")
    values = {
        "EOFFICE_DATABASE_URL": create_database(postgres_server_url, "eoffice_production"),
        "EOFFICE_STORAGE_URL":
            f"s3://{s3_server.access_key}:{secret}@{s3_server.endpoint}/{bucket}?secure=false",
        "EOFFICE_REDIS_URL": redis,
        "EOFFICE_SECRET_KEY": "production-profile-" + os.urandom(16).hex(),
        "EOFFICE_SECURE_COOKIES": "true",
        "EOFFICE_TRUSTED_PROXIES": "1",
        "EOFFICE_PKI_DIR": str(tmp_path / "pki"),
    }
    exported, _ = readme_commands()
    assert set(exported) <= set(values), f"README exports what the test does not set: {exported}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("EOFFICE_")}
    env.update(values)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def test_the_readme_production_profile_runs_a_working_office(
    production_env: dict[str, str], tmp_path: Path
) -> None:
    pdfsig = require_executable("pdfsig", "Debian package poppler-utils")
    env = production_env
    _, commands = readme_commands()
    setup = [c for c in commands if "gunicorn" not in c[0] and "worker" not in c]
    web = [c for c in commands if "gunicorn" in c[0]]
    worker = [c for c in commands if "worker" in c]
    assert len(web) == 2 and len(worker) == 1, commands
    for command in setup:  # the migration, exactly as README writes it
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
    flask(env, "seed-demo")
    tokens = {name: flask(env, "tokens", "create", name, "--name", "kiểm thử").split()[-1]
              for name in ("vanthu", "chuyenvien", "truongphong", "chutich")}

    def bound(command: list[str]) -> Any:
        # README binds 127.0.0.1:5001 and :5002; the test gives each a free port instead.
        return lambda port: [re.sub(r"127\.0\.0\.1:\d+", f"127.0.0.1:{port}", word)
                             for word in command]

    with ExitStack() as stack:
        stack.enter_context(background(worker[0], env, tmp_path / "worker.log"))
        first = stack.enter_context(serving(bound(web[0]), env))
        second = stack.enter_context(serving(bound(web[1]), env))
        _log_in_through_the_proxy(first)
        api = Api(first, tokens)
        _register_incoming(api)
        issued = _draft_sign_and_issue(api, tmp_path)
        checked = subprocess.run([pdfsig, "-nocert", str(issued)], capture_output=True,
                                 text=True, timeout=60)
        assert checked.stdout.count("Signature is Valid") == 2, checked.stdout
        _meeting_event_crosses_processes(first, second, Api(first, tokens))


def _log_in_through_the_proxy(base: str) -> None:
    browser = browser_session()
    page = browser.get(f"{base}/login", timeout=10)
    assert page.status_code == 200
    answer = browser.post(f"{base}/login", allow_redirects=False, timeout=10, headers=REFERER,
                          data={"username": "vanthu", "password": PASSWORD,
                                "csrf_token": csrf_token_from(page.text)})
    assert answer.status_code == 302, answer.text[:500]
    # The proxy's path prefix is kept in links, and the session cookie is https-only.
    assert answer.headers["Location"].startswith("/vanphong/"), answer.headers["Location"]
    assert "Secure" in answer.headers["Set-Cookie"]
    home = browser.get(f"{base}/my-work", timeout=10)
    assert home.status_code == 200 and "Đăng xuất" in home.text


def _register_incoming(api: Api) -> None:
    created = api("vanthu", "POST", "/documents/incoming", 201, data={
        "subject": "Về việc báo cáo kết quả chuyển đổi số năm 2026",
        "organ_name": "Bộ Thông tin và Truyền thông", "organ_id": "000.00.00.G26",
        "code_number": "412", "code_notation": "BTTTT-CĐSQG", "type_code": "",
        "issued_date": "20/11/2026", "signer_full_name": "Nguyễn Văn A",
        "signer_position": "Thứ trưởng", "urgency": "0", "secrecy": "0"},
        files={"file": ("cong-van-412.pdf", make_pdf(2), "application/pdf")})
    # The next number of the yearly series (the living demo registered its own before).
    assert created["state"] == "REGISTERED" and created["arrival_number"] > 1, created


def _draft_sign_and_issue(api: Api, tmp_path: Path) -> Path:
    ids = {name: api(name, "GET", "/me")["id"] for name in api.tokens}
    draft = api("chuyenvien", "POST", "/documents/outgoing", 201, data={
        "subject": "Về việc triển khai tiếp nhận hồ sơ trực tuyến", "type_code": "",
        "reviewer_id": ids["truongphong"], "checker_id": ids["vanthu"],
        "signer_id": ids["chutich"], "addressees": "Các sở, ban, ngành tỉnh",
        "body": "Ủy ban nhân dân tỉnh đề nghị các đơn vị triển khai tiếp nhận hồ sơ."})
    document = draft["id"]
    for user, action in (("truongphong", "approve_content"), ("vanthu", "approve_format"),
                         ("chutich", "approve")):
        api(user, "POST", f"/documents/{document}/actions/{action}", json={"note": "Đồng ý"})
    # The worker renders the draft (warm converter) without anyone waiting on it.
    deadline = time.monotonic() + 120
    while True:
        versions = api("chutich", "GET", f"/documents/{document}")["versions"]
        if any(v["kind"] == "converted" for v in versions):
            break
        assert time.monotonic() < deadline, f"the worker never rendered the draft: {versions}"
        time.sleep(0.5)
    api("chutich", "POST", f"/documents/{document}/actions/sign", json={"pin": PIN})
    api("vanthu", "POST", f"/documents/{document}/actions/number", json={})
    api("vanthu", "POST", f"/documents/{document}/actions/org_sign", json={"pin": PIN})
    issued = api("vanthu", "POST", f"/documents/{document}/actions/issue", json={})
    assert issued["state"] == "ISSUED"
    last = max(v["number"] for v in issued["versions"])
    path = tmp_path / "issued.pdf"
    path.write_bytes(api("vanthu", "GET", f"/documents/{document}/versions/{last}/content"))
    return path


def _socket(base: str, username: str) -> tuple[socketio.Client, list[tuple[str, Any]]]:
    browser = browser_session()
    page = browser.get(f"{base}/login", timeout=10)
    answer = browser.post(f"{base}/login", allow_redirects=False, timeout=10, headers=REFERER,
                          data={
        "username": username, "password": PASSWORD, "csrf_token": csrf_token_from(page.text)})
    assert answer.status_code == 302
    events: list[tuple[str, Any]] = []
    # The page's origin as the browser sends it: https (TLS ends at the proxy) on the Host the
    # proxy passes on (this one keeps the address it dials). gunicorn's gevent worker takes
    # https from X-Forwarded-Proto sent by 127.0.0.1, and Engine.IO's same-origin check
    # compares with it; websocket-client would say http://.
    origin = "https://" + urlsplit(base).netloc
    client = socketio.Client(websocket_extra_options={"origin": origin})
    client.on("*", lambda event, data: events.append((event, data)), namespace="/meeting")
    cookie = "; ".join(f"{c.name}={c.value}" for c in browser.cookies)
    client.connect(base, namespaces=["/meeting"], transports=["websocket"],
                   headers={"Cookie": cookie, "User-Agent": USER_AGENT, **PROXY})
    return client, events


def _meeting_event_crosses_processes(first: str, second: str, api: Api) -> None:
    meetings = api("chutich", "GET", "/meetings")["items"]
    # The meeting to try at once (the living demo has past and upcoming ones beside it).
    demo = [m for m in meetings if m["title"] == DEMO_TITLE]
    assert demo, "the demo has a meeting"
    meeting_id = demo[0]["id"]
    chair, _ = _socket(first, "chutich")
    member, seen = _socket(second, "truongphong")
    try:
        def call(client: socketio.Client, event: str, payload: Any = None) -> Any:
            reply = client.call(event, payload or {}, namespace="/meeting", timeout=15)
            assert reply["ok"], (event, reply)
            return reply

        call(chair, "join", {"meeting_id": meeting_id})
        call(member, "join", {"meeting_id": meeting_id})
        call(chair, "open")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not any(e == "change" for e, _ in seen):
            time.sleep(0.05)
        changes = [data for event, data in seen if event == "change"]
        assert changes, "the chair's act on one process never reached the member on the other"
    finally:
        chair.disconnect()
        member.disconnect()
