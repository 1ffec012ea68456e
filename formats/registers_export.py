"""Printable registers (sổ đăng ký, Decree 30/2020 Appendix IV) as DOCX and PDF.

Registers are printed for a period, signed and bound, so the columns and their Vietnamese
headers follow Appendix IV exactly; "Ký nhận" stays empty for the handwritten signature of the
person receiving the document. Callers pass plain row dataclasses (built from their own
models), so this module knows nothing about the database.
"""

from __future__ import annotations

import enum
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from formats.conversion import Converter, default_converter
from formats.drafting import FONT_NAME

__all__ = [
    "FollowUpRegisterRow",
    "IncomingRegisterRow",
    "OutgoingRegisterRow",
    "RegisterHeading",
    "RegisterKind",
    "build_register_docx",
    "build_register_pdf",
]


def _d(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


@dataclass(frozen=True)
class OutgoingRegisterRow:
    number_notation: str
    document_date: date
    type_and_subject: str
    signer: str
    recipients: str
    archive_holder: str
    copies: int | None = None
    transfer_date: date | None = None
    note: str = ""

    def cells(self) -> list[str]:
        return [self.number_notation, _d(self.document_date), self.type_and_subject,
                self.signer, self.recipients, self.archive_holder,
                "" if self.copies is None else str(self.copies), _d(self.transfer_date), "",
                self.note]


@dataclass(frozen=True)
class IncomingRegisterRow:
    arrival_date: date
    arrival_number: int
    author: str
    number_notation: str
    document_date: date | None
    type_and_subject: str
    recipient: str
    transfer_date: date | None = None
    note: str = ""

    def cells(self) -> list[str]:
        return [_d(self.arrival_date), str(self.arrival_number), self.author,
                self.number_notation, _d(self.document_date), self.type_and_subject,
                self.recipient, _d(self.transfer_date), "", self.note]


@dataclass(frozen=True)
class FollowUpRegisterRow:
    arrival_number: int
    document: str
    """"Tên loại, số, ký hiệu, ngày, cơ quan ban hành" in one cell, e.g.
    "Công văn số 12/SNV-TCBC ngày 03/02/2026 của Sở Nội vụ"."""
    recipient: str
    deadline: date | None
    progress: str
    reply_number_notation: str = ""
    note: str = ""

    def cells(self) -> list[str]:
        return [str(self.arrival_number), self.document, self.recipient, _d(self.deadline),
                self.progress, self.reply_number_notation, self.note]


class RegisterKind(enum.Enum):
    OUTGOING = "outgoing"
    INCOMING = "incoming"
    FOLLOW_UP = "follow_up"

    @property
    def title(self) -> str:
        return _TITLES[self]

    @property
    def headers(self) -> tuple[str, ...]:
        return _HEADERS[self]


_TITLES = {
    RegisterKind.OUTGOING: "SỔ ĐĂNG KÝ VĂN BẢN ĐI",
    RegisterKind.INCOMING: "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN",
    RegisterKind.FOLLOW_UP: "SỔ THEO DÕI GIẢI QUYẾT VĂN BẢN ĐẾN",
}
_HEADERS = {
    RegisterKind.OUTGOING: (
        "Số, ký hiệu", "Ngày tháng văn bản", "Tên loại và trích yếu", "Người ký", "Nơi nhận",
        "Đơn vị, người nhận bản lưu", "Số lượng bản", "Ngày chuyển", "Ký nhận", "Ghi chú"),
    RegisterKind.INCOMING: (
        "Ngày đến", "Số đến", "Tác giả", "Số, ký hiệu", "Ngày tháng văn bản",
        "Tên loại và trích yếu", "Đơn vị hoặc người nhận", "Ngày chuyển", "Ký nhận", "Ghi chú"),
    RegisterKind.FOLLOW_UP: (
        "Số đến", "Tên loại, số, ký hiệu, ngày, cơ quan ban hành", "Đơn vị/người nhận",
        "Thời hạn giải quyết", "Tiến độ", "Số, ký hiệu văn bản trả lời", "Ghi chú"),
}
# Relative column widths; text-heavy columns get the room (landscape A4, 267 mm usable).
_WEIGHTS = {
    RegisterKind.OUTGOING: (2.6, 2.1, 4.6, 2.2, 2.8, 2.4, 1.3, 2.1, 1.6, 1.5),
    RegisterKind.INCOMING: (2.1, 1.3, 2.8, 2.6, 2.1, 4.6, 2.6, 2.1, 1.6, 1.5),
    RegisterKind.FOLLOW_UP: (1.3, 6.0, 3.0, 2.0, 3.5, 2.6, 2.0),
}
_ROW_TYPES: dict[RegisterKind, type] = {
    RegisterKind.OUTGOING: OutgoingRegisterRow,
    RegisterKind.INCOMING: IncomingRegisterRow,
    RegisterKind.FOLLOW_UP: FollowUpRegisterRow,
}
Row = OutgoingRegisterRow | IncomingRegisterRow | FollowUpRegisterRow


@dataclass(frozen=True)
class RegisterHeading:
    organisation: str
    start: date
    end: date
    parent_body: str = ""
    register_name: str = ""
    """Optional series name, e.g. "Văn bản hành chính" or "Văn bản mật"."""


def _font(run: object, size: float, *, bold: bool = False, italic: bool = False) -> None:
    run.font.name = FONT_NAME  # type: ignore[attr-defined]
    run.font.size = Pt(size)  # type: ignore[attr-defined]
    run.bold = bold  # type: ignore[attr-defined]
    run.italic = italic  # type: ignore[attr-defined]
    rfonts = run.element.get_or_add_rPr().get_or_add_rFonts()  # type: ignore[attr-defined]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), FONT_NAME)


def _line(doc: object, text: str, size: float, *, bold: bool = False, italic: bool = False,
          align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.CENTER) -> None:
    p = doc.add_paragraph()  # type: ignore[attr-defined]
    p.alignment = align
    p.paragraph_format.space_after = Pt(2)
    _font(p.add_run(text), size, bold=bold, italic=italic)


def _repeat_as_header(row: object) -> None:
    tr_pr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def build_register_docx(kind: RegisterKind, heading: RegisterHeading,
                        rows: Sequence[Row]) -> bytes:
    """The register for ``heading.start``–``heading.end`` as a landscape A4 DOCX."""
    expected = _ROW_TYPES[kind]
    for row in rows:
        if not isinstance(row, expected):
            raise TypeError(f"{kind.name} register rows must be {expected.__name__}")
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin = section.bottom_margin = Mm(15)
    section.left_margin, section.right_margin = Mm(20), Mm(10)

    if heading.parent_body:
        _line(doc, heading.parent_body.upper(), 12, align=WD_ALIGN_PARAGRAPH.LEFT)
    _line(doc, heading.organisation.upper(), 12, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    _line(doc, kind.title, 16, bold=True)
    if heading.register_name:
        _line(doc, heading.register_name, 13, bold=True)
    _line(doc, f"Từ ngày {_d(heading.start)} đến ngày {_d(heading.end)}", 13, italic=True)

    headers = kind.headers
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    weights = _WEIGHTS[kind]
    usable = 297 - 30
    widths = [Mm(usable * w / sum(weights)) for w in weights]
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    header_row = table.rows[0]
    _repeat_as_header(header_row)
    for cell, text, width in zip(header_row.cells, headers, widths, strict=True):
        cell.width = width
        p = cell.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(p.add_run(text), 11, bold=True)
    numbers = table.add_row()  # Appendix IV numbers the columns (1)…(n) under the headers
    _repeat_as_header(numbers)
    for index, (cell, width) in enumerate(zip(numbers.cells, widths, strict=True), start=1):
        cell.width = width
        p = cell.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(p.add_run(f"({index})"), 10, italic=True)
    for row in rows:
        cells = table.add_row().cells
        for cell, text, width in zip(cells, row.cells(), widths, strict=True):
            cell.width = width
            _font(cell.paragraphs[0].add_run(text), 11)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def build_register_pdf(kind: RegisterKind, heading: RegisterHeading, rows: Sequence[Row],
                       converter: Converter | None = None) -> bytes:
    """The same register as PDF (LibreOffice); raises ``ConversionError`` on failure."""
    docx = build_register_docx(kind, heading, rows)
    return (converter or default_converter()).docx_to_pdf(docx)
