"""The Times-like font every appearance writes with: Liberation Serif, embedded and subset.

Liberation Serif has the metrics of Times New Roman (the font of Decree 30 documents) and
covers Vietnamese; it is cut down to Latin + Vietnamese and rescaled to 1000 units/em once
per process. Regular, bold and italic are available (the place-and-date line is italic).
"""

from __future__ import annotations

import functools
import io
import logging
import os

from pyhanko.pdf_utils.font import FontEngineFactory
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator

__all__ = [
    "FONT_DIRS",
    "VnFontFactory",
    "find_font",
    "font_box",
    "vn_font_bytes",
    "vn_font_engine",
]

FONT_DIRS = ("/usr/share/fonts/truetype/liberation2", "/usr/share/fonts/truetype/liberation",
             "/usr/share/fonts/truetype/dejavu")

_STYLE_NAMES = {
    (False, False): ("LiberationSerif-Regular.ttf", "DejaVuSerif.ttf", "DejaVuSans.ttf"),
    (True, False): ("LiberationSerif-Bold.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSans-Bold.ttf"),
    (False, True): ("LiberationSerif-Italic.ttf", "DejaVuSerif-Italic.ttf",
                    "DejaVuSans-Oblique.ttf"),
    (True, True): ("LiberationSerif-BoldItalic.ttf", "DejaVuSerif-BoldItalic.ttf",
                   "DejaVuSans-BoldOblique.ttf"),
}


def find_font(bold: bool = False, italic: bool = False) -> str:
    """Times-like font with Vietnamese glyphs (Liberation Serif; DejaVu as fallback)."""
    for d in FONT_DIRS:
        for n in _STYLE_NAMES[(bold, italic)]:
            p = os.path.join(d, n)
            if os.path.exists(p):
                return p
    raise FileNotFoundError("no font with Vietnamese glyphs: apt-get install fonts-liberation2")


# Unicode ranges kept in the prepared font: Latin, Vietnamese, punctuation, ₫.
_VN_UNICODES = (list(range(0x20, 0x7F)) + list(range(0xA0, 0x180)) + list(range(0x1A0, 0x1B1))
                + list(range(0x300, 0x324)) + list(range(0x1EA0, 0x1EFA))
                + list(range(0x2010, 0x2030)) + [0x20AB])


@functools.lru_cache(maxsize=8)
def vn_font_bytes(bold: bool = False, italic: bool = False) -> bytes:
    """Liberation Serif cut down to Latin + Vietnamese and rescaled to 1000 units/em.

    The rescaling is not cosmetic: pyHanko 0.38 writes glyph widths in font units,
    which is only correct for 1000-unit fonts; Liberation uses 2048 and would come
    out letter-spaced.  Done once per process and style (~0.2 s).
    """
    from fontTools import subset, ttLib
    from fontTools.ttLib.scaleUpem import scale_upem

    logging.getLogger("fontTools").setLevel(logging.ERROR)
    tt = ttLib.TTFont(find_font(bold, italic))
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


@functools.lru_cache(maxsize=8)
def font_box(bold: bool = False, italic: bool = False) -> tuple[float, float]:
    """(ascent, descent) per unit of font size, both positive: the line box a word
    processor sets the font in (hhea ascender/descender; 0.891 and 0.216 for Liberation
    Serif, as for Times New Roman)."""
    from fontTools import ttLib

    tt = ttLib.TTFont(io.BytesIO(vn_font_bytes(bold, italic)))
    upem = tt["head"].unitsPerEm
    return tt["hhea"].ascent / upem, -tt["hhea"].descent / upem


class VnFontFactory(FontEngineFactory):
    """pyHanko font engine factory for :func:`vn_font_bytes`."""

    def __init__(self, bold: bool = False, font_size: float = 10, italic: bool = False):
        self.bold = bold
        self.italic = italic
        self.font_size = font_size

    def create_font_engine(self, writer, obj_stream=None) -> GlyphAccumulator:
        return vn_font_engine(writer, self.font_size, bold=self.bold, italic=self.italic,
                              obj_stream=obj_stream)


def vn_font_engine(writer, font_size: float, *, bold: bool = False, italic: bool = False,
                   obj_stream=None) -> GlyphAccumulator:
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    return GlyphAccumulator(writer, io.BytesIO(vn_font_bytes(bold, italic)),
                            font_size=font_size, obj_stream=obj_stream)
