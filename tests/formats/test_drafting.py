"""Drafts come out in the Decree 30 layout: read the DOCX back and check what a clerk checks."""

from __future__ import annotations

import dataclasses
import io
from datetime import date

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

from formats.drafting import (
    build_draft_docx,
    format_number,
    format_place_date,
)
from tests.formats.samples import DECISION, LETTER


def _open(spec=DECISION):
    return Document(io.BytesIO(build_draft_docx(spec)))


def _find(paragraphs, text):
    for p in paragraphs:
        if p.text == text:
            return p
    raise AssertionError(f"{text!r} not in {[p.text for p in paragraphs]}")


def _all_paragraphs(doc):
    out = list(doc.paragraphs)
    for table in doc.tables:
        for cell in table.rows[0].cells:
            out.extend(cell.paragraphs)
    return out


def test_page_is_a4_with_decree_30_margins_and_times_new_roman() -> None:
    doc = _open()
    s = doc.sections[0]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)
    assert round(s.top_margin.mm) == round(s.bottom_margin.mm) == 20
    assert (round(s.left_margin.mm), round(s.right_margin.mm)) == (30, 15)
    for p in _all_paragraphs(doc):
        for run in p.runs:
            assert run.font.name == "Times New Roman", run.text


def test_header_left_issuer_bold_caps_and_placeholder_number() -> None:
    doc = _open()
    left, _right = doc.tables[0].rows[0].cells
    issuer = _find(left.paragraphs, "ỦY BAN NHÂN DÂN TỈNH HÒA BÌNH")
    assert issuer.runs[0].bold is True
    number = left.paragraphs[1]
    assert number.text.startswith("Số: ") and number.text.endswith("/QĐ-UBND")
    gap = number.text[len("Số: "):-len("/QĐ-UBND")]
    assert len(gap) >= 8 and set(gap) == {"\u00a0"}  # reserved, never collapsed
    urgency = _find(left.paragraphs, "THƯỢNG KHẨN")  # mark under the number
    assert urgency.runs[0].bold is True


def test_parent_body_is_not_bold_and_numbered_letter_shows_vv() -> None:
    doc = _open(dataclasses.replace(LETTER, number=5, issued_date=date(2026, 2, 5)))
    left, right = doc.tables[0].rows[0].cells
    parent = _find(left.paragraphs, "ỦY BAN NHÂN DÂN TỈNH HÒA BÌNH")
    assert not parent.runs[0].bold
    assert _find(left.paragraphs, "VĂN PHÒNG").runs[0].bold is True
    _find(left.paragraphs, "Số: 05/UBND-VP")
    _find(left.paragraphs, "V/v " + LETTER.subject)
    date_line = _find(right.paragraphs, "Hòa Bình, ngày 05 tháng 02 năm 2026")
    assert date_line.runs[0].italic is True
    # a công văn has no type heading; it greets its addressees instead
    texts = [p.text for p in doc.paragraphs]
    assert "CÔNG VĂN" not in texts
    assert "Kính gửi: Các sở, ban, ngành tỉnh" in texts


def test_header_right_national_title_and_motto() -> None:
    doc = _open()
    right = doc.tables[0].rows[0].cells[1]
    title = _find(right.paragraphs, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert title.runs[0].bold and Pt(12) <= title.runs[0].font.size <= Pt(13)
    motto = _find(right.paragraphs, "Độc lập - Tự do - Hạnh phúc")
    run = motto.runs[0]
    assert run.bold and run.underline and Pt(13) <= run.font.size <= Pt(14)
    # unnumbered: the date line is reserved (empty) for the form field filled after signing
    assert right.paragraphs[2].text == ""


def test_type_heading_subject_and_justified_body() -> None:
    doc = _open()
    heading = _find(doc.paragraphs, "QUYẾT ĐỊNH")
    assert heading.runs[0].bold and heading.alignment == WD_ALIGN_PARAGRAPH.CENTER
    subject = _find(doc.paragraphs, DECISION.subject)
    assert subject.runs[0].bold
    for text in DECISION.body:
        p = _find(doc.paragraphs, text)
        assert p.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
        assert Pt(13) <= p.runs[0].font.size <= Pt(14)


def test_signer_block_and_recipients() -> None:
    doc = _open()
    left, right = doc.tables[1].rows[0].cells
    texts = [p.text for p in right.paragraphs]
    assert texts[:2] == ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    assert texts[-1] == "Nguyễn Văn Đức"
    assert texts[2:-1] == [""] * 5  # room for the signature image and seal
    assert right.paragraphs[1].runs[0].bold and right.paragraphs[-1].runs[0].bold
    heading = left.paragraphs[0]
    assert heading.text == "Nơi nhận:"
    run = heading.runs[0]
    assert run.bold and run.italic and run.font.size == Pt(12)
    lines = [p.text for p in left.paragraphs[1:]]
    assert lines == ["- Như Điều 3;", "- Chủ tịch, các PCT UBND tỉnh;", "- Sở Nội vụ;",
                     "- Lưu: VT, VP."]
    assert all(p.runs[0].font.size == Pt(11) for p in left.paragraphs[1:])


def test_number_and_date_formatting_rules() -> None:
    assert format_number(5) == "05"
    assert format_number(123) == "123"
    assert format_place_date("Hà Nội", date(2026, 3, 9)) == "Hà Nội, ngày 09 tháng 3 năm 2026"
    assert format_place_date("Huế", date(2026, 1, 25)) == "Huế, ngày 25 tháng 01 năm 2026"
    assert Mm(30)  # keep the import honest
