"""The clerk's text turned into Appendix I lines: one "V/v", one "Lưu:", names as broken."""

from __future__ import annotations

import glob
import unicodedata

import pytest

from formats.draft_text import (
    bold_text_width,
    name_lines,
    recipient_lines,
    subject_line,
    wrapped_width,
)


@pytest.mark.parametrize(("typed", "printed"), [
    ("Đôn đốc báo cáo", "V/v Đôn đốc báo cáo"),
    ("V/v Đôn đốc báo cáo", "V/v Đôn đốc báo cáo"),
    ("V/V đôn đốc", "V/v đôn đốc"),
    ("v/v đôn đốc", "V/v đôn đốc"),
    ("V/v. đôn đốc", "V/v đôn đốc"),
    ("V/v: đôn đốc", "V/v đôn đốc"),
    ("v / v  đôn đốc", "V/v đôn đốc"),
    ("VỀ VIỆC đôn đốc", "V/v đôn đốc"),
    (unicodedata.normalize("NFD", "Về việc đôn đốc"), "V/v đôn đốc"),  # decomposed input
    ("V/vđôn đốc", "V/v đôn đốc"),  # the space forgotten
    ("Vv đôn đốc", "V/v Vv đôn đốc"),  # not the abbreviation
    ("Về việc", "V/v"),
    ("", "V/v"),
])
def test_subject_line(typed: str, printed: str) -> None:
    assert subject_line(typed) == printed


def test_recipient_lines_end_with_one_archive_line() -> None:
    assert recipient_lines(["Như trên", "Sở Tài chính;"], "VP") == [
        "- Như trên;", "- Sở Tài chính;", "- Lưu: VT, VP."]
    assert recipient_lines(["- Lưu: VT, TH, 02b", "• Như trên."], "VP") == [
        "- Như trên;", "- Lưu: VT, TH, 02b."]
    assert recipient_lines(["LƯU: VT, P.TH;"], "VP") == ["- Lưu: VT, P.TH."]
    assert recipient_lines(["Lưu VT, TCCB"], "VP") == ["- Lưu: VT, TCCB."]
    assert recipient_lines(["Lưu hành nội bộ", "", " - ; "], "") == [
        "- Lưu hành nội bộ;", "- Lưu: VT."]


def test_name_lines_keep_breaks_only() -> None:
    assert name_lines("Ủy ban nhân dân\r\ntỉnh  Hòa Bình\n\n") == [
        "Ủy ban nhân dân", "tỉnh Hòa Bình"]
    assert name_lines("Sở Nội vụ") == ["Sở Nội vụ"]
    assert name_lines("  ") == []


def test_widths_are_times_new_roman_bold() -> None:
    fonts = glob.glob("/usr/share/fonts/truetype/liberation*/LiberationSerif-Bold.ttf")
    if not fonts:
        pytest.skip("Liberation Serif Bold is not installed")
    from fontTools.ttLib import TTFont

    font = TTFont(fonts[0])
    cmap, metrics = font.getBestCmap(), font["hmtx"]
    scale = 12 / font["head"].unitsPerEm
    for text in ("ỦY BAN NHÂN DÂN TỈNH HÒA BÌNH", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG",
                 "Về việc ban hành Quy chế công tác văn thư", "BỘ NỘI VỤ", "TRƯỜNG ĐẠI HỌC",
                 "ỪỨỬỮỰ ỜỚỞỠỢ ừứửữự ờớởỡợ"):
        actual = sum(metrics[cmap[ord(c)]][0] for c in text) * scale
        assert bold_text_width(text, 12) == pytest.approx(actual, rel=0.01), text


def test_wrapped_width_is_the_longest_wrapped_line() -> None:
    one = bold_text_width("ỦY BAN NHÂN DÂN", 12)
    assert wrapped_width("ỦY BAN NHÂN DÂN", 12, 500) == pytest.approx(one)
    narrow = wrapped_width("ỦY BAN NHÂN DÂN TỈNH HÒA BÌNH", 12, one + 1)
    assert narrow == pytest.approx(one)
    assert wrapped_width("A" * 200, 12, 100) == 100  # one word wider than the column


def test_a_committee_named_on_one_line_is_printed_on_two() -> None:
    """"ỦY BAN NHÂN DÂN TỈNH HÒA BÌNH" must not wrap as "…TỈNH HÒA / BÌNH": the kind goes
    on its own line, whatever the spelling of the marks ("Uỷ" or "Ủy")."""
    assert name_lines("Ủy ban nhân dân tỉnh Hòa Bình") == ["Ủy ban nhân dân", "tỉnh Hòa Bình"]
    assert name_lines("Uỷ ban nhân dân huyện Lạc Sơn") == ["Uỷ ban nhân dân", "huyện Lạc Sơn"]
    assert name_lines("Hội đồng nhân dân tỉnh Hòa Bình") == ["Hội đồng nhân dân",
                                                           "tỉnh Hòa Bình"]
    assert name_lines("Ủy ban nhân dân") == ["Ủy ban nhân dân"]
    assert name_lines("Sở Tài nguyên và Môi trường") == ["Sở Tài nguyên và Môi trường"]
    assert name_lines("Ủy ban nhân dân tỉnh\nHòa Bình") == ["Ủy ban nhân dân tỉnh", "Hòa Bình"]
