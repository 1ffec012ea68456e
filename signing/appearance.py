"""Visible signature appearances required by Decree 30/2020 (Appendix I).

* Leader: the handwritten-signature image (blue, transparent PNG) between the
  title lines ("KT. CHỦ TỊCH" / "PHÓ CHỦ TỊCH") and the printed name.
* Organisation on the main document: the red seal image at real size,
  overlapping about one third of the leader's image, on its left.  Its field is
  reserved when the leader signs (see :func:`seal_rect`), because a *new*
  visible field after a certification signature counts as a modification.
* Separate-file attachments: no image; at the top right of page 1 the number
  and notation and the signing time (ISO 8601, Vietnam time), Times-like 10 pt.

Text is drawn with an embedded subset of Liberation Serif (metric-compatible
with Times New Roman and with full Vietnamese coverage), so diacritics render
in every viewer.
"""

from __future__ import annotations

import functools
import io
import logging
import math
import os
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from PIL import Image, ImageDraw, ImageFont
from pyhanko.pdf_utils import content, layout
from pyhanko.pdf_utils.font import FontEngineFactory
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.stamp import BaseStamp, BaseStampStyle, TextStampStyle

__all__ = [
    "VN_TZ",
    "AttachmentAppearance",
    "LeaderAppearance",
    "SealAppearance",
    "demo_seal_png",
    "demo_signature_png",
    "find_font",
    "iso_vn",
    "leader_image_rect",
    "seal_rect",
]

VN_TZ = timezone(timedelta(hours=7), "ICT")
"""Vietnam has used UTC+07:00 without daylight saving since 1975."""

FONT_DIRS = ("/usr/share/fonts/truetype/liberation2", "/usr/share/fonts/truetype/liberation",
             "/usr/share/fonts/truetype/dejavu")
MM = 72 / 25.4
Rect = tuple[float, float, float, float]


def iso_vn(dt: datetime) -> str:
    """ISO 8601 in Vietnam time, to the second: ``2025-03-04T09:15:02+07:00``."""
    return dt.astimezone(VN_TZ).replace(microsecond=0).isoformat()


def find_font(bold: bool = False) -> str:
    """Times-like font with Vietnamese glyphs (Liberation Serif; DejaVu as fallback)."""
    names = (["LiberationSerif-Bold.ttf"] if bold else ["LiberationSerif-Regular.ttf"]) + [
        "DejaVuSerif-Bold.ttf" if bold else "DejaVuSerif.ttf",
        "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf",
    ]
    for d in FONT_DIRS:
        for n in names:
            p = os.path.join(d, n)
            if os.path.exists(p):
                return p
    raise FileNotFoundError("no font with Vietnamese glyphs: apt-get install fonts-liberation2")


# Unicode ranges kept in the prepared font: Latin, Vietnamese, punctuation, ₫.
_VN_UNICODES = (list(range(0x20, 0x7F)) + list(range(0xA0, 0x180)) + list(range(0x1A0, 0x1B1))
                + list(range(0x300, 0x324)) + list(range(0x1EA0, 0x1EFA))
                + list(range(0x2010, 0x2030)) + [0x20AB])


@functools.lru_cache(maxsize=4)
def vn_font_bytes(bold: bool = False) -> bytes:
    """Liberation Serif cut down to Latin + Vietnamese and rescaled to 1000 units/em.

    The rescaling is not cosmetic: pyHanko 0.38 writes glyph widths in font
    units, which is only correct for 1000-unit fonts; Liberation uses 2048 and
    would come out letter-spaced.  Done once per process (~0.2 s).
    """
    from fontTools import subset, ttLib
    from fontTools.ttLib.scaleUpem import scale_upem

    logging.getLogger("fontTools").setLevel(logging.ERROR)
    tt = ttLib.TTFont(find_font(bold))
    opts = subset.Options()
    opts.layout_features = ["*"]
    opts.name_IDs = ["*"]
    opts.notdef_outline = True
    opts.glyph_names = True
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=_VN_UNICODES)
    sub.subset(tt)
    if tt["head"].unitsPerEm != 1000:
        scale_upem(tt, 1000)
    buf = io.BytesIO()
    tt.save(buf)
    return buf.getvalue()


class VnFontFactory(FontEngineFactory):
    """pyHanko font engine factory for :func:`vn_font_bytes`."""

    def __init__(self, bold: bool = False, font_size: float = 10):
        self.bold = bold
        self.font_size = font_size

    def create_font_engine(self, writer, obj_stream=None) -> GlyphAccumulator:
        return vn_font_engine(writer, self.font_size, bold=self.bold, obj_stream=obj_stream)


def vn_font_engine(writer, font_size: float, *, bold: bool = False,
                   obj_stream=None) -> GlyphAccumulator:
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    return GlyphAccumulator(writer, io.BytesIO(vn_font_bytes(bold)), font_size=font_size,
                            obj_stream=obj_stream)


