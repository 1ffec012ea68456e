"""What a clerk checks on the printed draft, measured on the PDF LibreOffice makes of it:
A4 and Appendix I margins, one "V/v", one "Lưu:", names broken where the clerk broke them,
the short rules under the issuing body and the trích yếu, secrecy then urgency under the
number — and the reserved number, date and signature places still found."""

from __future__ import annotations

import dataclasses
import io
import re
import subprocess
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import pytest
from PIL import Image

from formats.conversion import Converter
from formats.drafting import (
    LEFT_COL_MM,
    MARGIN_BOTTOM_MM,
    MARGIN_LEFT_MM,
    MARGIN_RIGHT_MM,
    MARGIN_TOP_MM,
    PT_PER_MM,
    build_draft_docx,
    locate_reserved_areas,
)
from tests.formats.samples import AS_TYPED_LETTER, DECISION
from tests.services.require import require_executable

SECRET_DECISION = dataclasses.replace(DECISION, secrecy="Tối mật")
A4 = (595.3, 841.9)
COLUMN_RIGHT = (MARGIN_LEFT_MM + LEFT_COL_MM) * PT_PER_MM


@dataclass(frozen=True)
class Word:
    page: int
    x1: float
    top: float
    x2: float
    bottom: float
    text: str


@dataclass(frozen=True)
class Printed:
    pdf: bytes
    text: str
    words: list[Word]
    pages: list[tuple[float, float]]

    def find(self, text: str, page: int = 0) -> Word:
        return next(w for w in self.words if w.text == text and w.page == page)

    def line_of(self, word: Word, header: bool = True) -> list[Word]:
        """The words printed on the line of ``word`` (in its header column if ``header``)."""
        return sorted((w for w in self.words if w.page == word.page
                       and abs(w.top - word.top) < 1 and (not header or (
                           w.x1 < COLUMN_RIGHT) == (word.x1 < COLUMN_RIGHT))),
                      key=lambda w: w.x1)


