"""Packets written straight to each WebSocket under gevent (``eoffice.realtime.direct_send``).

The test process is not monkey-patched, so the frame writer is exercised here over real
gevent TCP sockets, and the whole patched path end to end in a gevent server process of its
own, with a room full of real Socket.IO clients.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import gevent
import gevent.event
import gevent.selectors
import pytest
import simple_websocket
import socketio
from engineio.async_drivers.gevent import Thread as EngineioGeventThread
from flask import Flask
from gevent import socket as gsocket
from wsproto.frame_protocol import FrameDecoder, FrameProtocol

from eoffice.realtime import direct_send
from eoffice.realtime.direct_send import FrameWriter, OrderedSocket, frame
from tests.meetings.conftest import Prepared
from tests.meetings.test_official_clients import USER_AGENT, cookie_header, http_login
from tests.services.live_server import server_subprocess
from tests.services.redis import free_port

ROOT = Path(__file__).resolve().parents[2]
TEXT, BINARY, CLOSE = 0x1, 0x2, 0x8  # WebSocket opcodes (RFC 6455 §5.2)


# --------------------------------------------------------------------------- framing
def vietnamese(size: int) -> str:
    """Text of exactly ``size`` UTF-8 bytes, mostly three-byte letters (so fewer characters)."""
    text = "ệ" * (size // 3) + "a" * (size % 3)
    assert len(text.encode("utf-8")) == size
    return text


@pytest.mark.parametrize("size", [0, 125, 126, 65535, 65536])
def test_frames_are_byte_for_byte_what_simple_websocket_would_send(size: int) -> None:
    """The same bytes as wsproto's, which simple-websocket sends (uncompressed)."""
    text = vietnamese(size)
    if size >= 3:
        assert len(text) != size  # the length form must follow bytes, not characters
    server = FrameProtocol(client=False, extensions=[])
    assert frame(text) == bytes(server.send_data(text, fin=True))
    binary = bytes(i % 251 for i in range(size))
    assert frame(binary) == bytes(server.send_data(binary, fin=True))


def decode_frames(data: bytes) -> list[tuple[int, bytes]]:
    """Split a server's byte stream into (opcode, payload) with wsproto's own frame parser,
    as a client does (it refuses masked frames)."""
    decoder = FrameDecoder(client=True)
    decoder.receive_bytes(data)
    frames: list[tuple[int, bytes]] = []
    while (decoded := decoder.process_buffer()) is not None:
        assert decoded.frame_finished and decoded.message_finished, "truncated frame"
        frames.append((int(decoded.opcode), bytes(decoded.payload)))
    assert len(decoder.buffer) == 0, "bytes left after the last whole frame"
    return frames


# --------------------------------------------------------------------------- frame writer
@contextmanager
def tcp_pair(buffer_bytes: int) -> Iterator[tuple[gsocket.socket, gsocket.socket]]:
    """A connected (writing, reading) pair of gevent TCP sockets with small kernel buffers.

    Small buffers so that a reader who does not read fills them after a few kilobytes, as a
    tablet on a weak Wi-Fi does after a few page changes.
    """
    listener = gsocket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, buffer_bytes)  # inherited
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    writing = gsocket.socket()
    writing.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, buffer_bytes)
    writing.connect(listener.getsockname())
    reading, _ = listener.accept()
    listener.close()
    try:
        yield writing, reading
    finally:
        writing.close()
        reading.close()


def read_until(sock: gsocket.socket, size: int | None) -> bytes:
    """Read ``size`` bytes, or until end of stream when ``size`` is None."""
    chunks: list[bytes] = []
    received = 0
    while size is None or received < size:
        chunk = sock.recv(65536)
        if not chunk:
            break
        chunks.append(chunk)
        received += len(chunk)
    return b"".join(chunks)


def messages(count: int) -> list[str | bytes]:
    """Distinct Socket.IO-like messages of mixed sizes and kinds, a few MB in all."""
    out: list[str | bytes] = []
    for i in range(count):
        match i % 5:
            case 0:
                out.append(f'42/meeting,["change",{{"version":{i},"tiêu đề":"Họp giao ban"}}]')
            case 1:
                out.append(f"{i:08d}" + vietnamese(300))
            case 2:
                out.append(bytes([i % 256]) * 4_000)
            case 3:
                out.append(f"{i:08d}" + vietnamese(30_000))
            case _:
                out.append(i.to_bytes(4, "big") * 17_000)  # 68 kB: the 64-bit length form
    return out


def as_frames(sent: list[str | bytes]) -> list[tuple[int, bytes]]:
    return [(TEXT, m.encode("utf-8")) if isinstance(m, str) else (BINARY, m) for m in sent]


