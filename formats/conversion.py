"""DOCX → PDF with LibreOffice (the PDF is what leaders sign and clerks issue): the entry point.

``convert_docx_to_pdf(data)`` and ``default_converter()`` are what the app calls. The process-wide
converter is a :class:`~formats.warm_converter.WarmConverter` (LibreOffice kept running behind
unoserver, ≈0.1 s a draft), started on the first conversion and stopped at exit; it falls back
by itself to one ``soffice`` run per document (:class:`~formats.oneshot.Converter`, ≈1 s) when
the warm server cannot start. ``EOFFICE_CONVERTER=oneshot`` skips the warm server altogether
(``warm`` is the default).

Every converter has ``docx_to_pdf(data: bytes) -> bytes`` and raises :class:`ConversionError`
with a message for users; the input is checked to be a DOCX and the output a complete PDF.
"""

from __future__ import annotations

import atexit
import os
import threading

from formats.oneshot import ConversionError, Converter, check_docx, is_complete_pdf
from formats.warm_converter import WarmConverter

__all__ = [
    "CONVERTER_MODES",
    "ConversionError",
    "Converter",
    "WarmConverter",
    "check_docx",
    "convert_docx_to_pdf",
    "default_converter",
    "is_complete_pdf",
    "warm_up_in_background",
]

#: Values of ``EOFFICE_CONVERTER``; the first is the default.
CONVERTER_MODES = ("warm", "oneshot")

_default: WarmConverter | Converter | None = None
_default_lock = threading.Lock()


def converter_mode(environ: dict[str, str] | None = None) -> str:
    """The mode ``EOFFICE_CONVERTER`` asks for; ValueError on anything but warm or oneshot."""
    value = (os.environ if environ is None else environ).get("EOFFICE_CONVERTER", "").strip()
    mode = value.lower() or CONVERTER_MODES[0]
    if mode not in CONVERTER_MODES:
        raise ValueError(f"EOFFICE_CONVERTER: expected one of {', '.join(CONVERTER_MODES)}, "
                         f"got {value!r}")
    return mode


def default_converter() -> WarmConverter | Converter:
    """The process-wide converter (one LibreOffice, conversions queued one after another)."""
    global _default
    with _default_lock:
        if _default is None:
            if converter_mode() == "warm":
                _default = WarmConverter()  # registers its own clean-up when it starts a server
            else:
                _default = Converter()
                atexit.register(_default.close)
        return _default


def convert_docx_to_pdf(data: bytes) -> bytes:
    """Convert DOCX bytes to PDF bytes with the process-wide converter."""
    return default_converter().docx_to_pdf(data)


def warm_up_in_background() -> None:
    """Start the default converter's LibreOffice now, in a background thread, so that the
    first document converted does not wait for it (unoserver takes about five seconds)."""
    import threading

    start = getattr(default_converter(), "start", None)
    if start is not None:
        threading.Thread(target=start, name="warm-converter", daemon=True).start()
