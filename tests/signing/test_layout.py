"""Where the appearances land on a page that prints title, name, "Số:" and the date line
itself (a Decree 30 draft): the signature image alone in the reserved box, the seal over its
left third inside the same box, the number and date on the page's baselines (date italic)."""

from __future__ import annotations

import io
import re
import subprocess

import pytest
from PIL import Image
from pypdf import PdfReader

from signing import (
    DATE_FIELD,
    NUMBER_FIELD,
    LeaderAppearance,
    ReservedFields,
    SealAppearance,
    demo_seal_png,
    demo_signature_png,
    fill_fields,
    validate,
)
from signing.appearance import MM, fit_image, leader_image_rect, seal_rect
from signing.fonts import font_box
from tests.services.require import require_executable

BOX = (320.0, 100.0, 540.0, 171.0)  # 220 × 71 pt: five 13 pt lines, as our template reserves
IMAGE_ONLY = LeaderAppearance(name="Nguyễn Văn An", title="PHÓ CHỦ TỊCH",
                              authority="KT. CHỦ TỊCH", image_png=demo_signature_png("An"),
                              rect=BOX, show_text=False)
SEAL = SealAppearance(demo_seal_png("Ủy ban nhân dân tỉnh Hà Giang"))
# The sample page's first line ("QUYET DINH - trang 1/1", Times 12 pt) has its baseline at 754
# (770, then the ' operator's line feed of 16).
BASELINE = 754.0
RESERVE = ReservedFields(number_rect=(300, 744, 380, 774), date_rect=(390, 744, 560, 774),
                         number_baseline=BASELINE, date_baseline=BASELINE,
                         number_align="right", font_size=12)


def widgets(pdf: bytes) -> dict[str, dict]:
    """The widgets of the (one-page) document by field name."""
    return {str(a.get_object()["/T"]): a.get_object()
            for a in PdfReader(io.BytesIO(pdf)).pages[0].get("/Annots", [])}


@pytest.fixture(scope="module")
def sealed(leader_signer, seal_signer, pdf1):
    signed = leader_signer.sign(pdf1, role="leader", leader=IMAGE_ONLY, reserve=RESERVE)
    filled = fill_fields(signed, {NUMBER_FIELD: "125",
                                  DATE_FIELD: "Hà Giang, ngày 05 tháng 6 năm 2025"})
    return seal_signer.sign(filled, role="org", seal=SEAL)


def test_image_and_seal_stay_inside_the_reserved_box(sealed):
    image = leader_image_rect(BOX, IMAGE_ONLY)
    seal = seal_rect(image, SEAL, within=BOX)
    for rect in (image, seal):
        assert BOX[0] <= rect[0] and BOX[1] <= rect[1] and rect[2] <= BOX[2] and rect[3] <= BOX[3]
    assert seal[2] == pytest.approx(image[0] + (image[2] - image[0]) / 3)
    assert seal[3] - seal[1] == pytest.approx(BOX[3] - BOX[1])  # as large as the box allows
    # Without a box to keep to, the seal is at real size (36 mm), as before.
    assert seal_rect(image, SEAL)[2] - seal_rect(image, SEAL)[0] == pytest.approx(36 * MM)
    fields = widgets(sealed)
    for name in ("ChuKyLanhDao", "ChuKyCoQuan"):
        x1, x2 = sorted(float(v) for v in fields[name]["/Rect"][0::2])
        y1, y2 = sorted(float(v) for v in fields[name]["/Rect"][1::2])
        assert BOX[0] <= x1 and x2 <= BOX[2] and BOX[1] <= y1 and y2 <= BOX[3], name


def test_the_seal_keeps_its_aspect_in_a_box_of_another_shape():
    assert fit_image(demo_seal_png("A"), (0, 0, 100, 50)) == pytest.approx((25, 0, 75, 50))


