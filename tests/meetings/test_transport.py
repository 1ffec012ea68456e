"""The WebSocket transport under the servers production uses: gunicorn's ``gevent`` worker
(README) and gevent's pywsgi (``python wsgi.py``), both through simple-websocket.

Each runs ``tests/meetings/websocket_probe_app.py`` in a process of its own; a real WebSocket
client connects, and the server reports on the socket simple-websocket itself holds for that
connection: TCP_NODELAY set (``meetings.transport.NoDelay``: small live frames must not wait
for a delayed ACK) and every write through the direct-send frame writer
(``eoffice.realtime.direct_send``: one order for all writes to a connection).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
import websocket  # websocket-client: not the server's own library on both ends

from bench.write_burst import serving

VENV_BIN = Path(sys.executable).parent
APP = "tests.meetings.websocket_probe_app:app"
PYWSGI = """
from gevent import monkey
monkey.patch_all()
import sys
from gevent import pywsgi
from tests.meetings.websocket_probe_app import app
pywsgi.WSGIServer(("127.0.0.1", int(sys.argv[1])), app, log=None).serve_forever()
"""


def gunicorn(port: int) -> list[str]:
    """README's production command, with the probe app."""
    return [str(VENV_BIN / "gunicorn"), "-k", "gevent", "-w", "1", "-b",
            f"127.0.0.1:{port}", "--log-level", "warning", APP]


def pywsgi(port: int) -> list[str]:
    """What Flask-SocketIO's ``run`` serves under gevent without gevent-websocket."""
    return [sys.executable, "-c", PYWSGI, str(port)]


@contextmanager
def connected(base: str) -> Iterator[websocket.WebSocket]:
    """A WebSocket straight to Engine.IO, as a browser opens it, open until the block ends."""
    url = base.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    client = websocket.create_connection(url, timeout=10)
    try:
        opening = client.recv()
        assert opening.startswith("0{"), opening  # Engine.IO's open packet
        yield client
    finally:
        client.close()


def probe(command: Callable[[int], list[str]], **env: str) -> dict[str, Any]:
    with serving(command, {**os.environ, **env}) as base, connected(base):
        answer = requests.get(f"{base}/probe", timeout=10)
    answer.raise_for_status()
    result: dict[str, Any] = answer.json()
    return result


@pytest.mark.parametrize("command", [gunicorn, pywsgi], ids=["gunicorn-gevent", "pywsgi"])
def test_a_websocket_has_nodelay_and_all_its_writes_in_one_order(
    command: Callable[[int], list[str]],
) -> None:
    assert probe(command) == {"direct_send": True,
                              "connections": [{"nodelay": True, "ordered": True}]}


def test_without_nodelay_pywsgi_leaves_nagle_on() -> None:
    """The control: the probe sees the difference, and pywsgi does not set it by itself
    (gunicorn sets it on its listening socket, which accepted sockets inherit)."""
    assert probe(pywsgi, EOFFICE_PROBE_NODELAY="0")["connections"] == [
        {"nodelay": False, "ordered": True}]
