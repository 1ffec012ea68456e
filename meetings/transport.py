"""TCP_NODELAY on the sockets that carry Socket.IO: small live messages must not wait.

A live session sends many small frames (a page change, an acknowledgement, a vote count)
back to back on each connection. With Nagle's algorithm on, a frame written while the
previous one is unacknowledged waits for the peer's delayed ACK (tens of milliseconds on
Linux), which is the whole latency budget of a page change. Node's ``ws`` disables Nagle;
gevent's and werkzeug's servers do not, so the WSGI layer does it for WebSocket requests.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Callable, Iterable
from typing import Any

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _raw_socket(environ: dict[str, Any]) -> socket.socket | None:
    websocket = environ.get("wsgi.websocket")  # gevent-websocket (production: gevent)
    if websocket is not None:
        handler = getattr(websocket, "handler", None)
        return getattr(handler, "socket", None)
    return environ.get("werkzeug.socket")  # werkzeug's server (threading mode)


class NoDelay:
    """WSGI middleware: set TCP_NODELAY on the connection of every WebSocket request."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("HTTP_UPGRADE", "").lower() == "websocket":
            raw = _raw_socket(environ)
            if raw is not None:
                # Not TCP (a Unix socket behind a proxy): nothing to do.
                with contextlib.suppress(OSError):
                    raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return self.app(environ, start_response)
