"""Drafts convert to PDF with real LibreOffice; Vietnamese survives; bad input fails cleanly."""

from __future__ import annotations

import dataclasses
import io
import re
import subprocess
import zipfile
from datetime import date
from pathlib import Path

import pytest

from formats.conversion import ConversionError, Converter
from formats.drafting import build_draft_docx, locate_reserved_areas
from tests.formats.samples import DECISION, LETTER
from tests.services.require import require_executable


def _pdftotext(pdf: bytes) -> str:
    exe = require_executable("pdftotext", "apt-get install poppler-utils")
    return subprocess.run([exe, "-layout", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode()


@pytest.fixture(scope="module")
def decision_pdf(converter: Converter) -> bytes:
    return converter.docx_to_pdf(build_draft_docx(DECISION))


def test_vietnamese_text_survives_conversion(decision_pdf: bytes) -> None:
    text = _pdftotext(decision_pdf)
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "QUYẾT ĐỊNH", "Về việc ban hành Quy chế công tác văn thư", "THƯỢNG KHẨN",
                     "Nghị định số 30/2020/NĐ-CP", "Nguyễn Văn Đức", "- Lưu: VT, VP.",
                     "/QĐ-UBND"):
        assert expected in text, expected


def test_fonts_are_embedded_times_compatible(decision_pdf: bytes, tmp_path: Path) -> None:
    exe = require_executable("pdffonts", "apt-get install poppler-utils")
    (tmp_path / "d.pdf").write_bytes(decision_pdf)
    listing = subprocess.run([exe, str(tmp_path / "d.pdf")], capture_output=True, text=True,
                             check=True).stdout
    fonts = [line.split()[0].split("+")[-1] for line in listing.splitlines()[2:]]
    assert fonts and all(f.startswith("LiberationSerif") for f in fonts), listing
    assert "LiberationSerif-Bold" in fonts
    assert all(" yes yes yes " in line for line in listing.splitlines()[2:])  # emb sub uni


def test_page_is_a4(decision_pdf: bytes) -> None:
    from pypdf import PdfReader

    page = PdfReader(io.BytesIO(decision_pdf)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)


def test_reserved_areas_sit_where_number_date_and_signature_go(
    decision_pdf: bytes, converter: Converter
) -> None:
    areas = locate_reserved_areas(decision_pdf, DECISION)
    nx1, ny1, nx2, ny2 = areas.number_rect
    assert 85 < nx1 < nx2 < 300 and nx2 - nx1 > 25  # a real gap in the left header column
    assert 700 < ny1 < ny2 < 800
    dx1, dy1, dx2, dy2 = areas.date_rect
    assert dx1 > 270 and dx2 <= 595 - 42 and 700 < dy1 < dy2 < 800 and dy2 - dy1 > 12
    sx1, sy1, _sx2, sy2 = areas.signature_rect
    assert sx1 > 297 and sy2 - sy1 > 50  # right half, room for the image
    assert areas.signature_page == 0
    # numbered version: the number lands inside the number rect found on the draft
    numbered = dataclasses.replace(DECISION, number=15, issued_date=date(2026, 2, 5))
    pdf = converter.docx_to_pdf(build_draft_docx(numbered))
    bbox = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode()
    date_word = re.search(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">'
                          r"ngày</word>", bbox)
    assert date_word is not None
    x, top, bottom = (float(v) for v in date_word.groups())
    assert dx1 < x < dx2 and dy1 < 842 - bottom < 842 - top < dy2 + 1


def test_numbered_letter_converts(converter: Converter) -> None:
    spec = dataclasses.replace(LETTER, number=7, issued_date=date(2026, 2, 5))
    text = _pdftotext(converter.docx_to_pdf(build_draft_docx(spec)))
    assert "Số: 07/UBND-VP" in text
    assert "Hòa Bình, ngày 05 tháng 02 năm 2026" in text
    assert "V/v Đôn đốc báo cáo" in text


@pytest.mark.parametrize(
    "data",
    [
        b"this is not a docx at all",
        b"PK\x03\x04 truncated archive",
        None,  # a zip without word/document.xml
        "truncated",  # a real docx cut in half
    ],
    ids=["text", "broken-zip", "zip-without-document", "truncated-docx"],
)
def test_corrupt_docx_gives_vietnamese_error(converter: Converter, data: object) -> None:
    if data is None:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("hello.txt", "xin chào")
        data = buf.getvalue()
    elif data == "truncated":
        whole = build_draft_docx(DECISION)
        data = whole[: len(whole) // 2]
    with pytest.raises(ConversionError) as info:
        converter.docx_to_pdf(data)  # type: ignore[arg-type]
    assert "DOCX" in str(info.value)


def test_broken_document_xml_is_refused_without_output(converter: Converter) -> None:
    source = io.BytesIO(build_draft_docx(DECISION))
    out = io.BytesIO()
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            payload = zin.read(item.filename)
            if item.filename == "word/document.xml":
                payload = payload[:200]  # malformed XML
            zout.writestr(item, payload)
    with pytest.raises(ConversionError) as info:
        converter.docx_to_pdf(out.getvalue())
    assert "LibreOffice" in str(info.value)


def test_timeout_kills_conversion_and_reports(soffice: str, tmp_path: Path) -> None:
    with (
        Converter(soffice, timeout=0.2, profile_dir=tmp_path / "p") as slow,
        pytest.raises(ConversionError, match="quá thời gian"),
    ):
        slow.docx_to_pdf(build_draft_docx(DECISION))


def test_missing_libreoffice_is_a_clear_error() -> None:
    conv = Converter("/nonexistent/soffice")
    conv.soffice = None
    with pytest.raises(ConversionError, match="LibreOffice"):
        conv.docx_to_pdf(build_draft_docx(DECISION))
    conv.close()


def test_concurrent_requests_are_serialized_and_all_succeed(converter: Converter) -> None:
    from concurrent.futures import ThreadPoolExecutor

    docs = [build_draft_docx(DECISION), build_draft_docx(LETTER)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        pdfs = list(pool.map(converter.docx_to_pdf, docs))
    assert "QUYẾT ĐỊNH" in _pdftotext(pdfs[0])
    assert "Kính gửi" in _pdftotext(pdfs[1])


def test_signing_library_fills_number_and_date_in_the_reserved_places(
    converter: Converter,
) -> None:
    from formats.drafting import format_place_date
    from signing.fields import (
        DATE_FIELD,
        NUMBER_FIELD,
        ReservedFields,
        fill_fields,
        list_text_fields,
        reserve,
    )
    from signing.sign import open_pdf_for_update

    pdf = converter.docx_to_pdf(build_draft_docx(DECISION))
    areas = locate_reserved_areas(pdf, DECISION)
    writer = open_pdf_for_update(pdf)
    reserve(writer, ReservedFields(number_rect=areas.number_rect, date_rect=areas.date_rect,
                                   page=areas.header_page))
    out = io.BytesIO()
    writer.write(out)
    when = format_place_date(DECISION.place, date(2026, 2, 5))
    filled = fill_fields(out.getvalue(), {NUMBER_FIELD: "1234", DATE_FIELD: when})
    assert filled is not None
    assert list_text_fields(filled) == {NUMBER_FIELD: "1234", DATE_FIELD: when}
