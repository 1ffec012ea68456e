"""The format checker places the number, date and signature boxes on an upload (issue #11).

An uploaded DOCX or PDF that lacks Appendix I's reserved places is shown to the checker as
its rendered pages (the sign-what-you-see viewer); she clicks where each box goes. The boxes
have the fixed sizes below; each must lie on the page, inside Appendix I's margins, over no
printed word (poppler's ``pdftotext -bbox``) and clear of the other boxes, else the refusal
says what to move. They are kept with the PDF's hash (``placed_boxes``) and the PDF itself is
untouched, so the leader still signs exactly the PDF everyone viewed; the format check,
signing and numbering then write into these boxes only. Nothing is ever stamped over text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask_login import current_user
from pydantic import Field

from eoffice import audit
from eoffice.accounts.models import User
from eoffice.actions import ActionInput
from eoffice.documents import format_check
from eoffice.documents.common import Result
from eoffice.documents.errors import InvalidInput
from eoffice.documents.format_check import MM, SEAL_REACH, Rect, overlaps, page_words
from eoffice.documents.models import Direction, Document, ParticipantRole
from eoffice.documents.placed_boxes import PlacedBoxes, placed_layout
from eoffice.documents.states import Out
from eoffice.documents.viewed_pdf import NOT_RENDERED, rendered_version
from eoffice.documents.workflow import available, check
from eoffice.extensions import db
from eoffice.files.service import object_store

# Sizes (PDF points). The number line "Số: 125/KH-UBND" and the place-and-date line
# "Hòa Bình, ngày 05 tháng 02 năm 2026" in 13 pt; the signature block as signing draws it
# for a page that does not print the signer (authority, title, image, name: 200 × 130 pt)
# with the seal's reach at its left (it overlaps the left third of the image).
NUMBER_SIZE = (70 * MM, 8 * MM)
DATE_SIZE = (95 * MM, 8 * MM)
SIGNATURE_WIDTH = 200.0
SIGNATURE_SIZE = (SIGNATURE_WIDTH + SEAL_REACH / 2, 130.0)
# Appendix I margins the boxes stay inside: left 30 mm, right 15 mm, top and bottom 20 mm.
MARGINS = (30 * MM, 15 * MM, 20 * MM, 20 * MM)  # left, right, top, bottom
TOLERANCE = 0.5

KINDS = ("number", "date", "signature")
LABELS = {"number": "Ô số, ký hiệu", "date": "Ô địa danh, ngày tháng",
          "signature": "Ô chữ ký và con dấu"}
SIZES = {"number": NUMBER_SIZE, "date": DATE_SIZE, "signature": SIGNATURE_SIZE}


class Placement(ActionInput):
    """Where the checker clicked for each box: its page (from 1) and its centre in PDF
    points from the page's bottom-left corner."""

    number_page: int = Field(title="Trang của ô số, ký hiệu", ge=1, le=10000)
    number_x: float = Field(title="Ô số, ký hiệu: hoành độ tâm (pt)")
    number_y: float = Field(title="Ô số, ký hiệu: tung độ tâm (pt)")
    date_page: int = Field(title="Trang của ô ngày tháng", ge=1, le=10000)
    date_x: float = Field(title="Ô ngày tháng: hoành độ tâm (pt)")
    date_y: float = Field(title="Ô ngày tháng: tung độ tâm (pt)")
    signature_page: int = Field(title="Trang của ô chữ ký", ge=1, le=10000)
    signature_x: float = Field(title="Ô chữ ký: hoành độ tâm (pt)")
    signature_y: float = Field(title="Ô chữ ký: tung độ tâm (pt)")


@dataclass(frozen=True)
class Box:
    """A placed box: kind, page (from 0) and rectangle in PDF points (bottom-left origin)."""

    kind: str
    page: int
    rect: Rect

    @property
    def label(self) -> str:
        return LABELS[self.kind]


def boxes_from(data: Placement) -> list[Box]:
    """The three boxes of their fixed sizes, centred where the checker clicked."""
    boxes = []
    for kind in KINDS:
        width, height = SIZES[kind]
        x, y = float(getattr(data, f"{kind}_x")), float(getattr(data, f"{kind}_y"))
        page = int(getattr(data, f"{kind}_page")) - 1
        boxes.append(Box(kind, page, (round(x - width / 2, 1), round(y - height / 2, 1),
                                      round(x + width / 2, 1), round(y + height / 2, 1))))
    return boxes


def _mm(value: float) -> str:
    return f"{value / MM:.0f}"


