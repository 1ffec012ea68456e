"""One performance shim for pyHanko's PDF parser (same semantics, no new behaviour).

pyHanko reads hex strings one token at a time in Python.  Every signature's
``/Contents`` is a hex string of 10–40 kB, so validating a document with three
signatures spent ~40 % of its time there.  The replacement reads the string
in one slice and decodes it with :func:`binascii.unhexlify`, raising the same
``PdfStreamError`` on malformed input.  Installed explicitly (``signing.install_speedups``,
called by the eoffice app factory and the ``python -m signing`` command), never on import,
and only on the pyHanko release it was written for: any other keeps pyHanko's own reader.
"""

from __future__ import annotations

import binascii
import logging
import re
from importlib.metadata import version

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfStreamError

#: Replaces ``pyhanko.pdf_utils.generic.read_hex_string_from_stream`` of this release.
WRITTEN_FOR = ("pyhanko", "0.38.0")
STOCK_READER = generic.read_hex_string_from_stream

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
    data = b"".join(parts)
    if b"%" in data:
        # pyHanko skips comments inside hex strings (a '>' in one does not end the string);
        # such odd files take the stock path, so both readers agree on every input.
        stream.seek(start - 1)
        return STOCK_READER(stream)
    stream.seek(start + consumed)
    data = data.translate(None, _WS)
    if not _HEX.fullmatch(data):
        bad = re.search(rb"[^0-9A-Fa-f]", data).group(0)
        raise PdfStreamError("Unexpected token in hex string: " + repr(bad))
    if len(data) % 2:
        data += b"0"
    return generic.pdf_string(binascii.unhexlify(data))


def install() -> bool:
    """Use the fast reader (once per process); False, with a warning, on another pyHanko."""
    distribution, written_for = WRITTEN_FOR
    installed = version(distribution)
    if installed != written_for:
        logging.getLogger(__name__).warning(
            "pyHanko %s is installed; the hex-string reader was written for %s and stays off "
            "(stock reader, slower validation). Review signing/_speedups.py.",
            installed, written_for)
        return False
    generic.read_hex_string_from_stream = read_hex_string_from_stream
    return True
