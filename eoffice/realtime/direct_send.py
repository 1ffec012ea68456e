"""Write each outgoing Socket.IO packet straight to its WebSocket, not through a greenlet.

python-engineio gives every connection a queue and a writer greenlet: a page change sent to
500 participants is 500 queue puts, 500 greenlet switches and 500 timeouts armed and
cancelled before the first byte leaves, about 30 µs per participant — most of the fan-out
budget. Writing the same frames with one non-blocking ``send`` each takes under 3 µs per
participant (``bench/meeting_fanout.py`` shows the effect end to end).

Why it is safe under gevent: a greenlet is never interrupted between two statements unless
it waits, and nothing here waits. Every write to a connection — the direct ones from
:func:`_send`, the writer greenlet's (queued packets, upgrade probes) and gevent-websocket's
own frames (pong, close) — goes through that connection's :class:`FrameWriter`, which sends
in arrival order. A packet is only written directly when nothing is queued for the
connection, so it cannot overtake an earlier one. When a connection cannot take a whole
frame (a slow tablet, a full socket buffer), the rest waits in its backlog, flushed by its
own greenlet, and the other participants are not held up; a connection whose backlog passes
``MAX_BACKLOG`` is dropped (its client reconnects and gets a snapshot). When the server ends a
connection, gevent closes the socket as the handler returns: what a slow reader still had in
its backlog (the closing frames) is lost, where the stock writer would wait for it, possibly
for ever on a stuck client; the client notices the closed connection either way.

Every sender must be a greenlet of the hub's thread (Flask-SocketIO's gevent mode: handlers,
background tasks, the Redis listener); ``install`` refuses an unpatched process.

Only plain TCP connections served by gevent-websocket in a monkey-patched process take this
path; anything else (threading mode, TLS terminated by gevent, polling) keeps the stock one.
"""

from __future__ import annotations

import contextlib
import socket
import struct
from collections import deque
from typing import Any

from eoffice.version_guard import WrittenFor

#: Replaces ``engineio.socket.Socket.send`` and ``_websocket_handler`` of this release.
WRITTEN_FOR = WrittenFor("python-engineio", "4.15.1")
MAX_BACKLOG = 8 * 1024 * 1024  # bytes a connection may fall behind before it is dropped
_WRITER = "_eoffice_frame_writer"


def frame(message: str | bytes) -> bytes:
    """One unmasked, final WebSocket frame (RFC 6455 §5.2) carrying ``message``."""
    if isinstance(message, str):
        payload, opcode = message.encode("utf-8"), 0x81  # FIN + text
    else:
        payload, opcode = bytes(message), 0x82  # FIN + binary
    size = len(payload)
    if size < 126:
        return bytes((opcode, size)) + payload
    if size < 65536:
        return struct.pack("!BBH", opcode, 126, size) + payload
    return struct.pack("!BBQ", opcode, 127, size) + payload


class FrameWriter:
    """Ordered, non-blocking writes to one connection, with a backlog for a slow reader."""

    def __init__(self, sock: Any) -> None:
        self._sock = sock  # gevent socket: sendall waits cooperatively
        # gevent keeps the OS socket non-blocking; its send returns at once, partly or not.
        self._os_send = sock._sock.send
        self._backlog: deque[bytes] = deque()
        self._backlog_bytes = 0
        self.broken = False

    def write(self, data: bytes) -> None:
        """Send ``data`` after everything written before it; never waits."""
        if self.broken:
            raise OSError("connection closed")
        if self._backlog:
            self._queue(data)
            return
        try:
            sent = self._os_send(data)
        except BlockingIOError:
            sent = 0
        except OSError:
            self.broken = True
            raise
        if sent < len(data):
            self._queue(data[sent:])
            import gevent

            gevent.spawn(self._flush)

    def _queue(self, data: bytes) -> None:
        self._backlog.append(data)
        self._backlog_bytes += len(data)
        if self._backlog_bytes > MAX_BACKLOG:
            self._drop()
            raise OSError("reader too far behind: connection dropped")

    def _flush(self) -> None:
        try:
            while self._backlog:
                chunk = self._backlog[0]
                self._sock.sendall(chunk)
                if self.broken:  # dropped while this chunk was on its way
                    return
                self._backlog.popleft()
                self._backlog_bytes -= len(chunk)
        except OSError:
            self._drop()

    def _drop(self) -> None:
        """Give up on a reader that does not keep up: its client reconnects for a snapshot."""
        self.broken = True
        self._backlog.clear()
        self._backlog_bytes = 0
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)


def _plain_gevent_socket(ws: Any) -> Any | None:
    """The TCP socket under engineio's gevent-websocket wrapper, or None if not that."""
    from gevent import socket as gevent_socket
    from gevent import ssl as gevent_ssl

    inner = getattr(ws, "_sock", None)  # geventwebsocket.websocket.WebSocket
    sock = getattr(getattr(inner, "handler", None), "socket", None)
    if not isinstance(sock, gevent_socket.socket) or isinstance(sock, gevent_ssl.SSLSocket):
        return None
    if not hasattr(sock, "_sock") or not hasattr(inner, "raw_write"):
        return None
    return sock


def install() -> bool:
    """Route engineio's WebSocket writes through :class:`FrameWriter` (once per process).

    Returns whether the fast path is active: only in a gevent-patched process, where no two
    greenlets run at once, and only on the python-engineio release it was written for.
    """
    from gevent import monkey

    if not monkey.is_module_patched("threading") or not monkey.is_module_patched("socket"):
        return False
    if not WRITTEN_FOR.matches():
        return False
    from engineio import socket as engineio_socket
    from engineio.packet import MESSAGE

    socket_class = engineio_socket.Socket
    if getattr(socket_class, "_eoffice_direct_send", False):
        return True
    stock_handler = socket_class._websocket_handler
    stock_send = socket_class.send

    def _websocket_handler(self: Any, ws: Any) -> Any:
        sock = _plain_gevent_socket(ws)
        if sock is None:
            return stock_handler(self, ws)
        writer = FrameWriter(sock)
        # gevent-websocket frames everything it sends (the writer greenlet's packets, pongs,
        # the closing frame) and hands it to raw_write: all of it now keeps one order.
        ws._sock.raw_write = writer.write
        setattr(self, _WRITER, writer)
        try:
            return stock_handler(self, ws)
        finally:
            setattr(self, _WRITER, None)

    def _send(self: Any, pkt: Any) -> None:
        writer: FrameWriter | None = getattr(self, _WRITER, None)
        # Only messages go direct. Pings, the closing packet and the rest keep the queue: the
        # writer greenlet gives up on a connection after ping_interval + ping_timeout without
        # a packet (and closes it), so the pings must keep reaching it.
        if (pkt.packet_type != MESSAGE or writer is None or not self.upgraded
                or self.upgrading or self.closed or self.queue.qsize()):
            stock_send(self, pkt)
            return
        if not self.check_ping_timeout():
            return
        try:
            writer.write(frame(pkt.encode()))
        except OSError:  # a dead or dropped connection: its reader closes the socket
            return
        self.server.logger.info("%s: Sending packet %s (direct)", self.sid, pkt.packet_type)

    socket_class._websocket_handler = _websocket_handler
    socket_class.send = _send
    socket_class._eoffice_direct_send = True
    return True
