"""Drafts come out in the Decree 30 layout: read the DOCX back and check what a clerk checks."""

from __future__ import annotations

import dataclasses
import io
from datetime import date

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from formats.drafting import (
    LEFT_COL_MM,
    PT_PER_MM,
    build_draft_docx,
    format_number,
    format_place_date,
)
from tests.formats.samples import AS_TYPED_LETTER, DECISION, LETTER


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


def _texts(doc):
    return [p.text for p in _all_paragraphs(doc)]


def _has(element, tag):
    return element.find(".//" + qn(tag)) is not None


@pytest.mark.parametrize("spec", [DECISION, AS_TYPED_LETTER], ids=["decision", "letter"])
def test_page_is_a4_portrait_with_appendix_i_margins(spec) -> None:
    doc = _open(spec)
    assert len(doc.sections) == 1
    s = doc.sections[0]
    assert s.orientation == WD_ORIENT.PORTRAIT
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)
    assert s._sectPr.pgSz.get(qn("w:code")) == "9"  # A4 for the printer driver too
    assert 20 <= s.top_margin.mm <= 25 and 20 <= s.bottom_margin.mm <= 25
    assert 30 <= s.left_margin.mm <= 35 and 15 <= s.right_margin.mm <= 20
    assert s.gutter.mm == 0


def test_times_new_roman_everywhere() -> None:
    doc = _open()
    for p in _all_paragraphs(doc):
        for run in p.runs:
            assert run.font.name == "Times New Roman", run.text


def test_header_left_issuer_bold_caps_and_placeholder_number() -> None:
    doc = _open()
    left, _right = doc.tables[0].rows[0].cells
    issuer = _find(left.paragraphs, "ỦY BAN NHÂN DÂN\nTỈNH HÒA BÌNH")
    assert all(run.bold for run in issuer.runs)
    number = next(p for p in left.paragraphs if p.text.startswith("Số: "))
    assert number.text.endswith("/QĐ-UBND")
    gap = number.text[len("Số: "):-len("/QĐ-UBND")]
    assert len(gap) >= 8 and set(gap) == {"\u00a0"}  # reserved, never collapsed
    urgency = _find(left.paragraphs, "THƯỢNG KHẨN")  # mark under the number
    assert urgency.runs[0].bold is True


def test_parent_body_is_not_bold_and_numbered_letter_shows_vv() -> None:
    doc = _open(dataclasses.replace(LETTER, number=5, issued_date=date(2026, 2, 5)))
    left, right = doc.tables[0].rows[0].cells
    parent = _find(left.paragraphs, "ỦY BAN NHÂN DÂN\nTỈNH HÒA BÌNH")
    assert not any(run.bold for run in parent.runs)
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


# --- what the clerk typed, printed once and where Appendix I puts it -----------------------

@pytest.mark.parametrize("typed", [
    "Đôn đốc báo cáo", "V/v Đôn đốc báo cáo", "V/V Đôn đốc báo cáo", "v/v Đôn đốc báo cáo",
    "V/v. Đôn đốc báo cáo", "V/v: Đôn đốc báo cáo", "  v / v  Đôn đốc báo cáo",
    "Về việc Đôn đốc báo cáo", "V/vĐôn đốc báo cáo",
])
def test_letter_subject_carries_one_vv(typed: str) -> None:
    doc = _open(dataclasses.replace(LETTER, subject=typed))
    _find(doc.tables[0].rows[0].cells[0].paragraphs, "V/v Đôn đốc báo cáo")
    assert sum(t.lower().count("v/v") for t in _texts(doc)) == 1


def test_decision_subject_is_printed_as_typed() -> None:
    doc = _open(dataclasses.replace(DECISION, subject="Về việc ban hành Quy chế"))
    _find(doc.paragraphs, "Về việc ban hành Quy chế")
    assert not any("V/v" in t for t in _texts(doc))


def _recipients(doc):
    return [p.text for p in doc.tables[1].rows[0].cells[0].paragraphs[1:]]