# --------------------------------------------------------------------------- specs
@dataclass(frozen=True)
class LeaderAppearance:
    """What the leader's visible signature shows.

    ``rect`` is ``(x1, y1, x2, y2)`` in PDF points on ``page`` (``-1`` = last
    page); by default a 200×130 pt block at the bottom right of the page.
    """

    name: str
    title: str
    image_png: bytes | None = None
    authority: str | None = None  # "KT. CHỦ TỊCH", "TM. ỦY BAN NHÂN DÂN", "TL. BỘ TRƯỞNG"...
    page: int = -1
    rect: Rect | None = None
    font_size: float = 11
    # False when the document itself prints the title above and the name below the signature
    # box (a Decree 30 draft does): the appearance is then the signature image alone.
    show_text: bool = True


@dataclass(frozen=True)
class SealAppearance:
    """The organisation's red seal, drawn at real size (default 36 mm)."""

    image_png: bytes
    diameter_mm: float = 36.0


@dataclass(frozen=True)
class AttachmentAppearance:
    """Text-only organisation signature on separate-file attachments."""

    number: str  # number and notation, e.g. "125/QĐ-UBND"
    org_name: str | None = None
    font_size: float = 10
    width: float = 190
    margin: float = 28


def default_leader_rect(page_box: Rect) -> Rect:
    _x1, y1, x2, _ = page_box
    return (x2 - 72 - 200, y1 + 100, x2 - 72, y1 + 230)


def _image_size(png: bytes | None) -> tuple[int, int]:
    if not png:
        return (3, 1)
    with Image.open(io.BytesIO(png)) as im:
        return im.size


def _leader_bands(rect: Rect, spec: LeaderAppearance) -> tuple[float, float]:
    """Heights of the top (authority + title) and bottom (name) text bands."""
    if not spec.show_text:
        return 0.0, 0.0
    line = spec.font_size * 1.25
    top = line * (2 if spec.authority else 1) + 2
    return top, line + 2


def leader_image_rect(rect: Rect, spec: LeaderAppearance) -> Rect:
    """Where the signature image lands on the page (aspect ratio kept, centred)."""
    x1, y1, x2, y2 = rect
    top, bottom = _leader_bands(rect, spec)
    area_w, area_h = x2 - x1 - 4, (y2 - y1) - top - bottom
    iw, ih = _image_size(spec.image_png)
    scale = min(area_w / iw, area_h / ih)
    w, h = iw * scale, ih * scale
    cx, cy = (x1 + x2) / 2, y1 + bottom + area_h / 2
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def seal_rect(image_rect: Rect, seal: SealAppearance) -> Rect:
    """The seal overlaps the left third of the leader's image (Decree 30, App. I)."""
    d = seal.diameter_mm * MM
    ix1, iy1, ix2, iy2 = image_rect
    right = ix1 + (ix2 - ix1) / 3
    cy = (iy1 + iy2) / 2
    return (right - d, cy - d / 2, right, cy + d / 2)


# --------------------------------------------------------------------------- stamps
class _Text:
    """Centred single lines with an embedded, subsetted TrueType font."""

    def __init__(self, stamp: BaseStamp, size: float, *, bold: bool = False,
                 name: str = "/FV"):
        self.size = size
        self.name = name
        self.engine = vn_font_engine(stamp.writer, size, bold=bold)
        stamp.set_resource(content.ResourceType.FONT, pdf_name(name), self.engine.as_resource())

    def line(self, text: str, x: float, y: float, *, align: str = "center",
             width: float = 0) -> bytes:
        shaped = self.engine.shape(text)
        w = shaped.x_advance * self.size
        if align == "center":
            x += (width - w) / 2
        elif align == "right":
            x += width - w
        return b"BT %s %g Tf 1 0 0 1 %g %g Tm %s ET" % (
            self.name.encode(), self.size, x, y, shaped.graphics_ops)


@dataclass(frozen=True)
class LeaderStampStyle(BaseStampStyle):
    spec: LeaderAppearance | None = None
    border_width: int = 0

    def create_stamp(self, writer, box, text_params):
        return _LeaderStamp(writer, self, box)


class _LeaderStamp(BaseStamp):
    def _render_inner_content(self):
        spec: LeaderAppearance = self.style.spec
        w, h = self.box.width, self.box.height
        ops: list[bytes] = []
        top_lines = [t for t in (spec.authority, spec.title) if t and t.strip()]
        name = spec.name.strip() if spec.name else ""
        if spec.show_text and (top_lines or name):
            text = _Text(self, spec.font_size, bold=True)
            line_h = spec.font_size * 1.25
            ops.append(b"q 0 0 0 rg")
            y = h - spec.font_size - 1
            for t in top_lines:
                ops.append(text.line(t.upper(), 0, y, width=w))
                y -= line_h
            if name:
                ops.append(text.line(name, 0, 3, width=w))
            ops.append(b"Q")
        if spec.image_png:
            ix1, iy1, ix2, iy2 = leader_image_rect((0, 0, w, h), spec)
            img = PdfImage(Image.open(io.BytesIO(spec.image_png)), writer=self.writer)
            ops.append(_draw_image(self, img, ix1, iy1, ix2 - ix1, iy2 - iy1))
        return ops