def test_slow_reader_gets_every_frame_in_order_and_writes_never_wait() -> None:
    sent = messages(200)
    total = sum(len(frame(m)) for m in sent)
    assert 2_000_000 < total < direct_send.MAX_BACKLOG  # far beyond what the kernel buffers
    with tcp_pair(16_384) as (writing, reading):
        writer = FrameWriter(writing)
        started = time.monotonic()
        # A write that waited would park this greenlet in the hub with nobody reading: the
        # timeout turns that hang into a failure.
        with gevent.Timeout(5, AssertionError("a write waited for the reader")):
            for message in sent[:100]:
                writer.write(frame(message))
            gevent.sleep(0.05)  # the backlog's own greenlet fills the socket, then waits
            for message in sent[100:]:
                writer.write(frame(message))
        assert time.monotonic() - started < 2
        assert not writer.broken

        reader = gevent.spawn(read_until, reading, total)
        with gevent.Timeout(20, AssertionError("the backlog was not delivered")):
            received = reader.get()
        assert decode_frames(received) == as_frames(sent)

        # Once caught up, the connection is written directly again and stays usable.
        writer.write(frame("Trang 7"))
        with gevent.Timeout(5):
            assert read_until(reading, len(frame("Trang 7"))) == frame("Trang 7")


def test_a_reader_too_far_behind_is_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    cap = 64 * 1024
    monkeypatch.setattr(direct_send, "MAX_BACKLOG", cap)
    frames = [frame(f'42/meeting,["change",{{"version":{i},"note":"{vietnamese(900)}"}}]')
              for i in range(2_000)]  # about 2 MB of page changes, far past the cap
    stream = b"".join(frames)
    with tcp_pair(16_384) as (writing, reading):
        writer = FrameWriter(writing)
        written = 0
        with pytest.raises(OSError):  # the write that takes the backlog past the cap
            for data in frames:
                writer.write(data)
                written += 1
        assert writer.broken
        with pytest.raises(OSError):
            writer.write(frame("sau khi ngắt"))
        # The peer is told: what the kernel had already taken, then end of stream (its
        # Socket.IO client reconnects and gets a fresh snapshot).
        with gevent.Timeout(5, AssertionError("the dropped connection was not shut down")):
            received = read_until(reading, None)
        assert received  # it was a connection that worked until it fell behind
        assert stream.startswith(received)  # nothing reordered, nothing from after the drop
        # Everything handed over but not taken by the kernel was the backlog: falling behind
        # by up to the cap is tolerated, and the frame that took it past the cap (its write
        # raised) cut the reader.
        behind = sum(len(f) for f in frames[:written + 1]) - len(received)
        assert behind - len(frames[written]) <= cap < behind


def test_simple_websockets_own_frames_keep_their_place_behind_a_backlog() -> None:
    """What simple-websocket writes itself (the writer greenlet's packets, the closing
    handshake, pongs) goes through the same writer: behind the direct frames a slow reader
    has not taken yet, never into the middle of one, and without waiting."""
    with tcp_pair(16_384) as (writing, reading):
        # The connection as engineio's gevent driver builds it under gunicorn.
        environ = {"gunicorn.socket": writing, "HTTP_HOST": "eoffice", "HTTP_UPGRADE":
                   "websocket", "HTTP_CONNECTION": "Upgrade", "HTTP_SEC_WEBSOCKET_VERSION": "13",
                   "HTTP_SEC_WEBSOCKET_KEY": "dGhlIHNhbXBsZSBub25jZQ=="}
        server = simple_websocket.Server(
            environ, thread_class=EngineioGeventThread, event_class=gevent.event.Event,
            selector_class=gevent.selectors.DefaultSelector)
        writer = FrameWriter(writing)
        server.sock = OrderedSocket(writing, writer)  # as direct_send's handler does
        gevent.sleep(0)  # its reading greenlet now waits for the client, as on a live connection
        sent = messages(60)  # about 1 MB: far beyond what the kernel buffers
        with gevent.Timeout(5, AssertionError("a write waited for the reader")):
            for message in sent:
                writer.write(frame(message))
            server.send("Trang cuối")
            server.close()
        own = FrameProtocol(client=False, extensions=[])
        expected = (b"".join(frame(m) for m in sent) + bytes(own.send_data("Trang cuối"))
                    + bytes(own.close(1000)))

        def read_response_and_frames() -> bytes:
            data = b""
            while b"\r\n\r\n" not in data:
                data += reading.recv(65536)
            response, _, body = data.partition(b"\r\n\r\n")
            assert response.startswith(b"HTTP/1.1 101 ")
            return body + read_until(reading, len(expected) - len(body))

        with gevent.Timeout(20, AssertionError("the backlog was not delivered")):
            received = gevent.spawn(read_response_and_frames).get()
        assert received == expected
        assert decode_frames(received) == [*as_frames(sent), (TEXT, "Trang cuối".encode()),
                                           (CLOSE, (1000).to_bytes(2, "big"))]


