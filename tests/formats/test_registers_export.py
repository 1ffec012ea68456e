"""Registers print with the Appendix IV columns, in landscape, as DOCX and PDF."""

from __future__ import annotations

import io
import subprocess
from datetime import date

import pytest
from docx import Document
from pypdf import PdfReader

from formats.conversion import Converter
from formats.registers_export import (
    FollowUpRegisterRow,
    IncomingRegisterRow,
    OutgoingRegisterRow,
    RegisterHeading,
    RegisterKind,
    build_register_docx,
    build_register_pdf,
)

HEADING = RegisterHeading(organisation="Ủy ban nhân dân tỉnh Hòa Bình", start=date(2026, 1, 1),
                          end=date(2026, 3, 31), register_name="Văn bản hành chính")
OUT_ROWS = [
    OutgoingRegisterRow(f"{n:02d}/QĐ-UBND", date(2026, 2, n % 28 + 1),
                        f"Quyết định về việc phê duyệt kế hoạch số {n}", "Nguyễn Văn Đức",
                        "Sở Nội vụ; Sở Tài chính", "VP, Lê Thị Văn Thư", 5, date(2026, 2, 6))
    for n in range(1, 41)
]
IN_ROWS = [IncomingRegisterRow(date(2026, 2, 3), 125, "Sở Nội vụ", "12/SNV-TCBC",
                               date(2026, 2, 1), "Công văn về việc tuyển dụng công chức",
                               "Phòng Kinh tế", date(2026, 2, 3))]
FOLLOW_ROWS = [FollowUpRegisterRow(125, "Công văn số 12/SNV-TCBC ngày 01/02/2026 của Sở Nội vụ",
                                   "Phòng Kinh tế, Trần Văn Chuyên", date(2026, 2, 20),
                                   "Đang xử lý", "", "Quá hạn 2 ngày")]


def _table(data: bytes):
    doc = Document(io.BytesIO(data))
    return doc, doc.tables[0]


@pytest.mark.parametrize(
    ("kind", "rows", "headers"),
    [
        (RegisterKind.OUTGOING, OUT_ROWS,
         ["Số, ký hiệu", "Ngày tháng văn bản", "Tên loại và trích yếu", "Người ký", "Nơi nhận",
          "Đơn vị, người nhận bản lưu", "Số lượng bản", "Ngày chuyển", "Ký nhận", "Ghi chú"]),
        (RegisterKind.INCOMING, IN_ROWS,
         ["Ngày đến", "Số đến", "Tác giả", "Số, ký hiệu", "Ngày tháng văn bản",
          "Tên loại và trích yếu", "Đơn vị hoặc người nhận", "Ngày chuyển", "Ký nhận",
          "Ghi chú"]),
        (RegisterKind.FOLLOW_UP, FOLLOW_ROWS,
         ["Số đến", "Tên loại, số, ký hiệu, ngày, cơ quan ban hành", "Đơn vị/người nhận",
          "Thời hạn giải quyết", "Tiến độ", "Số, ký hiệu văn bản trả lời", "Ghi chú"]),
    ],
)
def test_register_docx_has_exact_appendix_iv_headers(kind, rows, headers) -> None:
    doc, table = _table(build_register_docx(kind, HEADING, rows))
    assert [c.text for c in table.rows[0].cells] == headers
    assert [c.text for c in table.rows[1].cells] == [f"({i})" for i in range(1, len(headers) + 1)]
    assert len(table.rows) == 2 + len(rows)
    section = doc.sections[0]
    assert section.page_width > section.page_height  # landscape A4
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (297, 210)
    texts = [p.text for p in doc.paragraphs]
    assert kind.title in texts
    assert "Từ ngày 01/01/2026 đến ngày 31/03/2026" in texts


def test_row_values_land_in_their_columns() -> None:
    _, table = _table(build_register_docx(RegisterKind.INCOMING, HEADING, IN_ROWS))
    assert [c.text for c in table.rows[2].cells] == [
        "03/02/2026", "125", "Sở Nội vụ", "12/SNV-TCBC", "01/02/2026",
        "Công văn về việc tuyển dụng công chức", "Phòng Kinh tế", "03/02/2026", "", ""]


def test_wrong_row_type_is_a_programming_error() -> None:
    with pytest.raises(TypeError):
        build_register_docx(RegisterKind.OUTGOING, HEADING, IN_ROWS)


def test_register_pdf_is_landscape_with_repeated_headers(converter: Converter) -> None:
    pdf = build_register_pdf(RegisterKind.OUTGOING, HEADING, OUT_ROWS, converter=converter)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 2
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)
    for page in range(len(reader.pages)):
        text = subprocess.run(["pdftotext", "-f", str(page + 1), "-l", str(page + 1), "-", "-"],
                              input=pdf, capture_output=True, check=True).stdout.decode()
        assert "Tên loại và trích yếu" in text  # header repeats on every printed page
    whole = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True,
                           check=True).stdout.decode()
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐI" in whole and "40/QĐ-UBND" in whole
