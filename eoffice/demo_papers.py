"""One-page demo letters drawn with Pillow: the demo documents' PDFs, without LibreOffice.

The living demo (``eoffice.demo_documents``) needs some forty PDFs that look like Vietnamese
official letters (letterhead, place and date, subject, a few paragraphs) and that the real
services accept, sign and number. Converting drafts with LibreOffice would take minutes, so
each page is drawn here as a bilevel A4 image (a few KB) in a Vietnamese-capable serif. The
text is an image; the space the numbering and signing steps write into is left blank.
"""

from __future__ import annotations

import io
import textwrap
from datetime import date
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

DPI = 100
WIDTH, HEIGHT = round(21 / 2.54 * DPI), round(29.7 / 2.54 * DPI)  # A4
LEFT = round(3 / 2.54 * DPI)
FONT_FILES = (
    Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"),
    Path("/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"),
)

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def _font(points: float) -> Font:
    size = round(points * DPI / 72)
    for path in FONT_FILES:
        if path.exists():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default()  # without the fonts the diacritics may show as boxes


def letter_pdf(organisation: str, place: str, day: date, subject: str,
               paragraphs: list[str]) -> bytes:
    """An A4 one-page letter: letterhead, subject and body, the lower half left for the
    signature and seal. Returns the PDF's bytes."""
    page = Image.new("1", (WIDTH, HEIGHT), 1)
    draw = ImageDraw.Draw(page)
    small, body = _font(11), _font(13)
    top = round(2 / 2.54 * DPI)
    draw.text((LEFT, top), organisation.upper()[:48], font=small, fill=0)
    draw.text((WIDTH // 2 + 20, top), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", font=small, fill=0)
    draw.text((WIDTH // 2 + 50, top + 18), "Độc lập - Tự do - Hạnh phúc", font=small, fill=0)
    draw.text((WIDTH // 2 + 40, top + 60),
              f"{place}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}",
              font=small, fill=0)
    y = top + 120
    for line in textwrap.wrap(f"V/v {subject}", 70):
        draw.text((LEFT, y), line, font=body, fill=0)
        y += 22
    y += 20
    for paragraph in paragraphs:
        for line in textwrap.wrap(paragraph, 78):
            draw.text((LEFT, y), line, font=body, fill=0)
            y += 21
        y += 8
    buffer = io.BytesIO()
    page.save(buffer, format="PDF", resolution=DPI, title=subject)
    return buffer.getvalue()
