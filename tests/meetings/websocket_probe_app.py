"""A bare Socket.IO server wrapped as meetings wraps the app (``NoDelay``), for transport tests.

Served by gunicorn's ``gevent`` worker (``gunicorn -k gevent`` with
``tests.meetings.websocket_probe_app:app``) or by gevent's pywsgi (what ``python wsgi.py``
runs). ``GET /probe`` answers, for every WebSocket connection open in this process, about
the socket as simple-websocket found it on its own: whether TCP_NODELAY is set on it, and
whether its writes go through the direct-send frame writer. ``EOFFICE_PROBE_NODELAY=0``
leaves ``NoDelay`` out (the control).
"""

from __future__ import annotations

import gc
import json
import os
import socket
from collections.abc import Callable, Iterable
from typing import Any

import simple_websocket
import socketio

from eoffice.realtime import direct_send
from meetings.transport import NoDelay

sio = socketio.Server(async_mode="gevent")
DIRECT_SEND = direct_send.install()  # as the app factory does (patches.install_all)


def probe(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    connections = [
        {"nodelay": server.sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0,
         "ordered": isinstance(server.sock, direct_send.OrderedSocket)}
        for server in gc.get_objects()
        if isinstance(server, simple_websocket.Server) and server.connected
    ]
    body = json.dumps({"direct_send": DIRECT_SEND, "connections": connections}).encode()
    start_response("200 OK", [("Content-Type", "application/json"),
                              ("Content-Length", str(len(body)))])
    return [body]


engine = socketio.WSGIApp(sio, probe)
app = engine if os.environ.get("EOFFICE_PROBE_NODELAY") == "0" else NoDelay(engine)
