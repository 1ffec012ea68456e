"""One performance shim for pyHanko's PDF parser (same semantics, no new behaviour).

pyHanko reads hex strings one token at a time in Python.  Every signature's
``/Contents`` is a hex string of 10–40 kB, so validating a document with three
signatures spent ~40 % of its time there.  The replacement reads the string
in one slice and decodes it with :func:`binascii.unhexlify`, raising the same
``PdfStreamError`` on malformed input.  Applied once, on import of
:mod:`signing`.
"""

from __future__ import annotations

import binascii
import re

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfStreamError

_WS = b" \t\r\n\f\x00"
_HEX = re.compile(rb"[0-9A-Fa-f]*")
_CHUNK = 1 << 16


def read_hex_string_from_stream(stream):
    stream.read(1)  # the '<'
    start = stream.tell()
    parts = []
    consumed = 0
    while True:
        block = stream.read(_CHUNK)
        if not block:
            raise PdfStreamError("Unterminated hex string")
        end = block.find(b">")
        if end >= 0:
            parts.append(block[:end])
            consumed += end + 1
            break
        parts.append(block)
        consumed += len(block)
    stream.seek(start + consumed)
    data = b"".join(parts).translate(None, _WS)
    if not _HEX.fullmatch(data):
        bad = re.search(rb"[^0-9A-Fa-f]", data).group(0)
        raise PdfStreamError("Unexpected token in hex string: " + repr(bad))
    if len(data) % 2:
        data += b"0"
    return generic.pdf_string(binascii.unhexlify(data))


def install() -> None:
    if generic.read_hex_string_from_stream is not read_hex_string_from_stream:
        generic.read_hex_string_from_stream = read_hex_string_from_stream
