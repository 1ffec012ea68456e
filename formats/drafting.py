"""Outgoing drafts as DOCX in the Decree 30/2020 layout (Appendix I, "thể thức").

The drafter fills a :class:`DraftSpec` (plain values, no database objects) and gets the DOCX a
specialist can still edit in Word/LibreOffice; :mod:`formats.conversion` turns it into
the PDF the leader signs.

Number and date are issued only *after* the leader signed (never by hand). An unnumbered draft
therefore keeps both places free: "Số:" is followed by a blank gap before "/QĐ-UBND", and the
place-and-date line under the national motto is an empty line of the same height. The signing
step overlays PDF form fields on exactly those places — :func:`locate_reserved_areas` measures
them (and the signature box) on the converted PDF, in PDF points, so nobody has to guess
coordinates that move with the text.

What the clerk typed is printed the way Appendix I wants it (:mod:`formats.draft_text`): one
"V/v", one "Lưu:" line, the clerk's line breaks in the names of the bodies, the short rules under
the issuing body and the trích yếu, the secrecy mark under the number and the urgency mark
under it.
"""

from __future__ import annotations

import io
import math
import re
import subprocess
from dataclasses import dataclass, field
from datetime import date
from html import unescape

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, Twips
from docx.text.paragraph import Paragraph

from formats.docx_parts import (
    FONT_NAME,
    boxed,
    first_paragraph,
    lines_para,
    para,
    rule,
    set_font,
    two_column_table,
)
from formats.draft_text import name_lines, recipient_lines, subject_line, wrapped_width

__all__ = [
    "FONT_NAME",
    "DraftSpec",
    "ReservedAreas",
    "Signer",
    "build_draft_docx",
    "format_number",
    "format_place_date",
    "locate_reserved_areas",
]

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
NUMBER_GAP = "\u00a0" * 9
"""Non-breaking spaces after "Số:" — the reserved place for the number (never collapsed)."""

PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
MARGIN_TOP_MM = MARGIN_BOTTOM_MM = 20
MARGIN_LEFT_MM, MARGIN_RIGHT_MM = 30, 15
LEFT_COL_MM = 70
RIGHT_COL_MM = PAGE_WIDTH_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM - LEFT_COL_MM
PT_PER_MM = 72 / 25.4
TEXT_WIDTH_MM = PAGE_WIDTH_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM
CELL_PADDING_PT = 5.4
"""Left and right cell margins of a table cell (Word's and LibreOffice's default, 0.19 cm)."""
RULE_FRACTION = 0.4
"""The short rules are 1/3–1/2 of the line above them (Appendix I); 0.4 keeps both bounds."""
A4_PAPER_CODE = "9"


@dataclass(frozen=True)
class Signer:
    """The signer block: ``authority`` is the delegation line, e.g. "KT. CHỦ TỊCH" or
    "TM. ỦY BAN NHÂN DÂN" (empty when the head signs in their own name)."""

    title: str
    full_name: str
    authority: str = ""


@dataclass(frozen=True)
class DraftSpec:
    """Everything printed on an outgoing document.

    ``type_name`` is None for a công văn (it then shows "V/v <subject>" under the number and
    has no type heading). ``number``/``issued_date`` stay None until the system issues them.
    """

    issuing_body: str
    notation: str
    place: str
    subject: str
    body: tuple[str, ...]
    signer: Signer
    recipients: tuple[str, ...]
    archive_unit: str
    type_name: str | None = None
    parent_body: str = ""
    """Above the issuing body; line breaks in both names are printed where the clerk put them."""
    number: int | None = None
    issued_date: date | None = None
    urgency: str | None = None
    """Độ khẩn ("Khẩn", "Thượng khẩn", "Hỏa tốc"): printed under the secrecy mark (ô 10b)."""
    secrecy: str | None = None
    """Độ mật ("Mật", "Tối mật", "Tuyệt mật"): printed under the number (ô 10a)."""
    addressees: tuple[str, ...] = field(default_factory=tuple)
    """"Kính gửi:" lines (mostly for công văn)."""


@dataclass(frozen=True)
class ReservedAreas:
    """Rectangles (x1, y1, x2, y2) in PDF points, origin bottom-left, on 0-based pages."""

    number_rect: tuple[float, float, float, float]
    date_rect: tuple[float, float, float, float]
    header_page: int
    signature_rect: tuple[float, float, float, float]
    signature_page: int


def format_number(number: int) -> str:
    """Numbers below 10 get a leading zero (Decree 30, Appendix I)."""
    return f"{number:02d}"