def test_number_and_date_fields_are_one_line_on_the_baseline(sealed):
    ascent, descent = font_box()
    fields = widgets(sealed)
    for name in (NUMBER_FIELD, DATE_FIELD):
        y1, y2 = sorted(float(v) for v in fields[name]["/Rect"][1::2])
        assert y1 == pytest.approx(BASELINE - descent * 12)
        assert y2 - y1 == pytest.approx((ascent + descent) * 12, abs=0.05)
        stream = fields[name]["/AP"]["/N"].get_object().get_data()
        tm = re.search(rb"1 0 0 1 ([\d.]+) ([\d.]+) Tm", stream)
        assert float(tm.group(2)) == pytest.approx(descent * 12, abs=0.01)  # the baseline
    assert fields[NUMBER_FIELD]["/Q"] == 2 and str(fields[DATE_FIELD]["/DA"]).startswith("/TiIt")
    fonts = fields[DATE_FIELD]["/AP"]["/N"].get_object()["/Resources"]["/Font"]
    assert all("Italic" in str(f.get_object()["/BaseFont"]) for f in fonts.values())
    number_fonts = fields[NUMBER_FIELD]["/AP"]["/N"].get_object()["/Resources"]["/Font"]
    assert not any("Italic" in str(f.get_object()["/BaseFont"]) for f in number_fonts.values())


def test_rendered_number_and_date_sit_on_the_printed_baseline(sealed, tmp_path, pki, pdfsig):
    path = tmp_path / "sealed.pdf"
    path.write_bytes(sealed)
    pdfsig.check_all_valid(path, expected=2)
    assert validate(sealed, pki=pki).ok
    exe = require_executable("pdftoppm", "apt-get install poppler-utils")
    subprocess.run([exe, "-r", "300", "-png", str(path), str(tmp_path / "p")], check=True)
    page = Image.open(next(tmp_path.glob("p*.png"))).convert("L")
    scale = 300 / 72

    def lowest_ink(x1: float, x2: float) -> float:
        top, bottom = int((842 - BASELINE - 12) * scale), int((842 - BASELINE + 6) * scale)
        rows = [y for y in range(top, bottom)
                if any(page.getpixel((x, y)) < 110 for x in range(int(x1 * scale),
                                                                     int(x2 * scale)))]
        return rows[-1] / scale

    printed = lowest_ink(82, 110)  # "UYET" of the page's own first line
    fields = widgets(sealed)
    for name, width in ((NUMBER_FIELD, 18), (DATE_FIELD, 14)):  # "125"; "Hà" (no descender)
        x1 = min(float(v) for v in fields[name]["/Rect"][0::2])
        stream = fields[name]["/AP"]["/N"].get_object().get_data()
        start = x1 + float(re.search(rb"1 0 0 1 ([\d.]+) [\d.]+ Tm", stream).group(1))
        assert lowest_ink(start, start + width) == pytest.approx(printed, abs=0.5), name


def test_image_only_leaves_no_text_in_the_signature(sealed):
    stream = widgets(sealed)["ChuKyLanhDao"]["/AP"]["/N"].get_object().get_data()
    assert b" Tf " not in stream and b" Do" in stream


def test_demo_images_are_transparent_blue_ink_and_a_round_red_seal():
    signature = Image.open(io.BytesIO(demo_signature_png("Trần Văn Hùng")))
    assert signature.mode == "RGBA"
    alpha = signature.getchannel("A").histogram()
    assert sum(alpha[:16]) > 0.6 * signature.width * signature.height  # mostly background
    ink = [px for px in signature.get_flattened_data() if px[3] > 200]
    assert ink and all(b > 120 and r < 90 for r, _g, b, _a in ink)
    seal = Image.open(io.BytesIO(demo_seal_png("Ủy ban nhân dân tỉnh Hòa Bình")))
    assert seal.width == seal.height and seal.mode == "RGBA"
    corner = seal.crop((0, 0, seal.width // 8, seal.height // 8)).getchannel("A")
    assert corner.getextrema()[1] == 0  # transparent outside the circle
    red = [px for px in seal.get_flattened_data() if px[3] > 150]
    assert red and all(r > 180 and g < 60 and b < 60 for r, g, b, _a in red)
