"""Replacements of third-party internals: pinned to the release they were written for, off
(with the stock path) on any other, and equivalent to what they replace."""

from __future__ import annotations

import io
import logging
from importlib.metadata import version

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfStreamError

from eoffice.realtime import direct_send, socket_queue
from eoffice.realtime.patches import WrittenFor
from eoffice.signing_keys import trust
from signing import _speedups


@pytest.mark.parametrize("written_for", [
    WrittenFor(*_speedups.WRITTEN_FOR), direct_send.WRITTEN_FOR,
    direct_send.WRITTEN_FOR_WEBSOCKET, socket_queue.WRITTEN_FOR, trust.SAMPLE_SHARING_WRITTEN_FOR,
], ids=lambda w: w.distribution)
def test_each_replacement_was_written_for_the_installed_release(written_for: WrittenFor) -> None:
    """Fails on an upgrade: review the replacement against the new release, then move
    WRITTEN_FOR (until then the app runs the library's stock path)."""
    assert version(written_for.distribution) == written_for.version


def test_another_release_keeps_the_stock_path_and_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    other = WrittenFor("python-engineio", "0.0.1")
    with caplog.at_level(logging.WARNING):
        assert other.matches() is False
    assert "stays off" in caplog.text
    # A client manager built while the guard fails is the library's own.
    original = socket_queue.WRITTEN_FOR
    socket_queue.WRITTEN_FOR = other
    try:
        manager = socket_queue.client_manager("redis://127.0.0.1:1/0")
    finally:
        socket_queue.WRITTEN_FOR = original
    assert type(manager) is socket_queue.socketio.RedisManager


def test_speedups_install_only_on_their_pyhanko(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(generic, "read_hex_string_from_stream", _speedups.STOCK_READER)
    monkeypatch.setattr(_speedups, "WRITTEN_FOR", ("pyhanko", "0.0.1"))
    assert _speedups.install() is False
    assert generic.read_hex_string_from_stream is _speedups.STOCK_READER
    monkeypatch.setattr(_speedups, "WRITTEN_FOR", ("pyhanko", version("pyhanko")))
    assert _speedups.install() is True
    assert generic.read_hex_string_from_stream is _speedups.read_hex_string_from_stream


HEX_INPUTS = [
    b"<48656C6C6F>", b"<48656c6c6f> trailing", b"<>", b"<4>", b"<486>", b"<48 65\n6C\t6C\r6F>",
    b"<48\x006\f5>", b"<" + b"ab" * 40_000 + b">", b"<FEFF00480069>",  # UTF-16 text string
    b"<48 %comment with > inside\n 65>", b"<48%c\n>",
    b"<12G4>", b"<12 (x) 34>", b"<1234", b"<", b"<12<34>", b"<  ",
]


def _read(reader: object, data: bytes) -> tuple[str, object, int]:
    stream = io.BytesIO(data)
    try:
        value = reader(stream)  # type: ignore[operator]
    except PdfStreamError:
        return ("error", None, -1)
    return (type(value).__name__, bytes(value.original_bytes), stream.tell())


@pytest.mark.parametrize("data", HEX_INPUTS, ids=lambda d: repr(d[:24]))
def test_fast_hex_reader_agrees_with_pyhankos_on_every_input(data: bytes) -> None:
    """Same string object type, bytes and stream position, or both refuse."""
    assert _read(_speedups.read_hex_string_from_stream, data) == _read(
        _speedups.STOCK_READER, data)