def test_one_archive_line_when_the_clerk_typed_it() -> None:
    lines = _recipients(_open(AS_TYPED_LETTER))
    assert lines == ["- Như trên;", "- Sở Nội vụ (để biết);", "- Lưu: VT, TH."]
    assert sum("Lưu:" in t for t in _texts(_open(AS_TYPED_LETTER))) == 1


def test_archive_line_added_when_absent_and_without_a_unit() -> None:
    assert _recipients(_open(LETTER)) == ["- Các sở, ban, ngành;", "- Lưu: VT, TH."]
    bare = dataclasses.replace(LETTER, archive_unit="", recipients=("Lưu hành nội bộ",))
    assert _recipients(_open(bare)) == ["- Lưu hành nội bộ;", "- Lưu: VT."]


def test_names_keep_the_clerks_line_breaks() -> None:
    spec = dataclasses.replace(LETTER, parent_body="Bộ Nội vụ\r\n", issuing_body=(
        "Sở Thông tin\nvà Truyền thông  "))
    left = _open(spec).tables[0].rows[0].cells[0]
    assert [p.text for p in left.paragraphs[:2]] == ["BỘ NỘI VỤ", "SỞ THÔNG TIN\nVÀ TRUYỀN THÔNG"]
    issuer = left.paragraphs[1]
    assert len(issuer._p.findall(".//" + qn("w:br"))) == 1
    assert all(run.bold for run in issuer.runs) and issuer.alignment == WD_ALIGN_PARAGRAPH.CENTER


def _rule_after(paragraphs, text):
    index = [p.text for p in paragraphs].index(text)
    rule = paragraphs[index + 1]
    assert rule.text == "" and _has(rule._p, "w:pBdr"), "no rule under " + text
    return rule


def test_short_rule_under_the_issuing_body_centred_in_the_column() -> None:
    for spec in (DECISION, LETTER):
        left = _open(spec).tables[0].rows[0].cells[0]
        issuer = next(p for p in left.paragraphs if p.runs and p.runs[0].bold)
        rule = _rule_after(left.paragraphs, issuer.text)
        fmt = rule.paragraph_format
        assert fmt.left_indent == fmt.right_indent > 0  # centred, shorter than the column
        length = LEFT_COL_MM * PT_PER_MM - 2 * 5.4 - 2 * fmt.left_indent.pt
        assert 20 < length < LEFT_COL_MM * PT_PER_MM / 2
        # nothing else in the header carries a rule (the parent body has none)
        assert sum(_has(p._p, "w:pBdr") for p in left.paragraphs) == 1


def test_short_rule_under_the_decision_subject() -> None:
    doc = _open()
    _rule_after(doc.paragraphs, DECISION.subject)
    letter = _open(LETTER)
    assert not any(_has(p._p, "w:pBdr") for p in letter.paragraphs)  # V/v has no rule


def test_secrecy_under_the_number_then_urgency_each_framed() -> None:
    left = _open(AS_TYPED_LETTER).tables[0].rows[0].cells[0]
    texts = [p.text for p in left.paragraphs]
    number = next(i for i, t in enumerate(texts) if t.startswith("Số: "))
    subject = next(i for i, t in enumerate(texts) if t.startswith("V/v "))
    assert number < subject < texts.index("MẬT") < texts.index("HỎA TỐC") == len(texts) - 1
    for mark in ("MẬT", "HỎA TỐC"):
        p = _find(left.paragraphs, mark)
        assert p.runs[0].bold and Pt(13) <= p.runs[0].font.size <= Pt(14)
        assert _has(p._p, "w:bdr")  # the frame of the stamp
    decision = _open(dataclasses.replace(DECISION, secrecy="Tuyệt mật", urgency="Khẩn"))
    texts = [p.text for p in decision.tables[0].rows[0].cells[0].paragraphs]
    assert texts[-2:] == ["TUYỆT MẬT", "KHẨN"]
