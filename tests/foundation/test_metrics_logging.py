"""Structured logs and error reports: every request has an id (the proxy's X-Request-ID or a new
one) answered back and stamped on its JSON log lines; with EOFFICE_SENTRY_DSN an unhandled
error reaches a Sentry-compatible server (here a real HTTP server on loopback), with the
request id and without the user's cookie."""

from __future__ import annotations

import gzip
import io
import json
import logging
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
import sentry_sdk
from flask import Flask

from eoffice import request_log
from tests.conftest import make_app


def with_failing_route(app: Flask) -> Flask:
    def boom() -> str:
        raise RuntimeError("hỏng giữa chừng")

    app.add_url_rule("/boom", "boom", boom)
    return app


@pytest.fixture()
def log_lines() -> Iterator[io.StringIO]:
    """What the app's log handler writes, while the test runs."""
    handler = request_log.configure_logging("json")
    buffer = io.StringIO()
    previous = handler.setStream(buffer)  # type: ignore[attr-defined]
    try:
        yield buffer
    finally:
        handler.setStream(previous)  # type: ignore[attr-defined]


def entries(buffer: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


def test_request_id_goes_in_and_out_and_on_every_log_line(
    database_url: str, tmp_path: Path, log_lines: io.StringIO
) -> None:
    app = with_failing_route(make_app(tmp_path, database_url))
    client = app.test_client()
    given = client.get("/api/v1/health/live", headers={"X-Request-ID": "nginx-5f3a.01"})
    assert given.headers["X-Request-ID"] == "nginx-5f3a.01"
    fresh = client.get("/api/v1/health/live")
    assert re.fullmatch(r"[0-9a-f]{32}", fresh.headers["X-Request-ID"])
    forged = client.get("/api/v1/health/live", headers={"X-Request-ID": "a b\"<script>"})
    assert re.fullmatch(r"[0-9a-f]{32}", forged.headers["X-Request-ID"])
    failed = client.get("/boom", headers={"X-Request-ID": "req-boom"})
    assert failed.status_code == 500 and failed.headers["X-Request-ID"] == "req-boom"

    lines = entries(log_lines)
    access = [e for e in lines if e["logger"] == "eoffice.requests"]
    assert {"request_id": "nginx-5f3a.01", "path": "/api/v1/health/live", "status": 200,
            "method": "GET"}.items() <= access[0].items()
    assert access[1]["request_id"] == fresh.headers["X-Request-ID"]
    error = next(e for e in lines if e["level"] == "error")
    assert error["request_id"] == "req-boom"
    assert "RuntimeError: hỏng giữa chừng" in str(error["exception"])
    assert all(isinstance(e["time"], str) and e["time"].endswith("+00:00") for e in lines)


class Collector(BaseHTTPRequestHandler):
    """What a Sentry-compatible server receives (its store endpoint, answered 200)."""

    received: ClassVar[list[tuple[str, bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        Collector.received.append((self.path, body))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def sentry_server() -> Iterator[str]:
    Collector.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://publickey@127.0.0.1:{server.server_port}/42"
    finally:
        # The SDK is process-wide: later tests run without a client, as without a DSN.
        sentry_sdk.get_client().close()
        sentry_sdk.get_global_scope().set_client(None)
        server.shutdown()


def test_an_unhandled_error_reaches_the_sentry_compatible_server(
    database_url: str, tmp_path: Path, sentry_server: str
) -> None:
    app = with_failing_route(make_app(tmp_path, database_url, sentry_dsn=sentry_server))
    client = app.test_client()
    client.set_cookie("session", "secret-session-cookie")
    assert client.get("/boom", headers={"X-Request-ID": "req-sentry"}).status_code == 500
    sentry_sdk.flush(timeout=10)
    envelopes = [body for path, body in Collector.received if path == "/api/42/envelope/"]
    assert envelopes, Collector.received
    items = [json.loads(line) for body in envelopes for line in body.splitlines() if line]
    sent = json.dumps(items, ensure_ascii=False)
    assert "RuntimeError" in sent and "hỏng giữa chừng" in sent
    assert "req-sentry" in sent
    assert "secret-session-cookie" not in sent
    assert '"vars"' not in sent  # no local variables (a PIN, a password) leave the process


def test_without_a_dsn_nothing_is_initialised(database_url: str, tmp_path: Path) -> None:
    make_app(tmp_path, database_url)
    assert not sentry_sdk.get_client().is_active()
    assert logging.getLogger("eoffice").level == logging.INFO
