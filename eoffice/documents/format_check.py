"""The format check of a draft's rendered PDF (issue #11): A4 portrait, Appendix I side
margins, and room for the number, the date and the signature that nothing printed overlaps.

It runs when the format checker approves ("Đạt thể thức"), the step every draft passes
before the leader approves and signs it (and the leader signs that very PDF: ``viewed_pdf``);
a refusal says what to fix and changes nothing (no version is touched; the checker then
returns the draft for revision). Nothing is ever stamped over text.

Where the number, date and signature go: a draft generated from our template carries its
measured ``layout``. An uploaded draft laid out as Appendix I ("Số:   /KH-UBND", the empty
place-and-date line under the motto, the signer's title above and name below an empty
space) is measured the same way and given that layout; any other upload is checked against
the fixed default places, and refused when text lies in them, unless the checker placed
the boxes herself on that PDF (``box_placement``; they are then the places checked).
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from html import unescape

from flask import Flask

from eoffice.accounts.models import User
from eoffice.documents import numbering
from eoffice.documents.errors import InvalidInput
from eoffice.documents.models import Document, ParticipantRole
from eoffice.documents.placed_boxes import placed_layout
from eoffice.documents.signing_service import DATE_RECT, NUMBER_RECT
from eoffice.documents.viewed_pdf import NOT_RENDERED, rendered_version
from eoffice.documents.workflow import Transition, on_transition
from eoffice.files.service import object_store
from formats.drafting import DraftSpec, Signer, locate_reserved_areas
from signing.appearance import default_leader_rect

Rect = tuple[float, float, float, float]
MM = 72 / 25.4
A4 = (210 * MM, 297 * MM)
PAGE_TOLERANCE = 3.0  # points: LibreOffice and Word round the page size differently
# Appendix I: left margin 30–35 mm, right 15–20 mm; text outside by more than 1.5 mm is
# out of the margin (top and bottom are left alone: page numbers sit in the top margin).
MIN_LEFT, MIN_RIGHT, MARGIN_SLACK = 30 * MM, 15 * MM, 1.5 * MM
# The seal (36 mm) overlaps the left third of the signature image, so it reaches left of
# the default signature block of an upload by up to this much.
SEAL_REACH = 36 * MM

_PAGE_RE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')
_WORD_RE = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')


@dataclass(frozen=True)
class Word:
    """A printed word in PDF points, origin at the bottom left (as the reserved rects)."""

    page: int
    rect: Rect
    text: str


@dataclass(frozen=True)
class Area:
    """A place the system writes into, and how to tell the clerk where it is."""

    label: str
    page: int
    rect: Rect


def page_words(pdf: bytes) -> tuple[list[tuple[float, float]], list[Word]]:
    """Page sizes and every word's box, from poppler's ``pdftotext -bbox``."""
    try:
        out = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True,
                             timeout=60, check=True).stdout.decode("utf-8", "replace")
    except (OSError, subprocess.SubprocessError):
        raise InvalidInput("Không đọc được bản PDF để kiểm tra thể thức.") from None
    sizes: list[tuple[float, float]] = []
    words: list[Word] = []
    for index, chunk in enumerate(out.split("<page ")[1:]):
        match = _PAGE_RE.search("<page " + chunk)
        if match is None:
            continue
        width, height = float(match.group(1)), float(match.group(2))
        sizes.append((width, height))
        for m in _WORD_RE.finditer(chunk):
            x1, top, x2, bottom = (float(m.group(i)) for i in range(1, 5))
            words.append(Word(index, (x1, height - bottom, x2, height - top),
                              unescape(m.group(5))))
    return sizes, words


def overlaps(word: Rect, area: Rect, inset: float = 0.6) -> bool:
    """Whether printed ink of ``word`` would lie in ``area``."""
    # A word's box spans the font's whole ascent and descent (about 15 % of its height
    # above and below the ink): lines set close together touch without any ink meeting.
    pad = (word[3] - word[1]) * 0.15
    return (word[0] + inset < area[2] and area[0] + inset < word[2]
            and word[1] + pad < area[3] and area[1] < word[3] - pad)


def _where(area: Area, size: tuple[float, float]) -> str:
    x1, y1, x2, y2 = area.rect
    height = size[1]
    return (f"{area.label} (trang {area.page + 1}, cách mép trái {x1 / MM:.0f}–{x2 / MM:.0f} mm,"
            f" cách mép trên {(height - y2) / MM:.0f}–{(height - y1) / MM:.0f} mm)")


def _spec(document: Document) -> DraftSpec | None:
    signer = document.person(ParticipantRole.SIGNER)
    if signer is None or not signer.title or not signer.full_name:
        return None
    notation = numbering.notation_for(document, document.organisation, document.drafting_unit)
    return DraftSpec(issuing_body=document.organisation.name, notation=notation,
                     place=document.organisation.place, subject=document.subject, body=(),
                     signer=Signer(title=signer.title, full_name=signer.full_name),
                     recipients=(), archive_unit="")


def _measured_layout(pdf: bytes, document: Document) -> dict[str, object] | None:
    spec = _spec(document)
    if spec is None:
        return None
    try:
        areas = locate_reserved_areas(pdf, spec)
    except (ValueError, subprocess.SubprocessError, OSError):
        return None
    return {"number_rect": list(areas.number_rect), "date_rect": list(areas.date_rect),
            "header_page": areas.header_page, "signature_rect": list(areas.signature_rect),
            "signature_page": areas.signature_page, "number_only": True, "measured": True}


def _areas(layout: dict[str, object], pages: int) -> list[Area]:
    def rect(key: str, default: Rect) -> Rect:
        value = layout.get(key)
        if isinstance(value, list) and len(value) == 4:
            return (float(value[0]), float(value[1]), float(value[2]), float(value[3]))
        return default

    header = int(str(layout.get("header_page", 0)))
    areas = [Area("Ô số, ký hiệu", header, rect("number_rect", NUMBER_RECT)),
             Area("Ô địa danh, ngày tháng", header, rect("date_rect", DATE_RECT))]
    if isinstance(layout.get("signature_rect"), list):
        # Boxes placed by the checker: the signature's area includes the seal's reach.
        signature = rect("signature_rect", (0.0, 0.0, 0.0, 0.0))
        areas.append(Area("Ô chữ ký và con dấu", int(str(layout.get("signature_page", 0))),
                          rect("signature_area", signature)))
    else:  # an upload: the default block at the bottom right of the last page, seal at its left
        x1, y1, x2, y2 = default_leader_rect((0, 0, A4[0], A4[1]))
        areas.append(Area("Ô chữ ký và con dấu", pages - 1, (x1 - SEAL_REACH / 2, y1, x2, y2)))
    return areas


def check_pdf(pdf: bytes, layout: dict[str, object]) -> None:
    """Refuse (``InvalidInput`` saying what to fix) a PDF that is not A4 portrait, prints
    outside Appendix I's side margins, or prints where the number, date or signature go."""
    sizes, words = page_words(pdf)
    if not sizes:
        raise InvalidInput("Bản PDF không có trang nào.")
    for index, (width, height) in enumerate(sizes):
        if abs(width - A4[0]) > PAGE_TOLERANCE or abs(height - A4[1]) > PAGE_TOLERANCE:
            raise InvalidInput(
                f"Trang {index + 1} có khổ {width / MM:.1f} × {height / MM:.1f} mm, không phải "
                f"khổ A4 đứng (210 × 297 mm) theo Phụ lục I Nghị định 30/2020/NĐ-CP. Hãy chọn "
                f"khổ giấy A4, hướng dọc cho toàn bộ văn bản rồi tải lên phiên bản mới.")
    for word in words:
        left_out = word.rect[0] < MIN_LEFT - MARGIN_SLACK
        right_out = word.rect[2] > sizes[word.page][0] - MIN_RIGHT + MARGIN_SLACK
        if left_out or right_out:
            side = "trái (30–35 mm)" if left_out else "phải (15–20 mm)"
            raise InvalidInput(
                f"Chữ “{word.text}” ở trang {word.page + 1} nằm trong lề {side}; lề theo Phụ "
                f"lục I: trái 30–35 mm, phải 15–20 mm. Hãy chỉnh lề rồi tải lên phiên bản mới.")
    for area in _areas(layout, len(sizes)):
        if area.page >= len(sizes):
            continue
        covered = [w.text for w in words if w.page == area.page and overlaps(w.rect, area.rect)]
        if covered:
            shown = " ".join(covered[:6]) + (" …" if len(covered) > 6 else "")
            raise InvalidInput(
                f"Không còn chỗ trống cho {_where(area, sizes[area.page])}: chữ “{shown}” nằm "
                f"ở đó, hệ thống không đóng số, ngày, chữ ký đè lên chữ. Hãy trình bày theo Phụ "
                f"lục I: dòng “Số:     /ký hiệu” để trống chỗ ghi số, dòng địa danh và ngày tháng "
                f"để trống dưới quốc hiệu, khoảng trống giữa chức vụ và họ tên người ký; rồi tải "
                f"lên phiên bản mới.")


