"""Text pages rendered to a PDF with Pillow: meeting papers for the demo, without LibreOffice.

The demo meeting needs a multi-page PDF that participants open in the live view, and
``make run`` must work where LibreOffice is missing, so the paper is drawn here: A4 pages at
150 dpi in a Vietnamese-capable serif (Liberation Serif or DejaVu Serif), stored bilevel
(CCITT G4, about 30 KB a page). The text is an image, not selectable — enough for a demo paper.
Without any of those fonts Pillow's built-in font is used and the diacritics are dropped, so
the demo still gets a readable paper instead of a failed seed.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from formats.folding import strip_marks

DPI = 150
PAGE_WIDTH, PAGE_HEIGHT = round(21 / 2.54 * DPI), round(29.7 / 2.54 * DPI)  # A4
LEFT, RIGHT, TOP, BOTTOM = (round(cm / 2.54 * DPI) for cm in (3.0, 2.0, 2.0, 2.0))
FONT_DIRS = (
    Path("/usr/share/fonts/truetype/liberation2"),
    Path("/usr/share/fonts/truetype/liberation"),
    Path("/usr/share/fonts/truetype/dejavu"),
)
FONT_FILES = {  # per style of face: the file names tried in each folder, in order
    "regular": ("LiberationSerif-Regular.ttf", "DejaVuSerif.ttf"),
    "bold": ("LiberationSerif-Bold.ttf", "DejaVuSerif-Bold.ttf"),
    "italic": ("LiberationSerif-Italic.ttf", "DejaVuSerif-Italic.ttf"),
}

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


class Style(StrEnum):
    TITLE = "title"  # bold, centred, larger: the kind of paper ("BÁO CÁO")
    SUBTITLE = "subtitle"  # bold, centred: what it is about
    HEADING = "heading"  # bold, left: "I. ..."
    BODY = "body"  # justified-looking left text with a first-line indent
    NOTE = "note"  # italic, centred
    PAGE_BREAK = "page_break"  # the text is ignored


@dataclass(frozen=True)
class Block:
    text: str
    style: Style = Style.BODY


@dataclass(frozen=True)
class Letterhead:
    """The two-column heading of an administrative paper (Decree 30): issuer | national motto."""

    left: Sequence[str]
    right: Sequence[str]


@dataclass
class _Fonts:
    faces: dict[str, Font] = field(default_factory=dict)
    unicode: bool = True  # False: Pillow's own font, which has no Vietnamese letters

    def text(self, value: str) -> str:
        return value if self.unicode else _ascii_fold(value)


def _ascii_fold(value: str) -> str:
    """"Đường giao thông" → "Duong giao thong": readable where the font lacks the letters."""
    value = strip_marks(value.replace("–", "-").replace("—", "-"))
    return value.encode("ascii", "replace").decode("ascii")


def _points(size: float) -> int:
    return round(size * DPI / 72)


def _load_fonts(body_pt: float) -> dict[str, _Fonts]:
    """Fonts by role; the regular face decides whether real Vietnamese text can be drawn."""
    found: dict[str, Path] = {}
    for face, names in FONT_FILES.items():
        for name in names:
            path = next((d / name for d in FONT_DIRS if (d / name).is_file()), None)
            if path is not None:
                found[face] = path
                break
    sizes = {"title": body_pt + 2, "body": body_pt, "small": body_pt - 2}
    fonts: dict[str, _Fonts] = {}
    for role, size in sizes.items():
        if "regular" in found:
            faces: dict[str, Font] = {
                face: ImageFont.truetype(str(found.get(face, found["regular"])), _points(size))
                for face in FONT_FILES
            }
            fonts[role] = _Fonts(faces)
        else:
            default = ImageFont.load_default(_points(size))
            fonts[role] = _Fonts(dict.fromkeys(FONT_FILES, default), unicode=False)
    return fonts


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: Font, width: int,
          first_indent: int = 0) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        room = width - (first_indent if not lines else 0)
        if current and draw.textlength(candidate, font=font) > room:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


class _Pages:
    """Pages being drawn, with a cursor; a new page starts when the next line does not fit."""

    def __init__(self) -> None:
        self.images: list[Image.Image] = []
        self.y = 0
        self._new_page()

    def _new_page(self) -> None:
        self.images.append(Image.new("L", (PAGE_WIDTH, PAGE_HEIGHT), 255))
        self.draw = ImageDraw.Draw(self.images[-1])
        self.y = TOP

    def page_break(self) -> None:
        if self.y > TOP:
            self._new_page()

    def line(self, text: str, font: Font, *, x: int = LEFT, centre: bool = False,
             leading: float = 1.45) -> None:
        height = round(font.size * leading) if isinstance(font, ImageFont.FreeTypeFont) else 24
        if self.y + height > PAGE_HEIGHT - BOTTOM - height:  # keep room for the page number
            self._new_page()
        if centre:
            self.draw.text((x, self.y), text, font=font, fill=0, anchor="ma")
        else:
            self.draw.text((x, self.y), text, font=font, fill=0)
        self.y += height

    def gap(self, pixels: int) -> None:
        self.y += pixels


def text_pdf(blocks: Sequence[Block], *, title: str, footer: str,
             letterhead: Letterhead | None = None, body_pt: float = 13) -> bytes:
    """Render ``blocks`` onto A4 pages; every page ends with "<footer> — Trang n/m"."""
    fonts = _load_fonts(body_pt)
    body, heading, small = fonts["body"], fonts["title"], fonts["small"]
    pages = _Pages()
    text_width = PAGE_WIDTH - LEFT - RIGHT
    if letterhead is not None:
        left_width = text_width * 3 // 8  # Decree 30: the issuer narrower than the motto
        top = pages.y
        bottoms = []
        for x, width, lines, dated in (
            (LEFT + left_width // 2, left_width, letterhead.left, False),
            (LEFT + (text_width + left_width) // 2, text_width - left_width, letterhead.right,
             True),
        ):
            pages.y = top
            for number, text in enumerate(lines):
                face = small.faces["italic" if dated and number == len(lines) - 1 else "bold"]
                for line in _wrap(pages.draw, small.text(text), face, width - 20):
                    pages.line(line, face, x=x, centre=True, leading=1.3)
            bottoms.append(pages.y)
        pages.y = max(bottoms) + _points(body_pt)
    indent = _points(body_pt) * 2
    for block in blocks:
        if block.style == Style.PAGE_BREAK:
            pages.page_break()
            continue
        if block.style in (Style.TITLE, Style.SUBTITLE, Style.NOTE):
            fonts_for = heading if block.style == Style.TITLE else body
            face = fonts_for.faces["italic" if block.style == Style.NOTE else "bold"]
            for line in _wrap(pages.draw, fonts_for.text(block.text), face, text_width):
                pages.line(line, face, x=LEFT + text_width // 2, centre=True)
            pages.gap(_points(body_pt) // 2)
        elif block.style == Style.HEADING:
            pages.gap(_points(body_pt) // 3)
            for line in _wrap(pages.draw, body.text(block.text), body.faces["bold"], text_width):
                pages.line(line, body.faces["bold"])
        else:
            lines = _wrap(pages.draw, body.text(block.text), body.faces["regular"], text_width,
                          first_indent=indent)
            for number, line in enumerate(lines):
                pages.line(line, body.faces["regular"], x=LEFT + (indent if number == 0 else 0))
            pages.gap(_points(body_pt) // 4)
    total = len(pages.images)
    for number, image in enumerate(pages.images, start=1):
        ImageDraw.Draw(image).text(
            (PAGE_WIDTH // 2, PAGE_HEIGHT - BOTTOM),
            small.text(f"{footer} — Trang {number}/{total}"),
            font=small.faces["italic"], fill=0, anchor="ma",
        )
    bilevel = [image.convert("1", dither=Image.Dither.NONE) for image in pages.images]
    out = io.BytesIO()
    bilevel[0].save(out, "PDF", save_all=True, append_images=bilevel[1:], resolution=DPI,
                    title=title, producer="eoffice")
    return out.getvalue()
