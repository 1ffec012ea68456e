"""The app served over real HTTP on a free loopback port: in a background thread (``serve``,
and ``served_demo`` for the seeded demo installation the browser tests drive) or as a process
of its own, as production runs it (``server_subprocess``)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from flask import Flask
from sqlalchemy import select
from werkzeug.serving import make_server

import meetings
from eoffice import signing_keys
from eoffice.accounts.models import User
from eoffice.demo import seed_demo
from eoffice.extensions import db
from tests.conftest import _wipe, make_app


@contextmanager
def serve(app: Flask) -> Iterator[str]:
    """Serve ``app`` (with its Socket.IO middleware) until the block ends; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def shared_pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo PKI for the whole run's browser tests: issuing its CAs and every demo user's
    certificate takes seconds, which each test would otherwise pay again."""
    return tmp_path_factory.getbasetemp() / "pki-browser"


@contextmanager
def served_demo(database_url: str, instance: Path, *, pki_dir: Path | None = None,
                with_meetings: bool = False) -> Iterator[tuple[Flask, str]]:
    """The demo installation (``seed_demo``) in ``instance``, served until the block ends;
    yields the app and its base URL, and empties the database afterwards.

    With ``pki_dir`` the demo users' signing credentials are issued from that PKI, so leaders
    and clerks can sign; ``with_meetings`` adds the meetings module (its pages and Socket.IO).
    """
    overrides = {} if pki_dir is None else {"pki_dir": str(pki_dir)}
    application = make_app(instance, database_url, **overrides)
    if with_meetings:
        meetings.init_app(application)
    with application.app_context():
        seed_demo()
        if pki_dir is not None:
            signing_keys.ensure_demo_credentials(list(db.session.execute(select(User)).scalars()))
        db.session.remove()
    try:
        with serve(application) as base_url:
            yield application, base_url
    finally:
        _wipe(application)


@pytest.fixture()
def live(database_url: str, tmp_path: Path) -> Iterator[tuple[Flask, str]]:
    """The demo installation served over HTTP, for browser tests that sign nothing."""
    with served_demo(database_url, tmp_path) as served:
        yield served


@contextmanager
def server_subprocess(command: list[str], port: int, cwd: Path) -> Iterator[str]:
    """Run ``command`` (a server listening on ``port``) until its health check answers; yield
    its base URL and stop it when the block ends. A server that dies or never answers fails
    the test with the end of its output."""
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{base_url}/api/v1/health", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                output = process.stdout.read() if process.stdout else ""
                pytest.fail(f"server process did not start: {output[-2000:]}")
            time.sleep(0.1)
        yield base_url
    except BaseException:
        # The test failed while the server ran: its own log says why (a 500's traceback).
        _stop(process)
        output = process.stdout.read() if process.stdout else ""
        print(f"--- output of {' '.join(command[:4])}:\n{output[-6000:]}", file=sys.stderr)
        raise
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
