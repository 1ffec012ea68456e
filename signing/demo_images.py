"""Plausible demo images for signers and organisations (demos and tests only).

* :func:`demo_signature_png`: a handwritten-looking signature in blue ink on a transparent
  background: a looped capital, the given name as connected cursive strokes, and an
  underline flourish, drawn with a varying pen width. The same name gives the same image.
* :func:`demo_seal_png`: a round red seal (transparent outside the ink) with the
  organisation's name around the rim, a star in the centre and a worn-ink texture.

Real installations upload the scanned signature and the seal (transparent PNG).
"""

from __future__ import annotations

import io
import math
import random
import unicodedata
import zlib

from PIL import Image, ImageDraw, ImageFont

from .fonts import find_font

__all__ = ["demo_seal_png", "demo_signature_png"]

INK_BLUE = (22, 42, 160)
SEAL_RED = (214, 28, 36)

# Relative strokes of cursive letters (x advance units, y: 0 = baseline, 1 = x-height).
_SHAPES = {
    "loop": [(0.0, 0.0), (0.35, 1.9), (0.55, 2.5), (0.42, 2.1), (0.3, 0.8), (0.55, 0.0)],
    "hump": [(0.0, 0.0), (0.15, 0.9), (0.45, 1.0), (0.6, 0.35), (0.75, 0.0)],
    "cup": [(0.0, 0.0), (0.1, 0.9), (0.25, 0.15), (0.5, 0.0), (0.7, 0.95), (0.8, 0.0)],
    "oval": [(0.0, 0.3), (0.35, 1.0), (0.1, 0.95), (0.05, 0.2), (0.4, 0.05), (0.55, 0.9),
             (0.7, 0.1)],
    "tail": [(0.0, 0.0), (0.25, 1.0), (0.4, 0.2), (0.35, -1.3), (0.15, -1.5), (0.3, -0.6),
             (0.75, 0.1)],
}
_LETTER_SHAPE = {**{c: "loop" for c in "bdfhklt"}, **{c: "hump" for c in "mnr"},
                 **{c: "cup" for c in "uvwi"}, **{c: "oval" for c in "aoecs"},
                 **{c: "tail" for c in "gjpqyz"}}


def _plain(text: str) -> str:
    """Lower-case ASCII letters of ``text`` (Vietnamese diacritics and đ folded)."""
    folded = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(ch for ch in folded.lower() if "a" <= ch <= "z")


def _catmull_rom(points: list[tuple[float, float]], steps: int = 14) -> list[tuple[float, float]]:
    if len(points) < 3:
        return points
    pts = [points[0], *points, points[-1]]
    out: list[tuple[float, float]] = []
    for i in range(1, len(pts) - 2):
        p0, p1, p2, p3 = pts[i - 1], pts[i], pts[i + 1], pts[i + 2]
        for s in range(steps):
            t = s / steps
            t2, t3 = t * t, t * t * t
            out.append(tuple(  # type: ignore[arg-type]
                0.5 * ((2 * p1[k]) + (-p0[k] + p2[k]) * t + (2 * p0[k] - 5 * p1[k] + 4 * p2[k]
                       - p3[k]) * t2 + (-p0[k] + 3 * p1[k] - 3 * p2[k] + p3[k]) * t3)
                for k in (0, 1)))
    out.append(points[-1])
    return out


def _stroke(draw: ImageDraw.ImageDraw, pts: list[tuple[float, float]], width: float,
            rnd: random.Random, colour: tuple[int, int, int]) -> None:
    """Draw ``pts`` as one pen stroke: thinner where the pen moves fast, tapered ends."""
    n = len(pts)
    for i in range(1, n):
        (x0, y0), (x1, y1) = pts[i - 1], pts[i]
        speed = math.hypot(x1 - x0, y1 - y0)
        taper = min(1.0, i / 12, (n - i) / 18)
        w = max(1.5, width * taper * (1.25 - min(speed / 40, 0.6)) * rnd.uniform(0.92, 1.08))
        draw.line([(x0, y0), (x1, y1)], fill=(*colour, 255), width=round(w))
        r = w / 2
        draw.ellipse((x1 - r, y1 - r, x1 + r, y1 + r), fill=(*colour, 255))