def check_document(document: Document) -> None:
    """The format check of ``document``'s rendered PDF; an upload laid out as Appendix I is
    given its measured layout here (so signing writes exactly into those places)."""
    version = rendered_version(document)
    if version is None:
        raise InvalidInput(NOT_RENDERED)
    pdf = object_store().read_bytes(version.file.sha256)
    layout = layout_of(document, pdf, version.file.sha256)
    if layout != document.layout:
        document.layout = layout
    check_pdf(pdf, layout or {})


def layout_of(document: Document, pdf: bytes, sha256: str) -> dict[str, object] | None:
    """Where the number, date and signature go on the PDF ``sha256``: the boxes the checker
    placed on that very PDF (``box_placement``), else the document's layout (never boxes
    placed on another PDF), else the places measured on an upload laid out as Appendix I."""
    placed = placed_layout(document.id, sha256)
    if placed is not None:
        return placed
    layout = document.layout or None
    if layout is not None and layout.get("placed") and layout.get("sha256") != sha256:
        layout = None
    if layout is None:
        layout = _measured_layout(pdf, document)
    return layout


def on_format_approval(actor: User, document: Document, row: Transition) -> None:
    """Transition listener: "Đạt thể thức" only for a PDF that passes the check."""
    if row.action == "approve_format":
        check_document(document)


def init_app(app: Flask) -> None:
    """Check the format when the checker approves it."""
    on_transition(app, on_format_approval)