def format_place_date(place: str, day: date) -> str:
    """"Hòa Bình, ngày 05 tháng 02 năm 2026": days below 10 and months 1–2 take a zero."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def _twips(mm: float) -> Twips:
    """``mm`` rounded up to the twips DOCX stores: A4 is 11906 × 16838, Word's own A4, and
    Mm(15) — stored as 850 twips, 14.99 mm — would fall under Appendix I's 15 mm minimum."""
    return Twips(math.ceil(mm * 1440 / 25.4))


def build_draft_docx(draft: DraftSpec) -> bytes:
    """Render ``draft`` as a DOCX (A4, Decree 30 margins and fonts) and return its bytes."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = _twips(PAGE_WIDTH_MM), _twips(PAGE_HEIGHT_MM)
    section.top_margin, section.bottom_margin = _twips(MARGIN_TOP_MM), _twips(MARGIN_BOTTOM_MM)
    section.left_margin, section.right_margin = _twips(MARGIN_LEFT_MM), _twips(MARGIN_RIGHT_MM)
    section._sectPr.get_or_add_pgSz().set(qn("w:code"), A4_PAPER_CODE)  # printers pick A4
    set_font(doc.styles["Normal"], 13)

    _header(doc, draft)
    if draft.type_name:
        para(doc, "", size=13)
        para(doc, draft.type_name.upper(), size=14, bold=True)
        para(doc, draft.subject, size=14, bold=True)
        text_width = TEXT_WIDTH_MM * PT_PER_MM
        rule(doc, RULE_FRACTION * wrapped_width(draft.subject, 14, text_width), text_width,
             space_after=12)
    else:
        para(doc, "", size=13, space_after=6)
    if draft.addressees:
        _addressees(doc, draft.addressees)
    for text in draft.body:
        para(doc, text, size=14, align=WD_ALIGN_PARAGRAPH.JUSTIFY, space_after=6,
             first_line_indent_mm=10)
    para(doc, "", size=13)
    _footer_block(doc, draft)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _header(doc: Document, draft: DraftSpec) -> None:
    table = two_column_table(doc, (LEFT_COL_MM, RIGHT_COL_MM))
    left, right = table.rows[0].cells
    first = True

    def left_para(lines: list[str], **kw: object) -> Paragraph:
        nonlocal first
        p = lines_para(left, lines, paragraph=first_paragraph(left) if first else None,
                       **kw)  # type: ignore[arg-type]
        first = False
        return p

    if name_lines(draft.parent_body):
        left_para([line.upper() for line in name_lines(draft.parent_body)], size=12)
    issuer = [line.upper() for line in name_lines(draft.issuing_body)]
    left_para(issuer, size=12, bold=True)
    column = LEFT_COL_MM * PT_PER_MM - 2 * CELL_PADDING_PT
    widest = max((wrapped_width(line, 12, column) for line in issuer), default=column)
    rule(left, RULE_FRACTION * widest, column, space_after=6)
    number = format_number(draft.number) if draft.number is not None else NUMBER_GAP
    left_para([f"Số: {number}/{draft.notation}"], size=13)
    if draft.type_name is None:
        left_para([subject_line(draft.subject)], size=12)
    # Appendix I, ô 10a then ô 10b: secrecy under the number (and the V/v), urgency under it.
    for mark in (draft.secrecy, draft.urgency):
        if mark and mark.strip():
            p = left_para([mark.strip().upper()], size=13, bold=True)
            p.paragraph_format.space_before = Pt(4)
            boxed(p)

    para(right, NATIONAL_TITLE, size=12, bold=True, paragraph=first_paragraph(right))
    para(right, MOTTO, size=13, bold=True, underline=True, space_after=6)
    when = format_place_date(draft.place, draft.issued_date) if draft.issued_date else ""
    para(right, when, size=13, italic=True)


def _addressees(doc: Document, addressees: tuple[str, ...]) -> None:
    if len(addressees) == 1:
        para(doc, f"Kính gửi: {addressees[0]}", size=14, space_after=6)
        return
    head = para(doc, "Kính gửi:", size=14, align=WD_ALIGN_PARAGRAPH.LEFT)
    head.paragraph_format.left_indent = Mm(30)
    for name in addressees:
        p = para(doc, f"- {name};", size=14, align=WD_ALIGN_PARAGRAPH.LEFT)
        p.paragraph_format.left_indent = Mm(55)
    doc.paragraphs[-1].paragraph_format.space_after = Pt(6)


def _footer_block(doc: Document, draft: DraftSpec) -> None:
    table = two_column_table(doc, (80, TEXT_WIDTH_MM - 80))
    left, right = table.rows[0].cells
    para(left, "Nơi nhận:", size=12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT,
         paragraph=first_paragraph(left))
    for line in recipient_lines(draft.recipients, draft.archive_unit):
        para(left, line, size=11, align=WD_ALIGN_PARAGRAPH.LEFT)

    signer = draft.signer
    lines = [signer.authority.upper()] if signer.authority else []
    lines.append(signer.title.upper())
    p = first_paragraph(right)
    for index, text in enumerate(lines):
        para(right, text, size=13, bold=True, paragraph=p if index == 0 else None)
    for _ in range(5):  # the reserved signature box (leader's image, then the seal)
        para(right, "", size=13)
    para(right, signer.full_name, size=14, bold=True)


# --- measuring the reserved places on the converted PDF -------------------------------------

_WORD_RE = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)
_PAGE_RE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')


@dataclass(frozen=True)
class _Word:
    page: int
    x1: float
    top: float
    x2: float
    bottom: float
    text: str


def _words(pdf: bytes) -> tuple[list[_Word], list[float]]:
    result = subprocess.run(
        ["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True, timeout=60, check=True
    )
    html = result.stdout.decode("utf-8")
    words: list[_Word] = []
    heights: list[float] = []
    for index, chunk in enumerate(html.split("<page ")[1:]):
        match = _PAGE_RE.search("<page " + chunk)
        assert match is not None
        heights.append(float(match.group(2)))
        for m in _WORD_RE.finditer(chunk):
            words.append(_Word(index, float(m.group(1)), float(m.group(2)), float(m.group(3)),
                               float(m.group(4)), unescape(m.group(5))))
    return words, heights


def locate_reserved_areas(pdf: bytes, draft: DraftSpec) -> ReservedAreas:
    """Measure where the number, date and signature go on the PDF made from ``draft``.

    Uses poppler's ``pdftotext -bbox``: the number gap lies between "Số:" and "/<notation>";
    the date line sits one line under the motto in the right header column; the signature box
    spans the lines between the signer's title and their printed name. Raises ``ValueError``
    if the PDF does not carry the expected anchors (i.e. it was not made from this draft).
    """
    words, heights = _words(pdf)

    def flip(x1: float, top: float, x2: float, bottom: float, page: int) -> tuple[float, ...]:
        h = heights[page]
        return (round(x1, 1), round(h - bottom, 1), round(x2, 1), round(h - top, 1))

    so = next((w for w in words if w.page == 0 and w.text == "Số:"), None)
    notation = next(
        (w for w in words if w.page == 0 and w.text.endswith("/" + draft.notation)), None
    )
    motto_tail = [w for w in words if w.page == 0 and w.text == "phúc"]
    title_words = [w for w in words if w.text == draft.signer.title.split()[-1].upper()]
    name_words = [w for w in words if w.text == draft.signer.full_name.split()[-1]]
    if not (so and notation and motto_tail and title_words and name_words):
        raise ValueError("the PDF lacks the Decree 30 anchors of this draft")
    number_rect = flip(so.x2 + 1, so.top - 1, notation.x1 - 0.5, so.bottom + 1, 0)
    motto = motto_tail[0]
    line = motto.bottom - motto.top
    col_left = (MARGIN_LEFT_MM + LEFT_COL_MM) * PT_PER_MM
    col_right = (PAGE_WIDTH_MM - MARGIN_RIGHT_MM) * PT_PER_MM
    date_top = motto.bottom + 4  # the motto paragraph keeps 6 pt after it
    date_rect = flip(col_left, date_top, col_right, date_top + line * 1.3, 0)
    title = title_words[-1]
    name = next((w for w in name_words if (w.page, w.top) > (title.page, title.top)), None)
    if name is None or name.page != title.page:
        raise ValueError("the signer block is split across pages")
    sig_left = col_right - (PAGE_WIDTH_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM - 80) * PT_PER_MM
    signature_rect = flip(sig_left + 10, title.bottom + 2, col_right - 10, name.top - 2,
                          title.page)
    return ReservedAreas(
        number_rect=number_rect,  # type: ignore[arg-type]
        date_rect=date_rect,  # type: ignore[arg-type]
        header_page=0,
        signature_rect=signature_rect,  # type: ignore[arg-type]
        signature_page=title.page,
    )