@dataclass(frozen=True)
class ImageStampStyle(BaseStampStyle):
    """A stamp that is just one transparent image filling the box (the seal)."""

    image_png: bytes = b""
    border_width: int = 0

    def create_stamp(self, writer, box, text_params):
        return _ImageStamp(writer, self, box)


class _ImageStamp(BaseStamp):
    def _render_inner_content(self):
        img = PdfImage(Image.open(io.BytesIO(self.style.image_png)), writer=self.writer)
        return [_draw_image(self, img, 0, 0, self.box.width, self.box.height)]


def _draw_image(stamp: BaseStamp, img: PdfImage, x: float, y: float, w: float,
                h: float) -> bytes:
    name = "/Img" + img.name.replace("-", "")[:12]
    stamp.set_resource(content.ResourceType.XOBJECT, pdf_name(name), img.image_ref)
    return b"q %g 0 0 %g %g %g cm %s Do Q" % (w, h, x, y, name.encode())


def attachment_style(spec: AttachmentAppearance) -> TextStampStyle:
    """Black Liberation Serif 10 pt, right-aligned block; ``%(vn_ts)s`` is filled in."""
    lines = ([spec.org_name] if spec.org_name else []) + [
        f"Số: {spec.number}", "Thời gian ký: %(vn_ts)s"]
    return TextStampStyle(
        stamp_text="\n".join(lines),
        text_box_style=TextBoxStyle(
            font=VnFontFactory(font_size=spec.font_size),
            font_size=int(spec.font_size), leading=int(spec.font_size * 1.2) + 1,
            box_layout_rule=layout.SimpleBoxLayoutRule(
                x_align=layout.AxisAlignment.ALIGN_MAX, y_align=layout.AxisAlignment.ALIGN_MAX,
                margins=layout.Margins.uniform(1)),
            text_color=(0, 0, 0)),
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MAX, y_align=layout.AxisAlignment.ALIGN_MAX,
            margins=layout.Margins.uniform(0)),
        border_width=0, background=None,
    )


def attachment_rect(page_box: Rect, spec: AttachmentAppearance) -> Rect:
    _x1, _y1, x2, y2 = page_box
    lines = 3 if spec.org_name else 2
    height = lines * (spec.font_size * 1.2 + 1) + 6
    return (x2 - spec.margin - spec.width, y2 - spec.margin - height, x2 - spec.margin,
            y2 - spec.margin)


# --------------------------------------------------------------------------- demo images
def demo_signature_png(name: str = "", width: int = 600, height: int = 240) -> bytes:
    """A blue, transparent, handwriting-like flourish (for demos and tests only)."""
    im = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    d = ImageDraw.Draw(im)
    seed = sum(map(ord, name)) or 7
    pts = []
    for i in range(400):
        t = i / 399
        x = 40 + t * (width - 80)
        y = (height / 2 + math.sin(t * math.pi * (5 + seed % 3)) * height * 0.28 * (1 - t * 0.5)
             + math.sin(t * 31 + seed) * 8)
        pts.append((x, y))
    d.line(pts, fill=(20, 40, 170, 255), width=7, joint="curve")
    d.line([(60, height * 0.78), (width - 70, height * 0.70)], fill=(20, 40, 170, 255), width=5)
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def demo_seal_png(org_name: str, size: int = 600) -> bytes:
    """A red round seal with the organisation's name around the rim and a star."""
    im = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(im)
    red = (215, 25, 32, 235)
    c = size / 2
    d.ellipse((8, 8, size - 8, size - 8), outline=red, width=14)
    d.ellipse((size * 0.2, size * 0.2, size * 0.8, size * 0.8), outline=red, width=6)
    star = []
    for k in range(10):
        r = size * (0.12 if k % 2 == 0 else 0.05)
        a = -math.pi / 2 + k * math.pi / 5
        star.append((c + r * math.cos(a), c + r * math.sin(a)))
    d.polygon(star, fill=red)
    font = ImageFont.truetype(find_font(bold=True), int(size * 0.075))
    text = org_name.upper()
    n = max(len(text), 1)
    span = min(math.pi * 1.6, n * 0.2)
    for i, ch in enumerate(text):
        a = -math.pi / 2 - span / 2 + span * (i + 0.5) / n
        r = size * 0.39
        glyph = Image.new("RGBA", (int(size * 0.12), int(size * 0.12)), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((glyph.width / 2, glyph.height / 2), ch, font=font,
                                   fill=red, anchor="mm")
        glyph = glyph.rotate(-math.degrees(a) - 90, resample=Image.BICUBIC)
        x, y = c + r * math.cos(a), c + r * math.sin(a)
        im.alpha_composite(glyph, (int(x - glyph.width / 2), int(y - glyph.height / 2)))
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()
