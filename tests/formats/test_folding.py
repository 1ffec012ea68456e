"""Accent-insensitive search rests on one folding function used for index and query alike."""

from __future__ import annotations

import unicodedata

import pytest

from formats.folding import fold_vi

WORDS = [
    ("Quyết định", "quyet dinh"),
    ("đồng", "dong"),
    ("ĐỒNG", "dong"),
    ("Ủy ban nhân dân", "uy ban nhan dan"),
    ("Hòa Bình", "hoa binh"),
    ("Cộng hòa xã hội chủ nghĩa Việt Nam", "cong hoa xa hoi chu nghia viet nam"),
    ("Độc lập - Tự do - Hạnh phúc", "doc lap - tu do - hanh phuc"),
    ("Thượng khẩn", "thuong khan"),
    ("Hỏa tốc", "hoa toc"),
    ("Tuyệt mật", "tuyet mat"),
    ("Tờ trình", "to trinh"),
    ("Kế hoạch", "ke hoach"),
    ("Biên bản", "bien ban"),
    ("Giấy mời", "giay moi"),
    ("Nghị quyết", "nghi quyet"),
    ("Chỉ thị", "chi thi"),
    ("Hướng dẫn", "huong dan"),
    ("Thông báo", "thong bao"),
    ("Phó Chủ tịch", "pho chu tich"),
    ("Sở Tài nguyên và Môi trường", "so tai nguyen va moi truong"),
    ("Đắk Lắk", "dak lak"),
    ("Bà Rịa - Vũng Tàu", "ba ria - vung tau"),
    ("Thừa Thiên Huế", "thua thien hue"),
    ("Nguyễn Văn Ả", "nguyen van a"),
    ("ưỡng ựa ợp", "uong ua op"),
    ("15/QĐ-UBND", "15/qd-ubnd"),
]


@pytest.mark.parametrize(("original", "folded"), WORDS)
def test_folds_real_vietnamese_words(original: str, folded: str) -> None:
    assert fold_vi(original) == folded


def test_query_without_accents_matches_folded_text() -> None:
    assert fold_vi("quyet dinh") in fold_vi("Về việc ban hành Quyết định số 15")
    assert fold_vi("dong") in fold_vi("Hợp đồng lao động")
    assert fold_vi("QUYẾT ĐỊNH") == fold_vi("quyết định") == "quyet dinh"


def test_decomposed_input_folds_like_composed_input() -> None:
    # Text pasted from some PDFs and macOS arrives in NFD; it must fold identically.
    composed = "Nghị định về công tác văn thư"
    assert fold_vi(unicodedata.normalize("NFD", composed)) == fold_vi(composed)


def test_folding_is_idempotent_and_keeps_plain_text() -> None:
    text = "Báo cáo tình hình kinh tế - xã hội năm 2026"
    assert fold_vi(fold_vi(text)) == fold_vi(text)
    assert fold_vi("abc 123 / - .") == "abc 123 / - ."
