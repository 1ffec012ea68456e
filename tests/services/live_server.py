"""The app served over real HTTP on a free loopback port: in a background thread (``serve``)
or as a process of its own, as production runs it (``server_subprocess``)."""

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
from werkzeug.serving import make_server


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
