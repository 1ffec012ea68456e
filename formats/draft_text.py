"""What Appendix I prints from what the clerk typed (Decree 30/2020, thể thức).

Pure text rules used by :mod:`formats.drafting`, kept apart so each can be read and tested
alone:

* a công văn's trích yếu follows "V/v" — once, whether or not the clerk typed it;
* "Nơi nhận" lists one recipient a line ("- …;") and ends with one "- Lưu: …." line;
* names of bodies keep the clerk's line breaks;
* the short rules under the issuing body and the trích yếu are sized from the printed width of
  the line above them, estimated with Times New Roman Bold's advance widths (Liberation Serif,
  which LibreOffice substitutes, has the same metrics).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from formats.folding import fold_vi

__all__ = [
    "ARCHIVE_PREFIX",
    "bold_text_width",
    "name_lines",
    "recipient_lines",
    "subject_line",
    "wrapped_width",
]

ARCHIVE_PREFIX = "Lưu:"

_VV = re.compile(r"^\s*(?:v\s*/\s*v|về\s+việc(?=[\s.:]|$))[\s.:]*", re.IGNORECASE)
""""V/v", "V/V", "v/v", "V/v.", "V/v:" (even glued to the next word) or "Về việc" at the start
of a subject."""

_ARCHIVE = re.compile(r"^lưu(?:\s*:|\s+vt\b)", re.IGNORECASE)
"""A "Lưu: VT, …" line (also "Lưu VT, …" and any case) — not "Lưu hành nội bộ"."""

_ARCHIVE_HEAD = re.compile(r"^lưu\s*:?\s*", re.IGNORECASE)
_BULLET = re.compile(r"^[\s\-–—•+*]+")


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def subject_line(subject: str) -> str:
    """The line under a công văn's number: "V/v <subject>", with a "V/v" (any case, with a
    dot or colon) or "Về việc" the clerk already typed replaced by the one "V/v"."""
    rest = _VV.sub("", _nfc(subject).strip(), count=1).strip()
    return f"V/v {rest}" if rest else "V/v"


def recipient_lines(recipients: Iterable[str], archive_unit: str) -> list[str]:
    """The lines under "Nơi nhận:": "- <recipient>;" each, then the archive line last.

    The clerk's own "Lưu: …" line (in any case, anywhere in the list) is kept, moved to the
    end and closed with "."; only when there is none is "- Lưu: VT, <unit>." added.
    Bullets and closing punctuation typed by the clerk are not doubled.
    """
    lines: list[str] = []
    archive: list[str] = []
    for raw in recipients:
        text = _BULLET.sub("", _nfc(raw)).strip()
        if _ARCHIVE.match(text):
            text = _ARCHIVE_HEAD.sub(ARCHIVE_PREFIX + " ", text, count=1)
            archive.append("- " + text.rstrip(" ;,.") + ".")
        elif text.rstrip(" ;,."):
            lines.append("- " + text.rstrip(" ;,.") + ";")
    if not archive:
        unit = archive_unit.strip(" ,.")
        archive.append(f"- {ARCHIVE_PREFIX} VT, {unit}." if unit else f"- {ARCHIVE_PREFIX} VT.")
    return lines + archive


#: Bodies whose kind is printed on a line of its own above the place, as every one of their
#: documents does ("ỦY BAN NHÂN DÂN" / "TỈNH HÒA BÌNH"): four words, compared without marks.
BODY_KINDS = ("uy ban nhan dan", "hoi dong nhan dan")


def name_lines(name: str) -> list[str]:
    """A body's name as the clerk broke it into lines (spaces inside a line collapsed); a
    name she left on one line that starts with a people's committee or council is broken
    after its kind, as Appendix I headers print it."""
    lines = [" ".join(line.split()) for line in _nfc(name).splitlines() if line.strip()]
    if len(lines) == 1:
        words = lines[0].split()
        if len(words) > 4 and fold_vi(" ".join(words[:4])) in BODY_KINDS:
            return [" ".join(words[:4]), " ".join(words[4:])]
    return lines


# Advance widths (1/1000 em) of Times New Roman Bold = Liberation Serif Bold, ASCII 32–126.
_BOLD_ASCII = (
    250, 333, 555, 500, 500, 1000, 833, 278, 333, 333, 500, 570, 250, 333, 250, 278, 500, 500,
    500, 500, 500, 500, 500, 500, 500, 500, 333, 333, 570, 570, 570, 500, 930, 722, 667, 722,
    722, 667, 611, 778, 778, 389, 500, 778, 667, 944, 722, 778, 611, 778, 722, 556, 667, 722,
    722, 1000, 722, 722, 667, 333, 278, 333, 581, 500, 333, 500, 556, 444, 556, 444, 333, 500,
    556, 278, 333, 556, 278, 833, 556, 500, 556, 556, 444, 389, 333, 556, 500, 722, 500, 500,
    444, 394, 220, 394, 520,
)
_BOLD_EXTRA = {"Đ": 722, "đ": 556, "Ơ": 778, "ơ": 554, "Ư": 796, "ư": 600, "\u00a0": 250}


def _bold_advance(char: str) -> int:
    if char in _BOLD_EXTRA:
        return _BOLD_EXTRA[char]
    marks = unicodedata.normalize("NFD", char)
    base = marks[0]  # tone marks and circumflexes do not add width; the horn of Ơ/Ư does
    if "\u031b" in marks:
        base = unicodedata.normalize("NFC", base + "\u031b")
    if base in _BOLD_EXTRA:
        return _BOLD_EXTRA[base]
    code = ord(base)
    return _BOLD_ASCII[code - 32] if 32 <= code <= 126 else 600


def bold_text_width(text: str, size: float) -> float:
    """Printed width in points of ``text`` set in Times New Roman Bold at ``size`` pt."""
    return sum(_bold_advance(c) for c in _nfc(text)) * size / 1000


def wrapped_width(text: str, size: float, available: float) -> float:
    """Width of the longest line once bold ``text`` is wrapped at spaces into ``available``
    points (what a centred paragraph of that width shows)."""
    widest = line = 0.0
    space = bold_text_width(" ", size)
    for word in text.split():
        width = bold_text_width(word, size)
        if line and line + space + width > available:
            widest, line = max(widest, line), width
        else:
            line = line + space + width if line else width
    return min(max(widest, line), available)