def _print(converter: Converter, spec) -> Printed:
    pdf = converter.docx_to_pdf(build_draft_docx(spec))
    exe = require_executable("pdftotext", "apt-get install poppler-utils")
    text = subprocess.run([exe, "-layout", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode()
    bbox = subprocess.run([exe, "-bbox", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode()
    words, pages = [], []
    for index, chunk in enumerate(bbox.split("<page ")[1:]):
        size = re.match(r'width="([\d.]+)" height="([\d.]+)"', chunk)
        assert size is not None
        pages.append((float(size.group(1)), float(size.group(2))))
        for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                             r'yMax="([\d.]+)">([^<]*)</word>', chunk):
            words.append(Word(index, *(float(v) for v in m.groups()[:4]),
                              unescape(m.group(5))))
    return Printed(pdf, text, words, pages)


@pytest.fixture(scope="module")
def letter(converter: Converter) -> Printed:
    return _print(converter, AS_TYPED_LETTER)


@pytest.fixture(scope="module")
def decision(converter: Converter) -> Printed:
    return _print(converter, SECRET_DECISION)


def _dark_runs(printed: Printed, top: float, bottom: float, tmp_path: Path,
               dpi: int = 144) -> list[tuple[float, float]]:
    """Horizontal dark runs (x1, x2 in points) at least 10 pt long in the band top–bottom
    (points from the top) of page 1: the drawn rules, never glyphs."""
    exe = require_executable("pdftoppm", "apt-get install poppler-utils")
    (tmp_path / "p.pdf").write_bytes(printed.pdf)
    subprocess.run([exe, "-r", str(dpi), "-gray", "-png", "-f", "1", "-l", "1", "-singlefile",
                    str(tmp_path / "p.pdf"), str(tmp_path / "p")], check=True)
    image = Image.open(io.BytesIO((tmp_path / "p.png").read_bytes())).convert("L")
    scale = dpi / 72
    runs = []
    for y in range(int(top * scale), int(bottom * scale) + 1):
        row = [image.getpixel((x, y)) < 128 for x in range(image.width)]
        start = None
        for x, dark in enumerate([*row, False]):
            if dark and start is None:
                start = x
            elif not dark and start is not None:
                if x - start >= 10 * scale:
                    runs.append((start / scale, x / scale))
                start = None
    return runs


def test_page_is_a4_with_appendix_i_margins(converter: Converter, letter: Printed) -> None:
    assert letter.pages == [pytest.approx(A4, abs=1)]
    # a full page: the text fills it from margin to margin (one-line paragraphs, so widow
    # control moves no line early; two-line ones are there for the justified right edge)
    long = dataclasses.replace(DECISION, body=DECISION.body[1:3] + (DECISION.body[3],) * 40)
    full = _print(converter, long)
    width, height = full.pages[0]
    first = [w for w in full.words if w.page == 0]
    body = [w for w in first if w.top > 200]  # under the header: justified body lines
    assert min(w.top for w in first) == pytest.approx(MARGIN_TOP_MM * PT_PER_MM, abs=1)
    assert min(w.x1 for w in body) == pytest.approx(MARGIN_LEFT_MM * PT_PER_MM, abs=1)
    assert max(w.x2 for w in body) == pytest.approx(width - MARGIN_RIGHT_MM * PT_PER_MM,
                                                    abs=1.5)
    bottom = height - MARGIN_BOTTOM_MM * PT_PER_MM
    # within one line of it; a word's box reaches the font's lowest descent, up to ~2 pt
    # below the line box LibreOffice keeps inside the margin
    assert bottom - 25 < max(w.bottom for w in first) <= bottom + 2
    # and the reserved places follow a signer block pushed to page 2
    areas = locate_reserved_areas(full.pdf, long)
    assert areas.header_page == 0 and areas.signature_page == len(full.pages) - 1 > 0


def test_vv_printed_once(letter: Printed) -> None:
    assert len(re.findall(r"v\s*/\s*v", letter.text, re.IGNORECASE)) == 1
    assert "V/v Đôn đốc báo cáo" in letter.text


def test_luu_printed_once_and_last(letter: Printed) -> None:
    assert letter.text.count("Lưu") == 1
    luu = letter.find("Lưu:")
    recipients = [w for w in letter.words if w.x1 < luu.x1 + 1 and w.text == "-"
                  and w.top > letter.find("nhận:").top]
    assert len(recipients) == 3 and max(r.top for r in recipients) == pytest.approx(luu.top)
    assert "- Lưu: VT, TH." in letter.text


def test_names_printed_on_the_clerks_lines(letter: Printed, decision: Printed) -> None:
    for printed in (letter, decision):
        first = printed.line_of(printed.find("ỦY"))
        second = printed.line_of(printed.find("TỈNH"))
        assert [w.text for w in first] == ["ỦY", "BAN", "NHÂN", "DÂN"]
        assert [w.text for w in second] == ["TỈNH", "HÒA", "BÌNH"]
        assert second[0].top > first[0].top
        centre = (first[0].x1 + first[-1].x2) / 2
        assert (second[0].x1 + second[-1].x2) / 2 == pytest.approx(centre, abs=1.5)


def _rule_under(printed: Printed, lines: list[list[Word]], below: Word,
                tmp_path: Path) -> tuple[float, float]:
    runs = _dark_runs(printed, lines[-1][-1].bottom + 0.5, below.top - 0.5, tmp_path)
    assert runs, "no rule drawn"
    x1, x2 = runs[0]
    assert all(r == pytest.approx(runs[0], abs=1) for r in runs)  # one line, a few px thick
    widest = max(line[-1].x2 - line[0].x1 for line in lines)
    assert widest / 3 <= x2 - x1 <= widest / 2
    centre = (lines[0][0].x1 + lines[0][-1].x2) / 2
    assert (x1 + x2) / 2 == pytest.approx(centre, abs=2)
    return x1, x2


def test_short_rule_under_the_issuing_body(decision: Printed, letter: Printed,
                                           tmp_path: Path) -> None:
    lines = [decision.line_of(decision.find("ỦY")), decision.line_of(decision.find("TỈNH"))]
    _rule_under(decision, lines, decision.find("Số:"), tmp_path)
    office = [letter.line_of(letter.find("VĂN"))]  # under the issuing body, not the parent
    _rule_under(letter, office, letter.find("Số:"), tmp_path)
    parent = letter.line_of(letter.find("TỈNH"))
    assert not _dark_runs(letter, parent[0].bottom + 0.5, office[0][0].top - 0.5, tmp_path)


def test_short_rule_under_the_decision_subject(decision: Printed, tmp_path: Path) -> None:
    subject = decision.line_of(decision.find("Về"), header=False)
    assert " ".join(w.text for w in subject) == DECISION.subject
    below = next(w for w in decision.words if w.text == "Căn")
    _rule_under(decision, [subject], below, tmp_path)


def test_secrecy_under_the_number_then_urgency(decision: Printed, letter: Printed) -> None:
    for printed, secrecy, urgency in ((decision, "TỐI", "THƯỢNG"), (letter, "MẬT", "HỎA")):
        number, mark, urgent = (printed.find(t) for t in ("Số:", secrecy, urgency))
        assert number.bottom <= mark.top and mark.bottom <= urgent.top
        assert max(mark.x2, urgent.x2) < COLUMN_RIGHT  # left header column
        assert ("TỐI MẬT" if secrecy == "TỐI" else "MẬT") in printed.text
    vv = letter.find("V/v")
    assert vv.bottom <= letter.find("MẬT").top  # a công văn: under its trích yếu too


def test_reserved_places_still_found(decision: Printed, letter: Printed) -> None:
    for printed, spec in ((decision, SECRET_DECISION), (letter, AS_TYPED_LETTER)):
        areas = locate_reserved_areas(printed.pdf, spec)
        so, notation = printed.find("Số:"), printed.find("/" + spec.notation)
        nx1, ny1, nx2, ny2 = areas.number_rect
        height = printed.pages[0][1]
        assert so.x2 < nx1 < nx2 < notation.x1
        assert ny1 < height - (so.top + so.bottom) / 2 < ny2
        _dx1, dy1, _dx2, dy2 = areas.date_rect
        assert height - printed.find("phúc").bottom > dy2 > dy1
        sx1, sy1, _sx2, sy2 = areas.signature_rect
        assert sx1 > 297 and sy2 - sy1 > 50 and areas.signature_page == 0
