"""Visible signature appearances required by Decree 30/2020 (Appendix I).

* Leader: the handwritten-signature image (blue, transparent PNG) between the
  title lines ("KT. CHỦ TỊCH" / "PHÓ CHỦ TỊCH") and the printed name.  Where the
  page itself prints authority, title and name (a Decree 30 draft does), the
  appearance is the image alone inside the reserved box (``show_text=False``):
  the page must never carry the title or the name twice.
* Organisation on the main document: the red seal image, overlapping about one
  third of the leader's image, on its left; at real size, or as large as the
  reserved box allows when the page prints text around the box.  Its field is
  reserved when the leader signs (see :func:`seal_rect`), because a *new*
  visible field after a certification signature counts as a modification.
* Separate-file attachments: no image; at the top right of page 1 the number
  and notation and the signing time (ISO 8601, Vietnam time), Times-like 10 pt.

Text is drawn with an embedded subset of Liberation Serif (metric-compatible
with Times New Roman and with full Vietnamese coverage), so diacritics render
in every viewer (:mod:`signing.fonts`).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from PIL import Image
from pyhanko.pdf_utils import content, layout
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.stamp import BaseStamp, BaseStampStyle, TextStampStyle

from .demo_images import demo_seal_png, demo_signature_png
from .fonts import FONT_DIRS, VnFontFactory, find_font, vn_font_bytes, vn_font_engine

__all__ = [
    "FONT_DIRS",
    "VN_TZ",
    "AttachmentAppearance",
    "LeaderAppearance",
    "SealAppearance",
    "VnFontFactory",
    "demo_seal_png",
    "demo_signature_png",
    "find_font",
    "fit_image",
    "iso_vn",
    "leader_image_rect",
    "seal_rect",
    "vn_font_bytes",
    "vn_font_engine",
]

VN_TZ = timezone(timedelta(hours=7), "ICT")
"""Vietnam has used UTC+07:00 without daylight saving since 1975."""

MM = 72 / 25.4
Rect = tuple[float, float, float, float]


def iso_vn(dt: datetime) -> str:
    """ISO 8601 in Vietnam time, to the second: ``2025-03-04T09:15:02+07:00``."""
    return dt.astimezone(VN_TZ).replace(microsecond=0).isoformat()


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


def seal_rect(image_rect: Rect, seal: SealAppearance, within: Rect | None = None) -> Rect:
    """The seal overlaps the left third of the leader's image (Decree 30, App. I).

    At real size (``seal.diameter_mm``) by default.  With ``within`` (the reserved
    signature box of a page that prints the title above it and the name below it) the
    seal stays inside that box: no larger than its height, moved in from its edges, so
    it covers no printed text.
    """
    d = seal.diameter_mm * MM
    ix1, iy1, ix2, iy2 = image_rect
    right = ix1 + (ix2 - ix1) / 3
    cy = (iy1 + iy2) / 2
    if within is None:
        return (right - d, cy - d / 2, right, cy + d / 2)
    bx1, by1, bx2, by2 = within
    d = min(d, by2 - by1, bx2 - bx1)
    left = min(max(right - d, bx1), bx2 - d)
    bottom = min(max(cy - d / 2, by1), by2 - d)
    return (left, bottom, left + d, bottom + d)


def fit_image(png: bytes, box: Rect) -> Rect:
    """Where an image lands in ``box``: as large as fits, aspect ratio kept, centred."""
    x1, y1, x2, y2 = box
    iw, ih = _image_size(png)
    scale = min((x2 - x1) / iw, (y2 - y1) / ih)
    w, h = iw * scale, ih * scale
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


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
    """A stamp that is just one transparent image in the box (the seal), aspect kept."""

    image_png: bytes = b""
    border_width: int = 0

    def create_stamp(self, writer, box, text_params):
        return _ImageStamp(writer, self, box)


class _ImageStamp(BaseStamp):
    def _render_inner_content(self):
        png = self.style.image_png
        img = PdfImage(Image.open(io.BytesIO(png)), writer=self.writer)
        x1, y1, x2, y2 = fit_image(png, (0, 0, self.box.width, self.box.height))
        return [_draw_image(self, img, x1, y1, x2 - x1, y2 - y1)]


def _draw_image(stamp: BaseStamp, img: PdfImage, x: float, y: float, w: float,
                h: float) -> bytes:
    name = "/Img" + img.name.replace("-", "")[:12]
    stamp.set_resource(content.ResourceType.XOBJECT, pdf_name(name), img.image_ref)
    # Fixed-point: "%g" writes 1e-15 for a rounding residue, which PDF syntax has no
    # exponent for (poppler: "Unknown operator 'e-15'", the image then misplaced).
    return b"q %.4f 0 0 %.4f %.4f %.4f cm %s Do Q" % (w, h, x, y, name.encode())


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