def validate(pdf: bytes, boxes: list[Box]) -> None:
    """Refuse (``InvalidInput`` saying what to move) boxes off the page, outside Appendix I's
    margins, over printed text, over each other, or a number and date on different pages."""
    sizes, words = page_words(pdf)
    left, right, top, bottom = MARGINS
    for box in boxes:
        if not 0 <= box.page < len(sizes):
            raise InvalidInput(f"{box.label}: văn bản không có trang {box.page + 1}.")
        width, height = sizes[box.page]
        x1, y1, x2, y2 = box.rect
        if (x1 < left - TOLERANCE or x2 > width - right + TOLERANCE
                or y1 < bottom - TOLERANCE or y2 > height - top + TOLERANCE):
            raise InvalidInput(
                f"{box.label} ở trang {box.page + 1} ra ngoài lề theo Phụ lục I (trái 30 mm, "
                f"phải 15 mm, trên và dưới 20 mm): ô đang cách mép trái {_mm(x1)} mm, mép phải "
                f"{_mm(width - x2)} mm, mép trên {_mm(height - y2)} mm, mép dưới {_mm(y1)} mm. "
                f"Hãy bấm đặt ô vào trong lề.")
        covered = [w.text for w in words if w.page == box.page and overlaps(w.rect, box.rect)]
        if covered:
            shown = " ".join(covered[:6]) + (" …" if len(covered) > 6 else "")
            raise InvalidInput(
                f"{box.label} ở trang {box.page + 1} đè lên chữ “{shown}”; hệ thống không đóng "
                f"số, ngày, chữ ký đè lên chữ. Hãy bấm đặt ô vào chỗ trống (ô rộng "
                f"{_mm(box.rect[2] - box.rect[0])} mm, cao {_mm(box.rect[3] - box.rect[1])} mm); "
                f"nếu văn bản không còn chỗ trống, hãy trả lại để người soạn thảo trình bày "
                f"lại theo Phụ lục I.")
    for index, a in enumerate(boxes):
        for b in boxes[index + 1:]:
            if a.page == b.page and (a.rect[0] < b.rect[2] and b.rect[0] < a.rect[2]
                                     and a.rect[1] < b.rect[3] and b.rect[1] < a.rect[3]):
                raise InvalidInput(f"{a.label} và {b.label} chồng lên nhau ở trang "
                                   f"{a.page + 1}; hãy đặt hai ô tách rời nhau.")
    number, date = boxes[0], boxes[1]
    if number.page != date.page:
        raise InvalidInput("Ô số, ký hiệu và ô địa danh, ngày tháng phải ở cùng một trang "
                           "(trang đầu của văn bản theo Phụ lục I).")


def prints_name(pdf: bytes, page: int, full_name: str) -> bool:
    """Whether ``page`` of ``pdf`` prints ``full_name`` (the signer's name under the box)."""
    _sizes, words = page_words(pdf)
    text = " ".join(w.text for w in words if w.page == page)
    return bool(full_name.strip()) and " ".join(full_name.split()) in text


def layout_of(boxes: list[Box], sha256: str, prints_signer: bool = False) -> dict[str, Any]:
    """The layout signing reads, for boxes placed on the PDF ``sha256``. Where the page
    prints the signer's name itself, the signature is the image alone, with the seal, inside
    the whole box (never a second title or name); otherwise the leader's block (authority,
    title, image, name) is at the box's right and the seal reaches into the rest."""
    number, date, signature = boxes
    _x1, y1, x2, y2 = signature.rect
    leader = list(signature.rect) if prints_signer else [x2 - SIGNATURE_WIDTH, y1, x2, y2]
    return {"number_rect": list(number.rect), "date_rect": list(date.rect),
            "header_page": number.page, "signature_rect": leader,
            "signature_area": list(signature.rect), "signature_page": signature.page,
            "prints_signer": prints_signer, "number_only": False, "placed": True,
            "sha256": sha256}


def place(actor: User, document: Document, data: Placement) -> Result:
    """Keep the checker's boxes for the document's rendered PDF, once they are valid."""
    check(actor, document, "approve_format")
    version = rendered_version(document)
    if version is None:
        raise InvalidInput(NOT_RENDERED)
    sha256 = version.file.sha256
    boxes = boxes_from(data)
    pdf = object_store().read_bytes(sha256)
    validate(pdf, boxes)
    signer = document.person(ParticipantRole.SIGNER)
    printed = signer is not None and prints_name(pdf, boxes[2].page, signer.full_name)
    layout = layout_of(boxes, sha256, prints_signer=printed)
    db.session.add(PlacedBoxes(document_id=document.id, sha256=sha256, layout=layout,
                               placed_by_id=actor.id))
    audit.record(actor, "boxes_placed", "document", document.id, direction=document.direction,
                 version=version.number, sha256=sha256,
                 boxes={b.kind: {"page": b.page + 1, "rect": list(b.rect)} for b in boxes})
    return Result(document)


@dataclass(frozen=True)
class Panel:
    """What the checker sees: the format check's verdict on the current places, the page
    sizes (for the preview), the fixed box sizes and the boxes already placed."""

    document_id: int
    problem: str | None
    pages: list[tuple[float, float]]
    placed: dict[str, Any] | None

    @property
    def sizes(self) -> dict[str, tuple[float, float]]:
        return SIZES

    @property
    def labels(self) -> dict[str, str]:
        return LABELS


def panel_for(document: Document) -> Panel | None:
    """The placement panel for the current user: only the format checker of an upload (no
    layout from our template) while the format check waits, once its PDF is rendered."""
    if (document.direction != Direction.OUTGOING or document.state != Out.CONTENT_OK
            or not current_user.is_authenticated):
        return None
    layout = document.layout or {}
    if layout and not (layout.get("measured") or layout.get("placed")):
        return None  # generated from our template: its places are measured at generation
    if not any(t.action == "approve_format" for t in available(current_user, document)):
        return None
    version = rendered_version(document)
    if version is None:
        return None
    pdf = object_store().read_bytes(version.file.sha256)
    placed = placed_layout(document.id, version.file.sha256)
    try:
        sizes, _words = page_words(pdf)
    except InvalidInput as refusal:
        return Panel(document.id, refusal.message, [], placed)
    try:
        format_check.check_pdf(pdf, format_check.layout_of(document, pdf, version.file.sha256)
                               or {})
        problem = None
    except InvalidInput as refusal:
        problem = refusal.message
    return Panel(document.id, problem, sizes, placed)


def init_app(app: Flask) -> None:
    """The panel is asked for by the document page's template."""
    app.add_template_global(panel_for, "box_placement_panel")