# --------------------------------------------------------------------------- install
def install_in_fresh_process(patch_gevent: bool, websocket_release: str | None = None) -> str:
    code = (
        ("from gevent import monkey; monkey.patch_all()\n" if patch_gevent else "")
        + "from engineio.socket import Socket\n"
        + "from eoffice.realtime import direct_send\n"
        + "from eoffice.realtime.direct_send import install\n"
        + (f"direct_send.WRITTEN_FOR_WEBSOCKET = direct_send.WrittenFor("
           f"'simple-websocket', {websocket_release!r})\n" if websocket_release else "")
        + "stock = Socket.send\n"
        + "print(install(), install(), Socket.send is stock)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=60, check=True)
    return result.stdout.strip()


def test_fast_path_is_installed_only_in_a_gevent_patched_process() -> None:
    assert install_in_fresh_process(True) == "True True False"
    assert install_in_fresh_process(False) == "False False True"


def test_fast_path_stays_off_on_another_simple_websocket_release() -> None:
    """It relies on how simple-websocket writes (only ``sock.send``): another release keeps
    the stock path until the replacement is reviewed."""
    assert install_in_fresh_process(True, websocket_release="0.0.1") == "False False True"


# --------------------------------------------------------------------------- end to end
# ``tests.meetings.server_process`` (gevent + simple-websocket, as `python wsgi.py` runs), with
# Engine.IO's own per-packet log written to a file, so that the test can tell which path
# each packet took: the fast path logs "Sending packet 4 (direct)" for a message, the stock
# queue logs "Sending packet MESSAGE data ...".
LAUNCHER = """
import logging, runpy, sys
from gevent import monkey
monkey.patch_all()
log_path = sys.argv.pop()
ping = int(sys.argv.pop())  # whole seconds: Engine.IO announces them in milliseconds
if ping:  # Engine.IO's heartbeat shortened, to see a connection through several of them
    from engineio import base_server
    stock_init = base_server.BaseServer.__init__
    def init(self, *args, **kwargs):
        stock_init(self, *args, **{**kwargs, "ping_interval": ping, "ping_timeout": ping})
    base_server.BaseServer.__init__ = init
logger = logging.getLogger("engineio.server")
logger.setLevel(logging.INFO)
logger.addHandler(logging.FileHandler(log_path, encoding="utf-8"))
runpy.run_module("tests.meetings.server_process", run_name="__main__")
"""


@contextmanager
def gevent_server(database_url: str, instance: Path, log_path: Path,
                  ping_seconds: int = 0) -> Iterator[str]:
    port = free_port()
    with server_subprocess(
        [sys.executable, "-c", LAUNCHER, str(port), database_url, str(instance), "-",
         "gevent", str(ping_seconds), str(log_path)], port, ROOT,
    ) as base_url:
        yield base_url


class Participant:
    """One tablet in the room: a Socket.IO client that records the changes it receives.

    Straight over a WebSocket, or (``upgrade``) long-polling first and then upgraded, as a
    browser behind a picky proxy does: the packets around the upgrade go through Engine.IO's
    queue and the rest directly, and must still keep one order.
    """

    def __init__(self, base_url: str, cookie: str, *, upgrade: bool = False) -> None:
        self.changes: list[dict[str, Any]] = []
        self.sio = socketio.Client()
        self.sio.on("change", self.changes.append, namespace="/meeting")
        self.sio.connect(base_url, namespaces=["/meeting"],
                         transports=["polling", "websocket"] if upgrade else ["websocket"],
                         headers={"Cookie": cookie, "User-Agent": USER_AGENT})

    def call(self, event: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        reply: dict[str, Any] = self.sio.call(event, payload or {}, namespace="/meeting",
                                              timeout=10)
        assert reply["ok"], (event, reply)
        return reply


PAGES = 30  # one burst within the chair's allowance (40 events at once per connection)
MEMBERS = ("phochutich", "truongphong", "chuyenvien", "vanthu", "thuky")  # invited
CONNECTIONS_PER_MEMBER = 4  # 20 tablets, and two more that upgrade from long-polling


def test_page_burst_reaches_every_tablet_complete_and_in_order_through_the_fast_path(
    mapp: Flask, prepared: Prepared, database_url: str, tmp_path: Path
) -> None:
    log_path = tmp_path / "engineio.log"
    with gevent_server(database_url, tmp_path / "server", log_path) as base_url:
        cookies = {name: cookie_header(http_login(base_url, name))
                   for name in ("chutich", *MEMBERS)}
        chair = Participant(base_url, cookies["chutich"])
        tablets = [Participant(base_url, cookies[name])
                   for name in MEMBERS for _ in range(CONNECTIONS_PER_MEMBER)]
        tablets += [Participant(base_url, cookies[name], upgrade=True)
                    for name in ("truongphong", "vanthu")]
        try:
            chair.call("join", {"meeting_id": prepared.meeting_id})
            chair.call("open")
            joined = [t.call("join", {"meeting_id": prepared.meeting_id})["snapshot"]["version"]
                      for t in tablets]
            assert set(joined) == {1}  # everyone saw the opening in the snapshot
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and any(
                    t.sio.transport() != "websocket" for t in tablets):
                time.sleep(0.05)
            assert {t.sio.transport() for t in tablets} == {"websocket"}

            # The chair flicks through the document without waiting for acknowledgements.
            acks: dict[int, int] = {}  # version -> page
            done = threading.Event()

            def acknowledged(page: int) -> Any:
                def record(reply: dict[str, Any]) -> None:
                    assert reply["ok"], reply
                    acks[reply["version"]] = page
                    if len(acks) == PAGES:
                        done.set()
                return record

            for page in range(1, PAGES + 1):
                chair.sio.emit("present", {"document_id": prepared.document_id, "page": page},
                               namespace="/meeting", callback=acknowledged(page))
            assert done.wait(15), f"only {len(acks)} of {PAGES} page changes acknowledged"
            assert sorted(acks) == list(range(2, PAGES + 2))
            assert set(acks.values()) == set(range(1, PAGES + 1))

            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and any(
                    len(t.changes) < PAGES for t in tablets):
                time.sleep(0.05)
            for index, tablet in enumerate(tablets):
                versions = [c["version"] for c in tablet.changes]
                assert versions == list(range(2, PAGES + 2)), (index, versions)
                pages = [c["patch"]["presenter"]["page"] for c in tablet.changes]
                assert pages == [acks[v] for v in versions], index
            last_page = acks[PAGES + 1]
            final = tablets[-1].call("snapshot")["snapshot"]
            assert final["presenter"] == {"document_id": prepared.document_id,
                                          "page": last_page}
            assert tablets[0].changes[-1]["patch"]["presenter"]["page"] == last_page
        finally:
            for participant in (chair, *tablets):
                participant.sio.disconnect()

    # The server's own log: every page change left through the fast path, none queued.
    log = log_path.read_text(encoding="utf-8")
    direct = log.count("Sending packet 4 (direct)")
    queued_changes = [line for line in log.splitlines()
                      if "Sending packet MESSAGE" in line and '["change"' in line]
    assert queued_changes == []
    assert direct >= (len(tablets) + 1) * PAGES


def test_a_quiet_connection_stays_open_through_heartbeats(
    mapp: Flask, prepared: Prepared, database_url: str, tmp_path: Path
) -> None:
    """A tablet left on one page for a long while still gets the next page and answers.

    Engine.IO's writer greenlet closes a connection that had nothing to send for
    ping_interval + ping_timeout, so the heartbeat must keep going through it; here the
    heartbeat is 1 s (the writer would give up after 2 s) and the tablet sits quiet for 5 s
    (production: 25 s and 45 s).
    """
    with gevent_server(database_url, tmp_path / "server", tmp_path / "engineio.log",
                       ping_seconds=1) as base_url:
        chair = Participant(base_url, cookie_header(http_login(base_url, "chutich")))
        tablet = Participant(base_url, cookie_header(http_login(base_url, "phochutich")))
        try:
            chair.call("join", {"meeting_id": prepared.meeting_id})
            chair.call("open")
            tablet.call("join", {"meeting_id": prepared.meeting_id})
            time.sleep(5)
            assert tablet.sio.connected
            version = chair.call("present", {"document_id": prepared.document_id,
                                             "page": 2})["version"]
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and not tablet.changes:
                time.sleep(0.05)
            assert [c["version"] for c in tablet.changes] == [version]
            assert tablet.call("snapshot")["snapshot"]["presenter"]["page"] == 2
        finally:
            for participant in (chair, tablet):
                participant.sio.disconnect()