def demo_signature_png(name: str = "", width: int = 600, height: int = 240) -> bytes:
    """A blue, transparent, handwriting-like signature made from ``name`` (deterministic)."""
    rnd = random.Random(zlib.crc32(name.encode("utf-8")))
    scale = 2  # drawn at twice the size, then reduced: smooth edges
    w, h = width * scale, height * scale
    im = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(im)
    words = name.split()
    given = _plain(words[-1]) if words else "an"
    initial = given[:1] or "a"
    letters = given[1:7] or "n"
    xh = h * 0.16  # x-height
    base = h * 0.62
    slant = 0.38
    unit = (w * 0.55) / (len(letters) + 1.5)

    def page(x: float, y: float) -> tuple[float, float]:
        jitter = rnd.uniform(-0.04, 0.04)
        py = base - (y + jitter) * xh
        return (x + (base - py) * slant, py)

    # The capital: a tall entry stroke, a loop at the top, down to the baseline.
    x = w * 0.1
    cap = [page(x, -0.2), page(x + unit * 0.2, 1.8), page(x + unit * 0.5, 3.1),
           page(x + unit * 0.15, 3.3), page(x - unit * 0.1, 2.2), page(x + unit * 0.45, 0.0),
           page(x + unit * 0.9, 0.9)]
    if initial in "hkmnvw":
        cap += [page(x + unit * 1.2, 2.6), page(x + unit * 1.1, 0.0)]
    x += unit * 1.2
    body = [cap[-1]]
    for ch in letters:
        shape = _SHAPES[_LETTER_SHAPE.get(ch, "hump")]
        for dx, dy in shape[1:]:
            body.append(page(x + dx * unit, dy * rnd.uniform(0.9, 1.1)))
        x += shape[-1][0] * unit + unit * 0.15
    # The flourish: back under the name and out to the right with a fading tail.
    end_x = x
    flourish = [body[-1], page(end_x + unit * 0.4, 1.4), page(end_x + unit * 0.2, 0.8),
                page(w * 0.3, -1.1), page(w * 0.15, -1.5), page(w * 0.3, -1.75),
                page(min(w * 0.6, end_x), -1.55), page(min(w * 0.68, end_x + unit * 0.8), -1.0)]
    pen = h * 0.026
    _stroke(draw, _catmull_rom(cap), pen * 1.1, rnd, INK_BLUE)
    _stroke(draw, _catmull_rom(body), pen, rnd, INK_BLUE)
    _stroke(draw, _catmull_rom(flourish, 20), pen * 0.9, rnd, INK_BLUE)
    # A small dot after the name, as many signers add.
    dx, dy = page(end_x + unit * 0.9, 1.5)
    draw.ellipse((dx - pen, dy - pen, dx + pen, dy + pen), fill=(*INK_BLUE, 255))
    im = im.resize((width, height), Image.LANCZOS)
    left, top, right, bottom = im.getchannel("A").getbbox() or (0, 0, width, height)
    pad = max(6, height // 20)  # cut to the ink: the image is placed by its own box
    im = im.crop((max(0, left - pad), max(0, top - pad), min(width, right + pad),
                  min(height, bottom + pad)))
    buf = io.BytesIO()
    im.save(buf, "PNG", optimize=True)
    return buf.getvalue()


def demo_seal_png(org_name: str, size: int = 600) -> bytes:
    """A red round seal with the organisation's name around the rim and a star."""
    im = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(im)
    red = (*SEAL_RED, 255)
    c = size / 2
    d.ellipse((6, 6, size - 6, size - 6), outline=red, width=max(4, size // 40))
    d.ellipse((size * 0.045, size * 0.045, size * 0.955, size * 0.955), outline=red,
              width=max(2, size // 150))
    d.ellipse((size * 0.22, size * 0.22, size * 0.78, size * 0.78), outline=red,
              width=max(2, size // 100))
    star = []
    for k in range(10):
        r = size * (0.15 if k % 2 == 0 else 0.06)
        a = -math.pi / 2 + k * math.pi / 5
        star.append((c + r * math.cos(a), c + r * math.sin(a)))
    d.polygon(star, fill=red)
    font = ImageFont.truetype(find_font(bold=True), int(size * 0.07))
    text = " ".join(org_name.upper().split())
    n = max(len(text), 1)
    span = min(math.pi * 1.62, n * 0.19)
    radius = size * 0.37
    for i, ch in enumerate(text):
        if ch == " ":
            continue
        a = -math.pi / 2 - span / 2 + span * (i + 0.5) / n
        glyph = Image.new("RGBA", (int(size * 0.12), int(size * 0.12)), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((glyph.width / 2, glyph.height / 2), ch, font=font,
                                   fill=red, anchor="mm")
        glyph = glyph.rotate(-math.degrees(a) - 90, resample=Image.BICUBIC)
        x, y = c + radius * math.cos(a), c + radius * math.sin(a)
        im.alpha_composite(glyph, (int(x - glyph.width / 2), int(y - glyph.height / 2)))
    # Two small stars close the ring of text at the bottom.
    for a in (math.pi / 2 - 0.32, math.pi / 2 + 0.32):
        sx, sy = c + radius * math.cos(a), c + radius * math.sin(a)
        small = []
        for k in range(10):
            r = size * (0.022 if k % 2 == 0 else 0.009)
            t = -math.pi / 2 + k * math.pi / 5
            small.append((sx + r * math.cos(t), sy + r * math.sin(t)))
        d.polygon(small, fill=red)
    # Worn ink: a stamp never prints evenly.
    rnd = random.Random(zlib.crc32(org_name.encode("utf-8")))
    alpha = im.getchannel("A")
    levels = (255, 255, 255, 235, 215, 190)
    noise = Image.frombytes("L", (size, size), rnd.randbytes(size * size)).point(
        [levels[v % len(levels)] for v in range(256)])
    alpha = Image.composite(noise, alpha, alpha.point(lambda v: 255 if v > 200 else 0))
    im.putalpha(alpha)
    buf = io.BytesIO()
    im.save(buf, "PNG", optimize=True)
    return buf.getvalue()
