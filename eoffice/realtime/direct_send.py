"""Write each outgoing Socket.IO packet straight to its WebSocket, not through a greenlet.

python-engineio gives every connection a queue and a writer greenlet, and simple-websocket
frames each message with wsproto: a page change sent to 500 participants is 500 queue puts,
500 greenlet switches, 500 timeouts armed and cancelled and 500 wsproto encodings before the
first byte leaves. Writing the same frame bytes with one non-blocking ``send`` each takes a
few µs per participant (``bench/meeting_fanout.py`` shows the effect end to end).

Why it is safe under gevent: a greenlet is never interrupted between two statements unless
it waits, and nothing here waits. Every write to a connection — the direct ones from
:func:`_send`, the writer greenlet's (queued packets, upgrade probes) and simple-websocket's
own (pong, the closing handshake) — goes through that connection's :class:`FrameWriter`,
which sends in arrival order: simple-websocket writes only with ``self.sock.send``, and its
``sock`` becomes an :class:`OrderedSocket` for the connection's life. A packet is only written
directly when nothing is queued for the connection, so it cannot overtake an earlier one.
When a connection cannot take a whole frame (a slow tablet, a full socket buffer), the rest
waits in its backlog, flushed by its own greenlet, and the other participants are not held
up; a connection whose backlog passes ``MAX_BACKLOG`` is dropped (its client reconnects and
gets a snapshot). When a connection ends, its socket is closed (by gunicorn as the handler
returns, by simple-websocket's reading greenlet once the client has gone): what a slow reader
still had in its backlog (the closing frames) is lost, where the stock writer would wait for
it, possibly for ever on a stuck client; the client notices the closed connection either way.

A frame is whole or not sent: simple-websocket's own writes (``sock.send``, whose count it
ignores) could leave half a frame on a full socket; through the writer they cannot.

Direct frames are never compressed, even where the client negotiated permessage-deflate
(browsers do): RFC 7692 lets each message say whether it is compressed (RSV1), and an
uncompressed message does not touch either side's compression window, so the messages
simple-websocket still compresses stay decodable.

Every sender must be a greenlet of the hub's thread (Flask-SocketIO's gevent mode: handlers,
background tasks, the Redis listener); ``install`` refuses an unpatched process.

Only plain TCP connections served through simple-websocket in a monkey-patched process take
this path (gunicorn's ``gevent`` worker, gevent's pywsgi under ``python wsgi.py``); anything
else (threading mode, TLS terminated by gevent, polling) keeps the stock one.
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
#: Relies on ``simple_websocket.Server`` writing only through ``self.sock.send`` (and keeping
#: its connection state in ``connected``) in this release.
WRITTEN_FOR_WEBSOCKET = WrittenFor("simple-websocket", "1.1.0")
MAX_BACKLOG = 8 * 1024 * 1024  # bytes a connection may fall behind before it is dropped
_WRITER = "_eoffice_frame_writer"
_WEBSOCKET = "_eoffice_websocket"


def frame(message: str | bytes) -> bytes:
    """One unmasked, final, uncompressed WebSocket frame (RFC 6455 §5.2) carrying ``message``."""
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
        """Send ``data`` after everything written before it; never waits.

        Raises ``BrokenPipeError`` once the connection cannot be written (closed, reset,
        dropped): the error simple-websocket's ``close`` expects from a closed socket.
        """
        if self.broken:
            raise BrokenPipeError("connection closed")
        if self._backlog:
            self._queue(data)
            return
        try:
            sent = self._os_send(data)
        except BlockingIOError:
            sent = 0
        except OSError as error:
            self.broken = True
            raise BrokenPipeError(str(error)) from error
        if sent < len(data):
            self._queue(data[sent:])
            import gevent

            gevent.spawn(self._flush)

    def _queue(self, data: bytes) -> None:
        self._backlog.append(data)
        self._backlog_bytes += len(data)
        if self._backlog_bytes > MAX_BACKLOG:
            self._drop()
            raise BrokenPipeError("reader too far behind: connection dropped")

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


class OrderedSocket:
    """The socket simple-websocket is given: reads from the connection, writes through its
    :class:`FrameWriter`, so that its own frames keep their place among the direct ones."""

    def __init__(self, sock: Any, writer: FrameWriter) -> None:
        self._sock = sock
        self._writer = writer

    def send(self, data: bytes) -> int:
        self._writer.write(data)
        return len(data)  # all of it: what the socket did not take waits in the backlog

    def sendall(self, data: bytes) -> None:
        self._writer.write(data)

    def __getattr__(self, name: str) -> Any:  # recv, close, fileno, settimeout…
        return getattr(self._sock, name)


def _plain_gevent_socket(ws: Any) -> Any | None:
    """The TCP socket under engineio's simple-websocket wrapper, or None if not that."""
    import simple_websocket
    from gevent import socket as gevent_socket
    from gevent import ssl as gevent_ssl

    server = getattr(ws, "ws", None)  # engineio's SimpleWebSocketWSGI keeps it as .ws
    if not isinstance(server, simple_websocket.Server):
        return None
    sock = getattr(server, "sock", None)
    if not isinstance(sock, gevent_socket.socket) or isinstance(sock, gevent_ssl.SSLSocket):
        return None
    if not hasattr(sock, "_sock"):
        return None
    return sock


def install() -> bool:
    """Route engineio's WebSocket writes through :class:`FrameWriter` (once per process).

    Returns whether the fast path is active: only in a gevent-patched process, where no two
    greenlets run at once, and only on the python-engineio and simple-websocket releases it
    was written for.
    """
    from gevent import monkey

    if not monkey.is_module_patched("threading") or not monkey.is_module_patched("socket"):
        return False
    if not WRITTEN_FOR.matches() or not WRITTEN_FOR_WEBSOCKET.matches():
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
        # simple-websocket frames everything else it sends (the writer greenlet's packets,
        # pongs, the closing handshake) and hands it to sock.send: all of it keeps one order.
        # Its reading greenlet has not run yet (nothing here waited): it reads this too.
        ws.ws.sock = OrderedSocket(sock, writer)
        setattr(self, _WEBSOCKET, ws.ws)
        setattr(self, _WRITER, writer)
        try:
            return stock_handler(self, ws)
        finally:
            setattr(self, _WRITER, None)
            setattr(self, _WEBSOCKET, None)

    def _send(self: Any, pkt: Any) -> None:
        writer: FrameWriter | None = getattr(self, _WRITER, None)
        # Only messages go direct. Pings, the closing packet and the rest keep the queue: the
        # writer greenlet gives up on a connection after ping_interval + ping_timeout without
        # a packet (and closes it), so the pings must keep reaching it.
        if (pkt.packet_type != MESSAGE or writer is None or not self.upgraded
                or self.upgrading or self.closed or self.queue.qsize()):
            stock_send(self, pkt)
            return
        if not getattr(self, _WEBSOCKET).connected:
            return  # a closing handshake was sent: no data frame may follow it (RFC 6455 §5.5.1)
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
