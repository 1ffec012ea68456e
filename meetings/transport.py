"""TCP_NODELAY on the sockets that carry Socket.IO: small live messages must not wait.

A live session sends many small frames (a page change, an acknowledgement, a vote count)
back to back on each connection. With Nagle's algorithm on, a frame written while the
previous one is unacknowledged waits for the peer's delayed ACK (tens of milliseconds on
Linux), which is the whole latency budget of a page change. Node's ``ws`` disables Nagle;
gevent's pywsgi and werkzeug's server do not (gunicorn does, on its listening socket), so the
WSGI layer does it for WebSocket requests.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Callable, Iterable
from typing import Any

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _raw_socket(environ: dict[str, Any]) -> socket.socket | None:
    """The connection's socket, where each server we run under keeps it (the same places
    simple-websocket looks, so it is the socket the WebSocket will be served on)."""
    for key in ("gunicorn.socket", "werkzeug.socket"):  # gunicorn (production), werkzeug
        if key in environ:
            sock: socket.socket = environ[key]
            return sock
    # gevent's pywsgi (``python wsgi.py``): the socket under the request body's reader.
    reader = environ.get("wsgi.input")
    if not hasattr(reader, "raw") and hasattr(reader, "rfile"):
        reader = reader.rfile
    sock = getattr(getattr(reader, "raw", None), "_sock", None)
    return sock if hasattr(sock, "setsockopt") else None


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


def tune_gc() -> None:
    """Fewer, shorter garbage-collector pauses for a process serving live sessions.

    Call once after start-up. The start-up objects (modules, the app, SQLAlchemy's metadata)
    are frozen out of the collector's view, and automatic collections become rare: a full
    collection over the whole heap otherwise lands, now and then, in the middle of a page
    change and shows as a 100–300 ms spike at p99 (measured with ``bench/meeting_fanout.py``:
    N=500 p99 311 ms before, 57 ms after). Under gevent the collections themselves are then
    run while the process is idle (:func:`collect_when_idle`), so even a young-generation
    pass (several ms with a thousand connections) does not hold up a broadcast.
    """
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(AUTOMATIC_THRESHOLD, 50, 100)
    from gevent import monkey

    if monkey.is_module_patched("threading"):
        import gevent

        gevent.spawn(collect_when_idle)


AUTOMATIC_THRESHOLD = 50_000  # young objects: the backstop if the process is never idle
IDLE_YOUNG_LIMIT = 5_000  # young objects worth a pass while idle (≈1 ms)
IDLE_CHECK_SECONDS = 0.05


def collect_when_idle() -> None:
    """Run the collections the interpreter would run, but when the event loop has nothing to do.

    A live session is bursts (a page change reaching every participant) separated by quiet
    moments; a pass that starts in a quiet moment delays nobody. Generation by generation as
    CPython decides (a generation is collected once the younger one has been collected
    ``threshold`` times), so nothing accumulates.
    """
    import gc

    import gevent

    while True:
        gevent.sleep(IDLE_CHECK_SECONDS)
        gevent.idle()
        young, middle, old = gc.get_count()
        _, middle_limit, old_limit = gc.get_threshold()
        if old >= old_limit:
            gc.collect(2)
        elif middle >= middle_limit:
            gc.collect(1)
        elif young >= IDLE_YOUNG_LIMIT:
            gc.collect(0)
