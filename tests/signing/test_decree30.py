"""Leader → number/date filled → organisation seal; attachments; appearances."""

from __future__ import annotations

import subprocess

import pytest

from signing import (
    DATE_FIELD,
    NUMBER_FIELD,
    AttachmentAppearance,
    LeaderAppearance,
    ReservedFields,
    SealAppearance,
    SigningError,
    demo_seal_png,
    demo_signature_png,
    fill_fields,
    list_text_fields,
    validate,
)
from signing.appearance import leader_image_rect, seal_rect
from tests.services.require import require_executable

from .ades import lta_verdicts

LEADER = LeaderAppearance(name="Nguyễn Văn An", title="Phó Chủ tịch",
                          authority="KT. CHỦ TỊCH", image_png=demo_signature_png("An"),
                          rect=(320, 100, 520, 230))
SEAL = SealAppearance(demo_seal_png("Ủy ban nhân dân tỉnh Hà Giang"))
RESERVE = ReservedFields(number_rect=(60, 740, 260, 760), date_rect=(300, 740, 540, 760))


@pytest.fixture(scope="module")
def flow(leader_signer, seal_signer, pdf3):
    step1 = leader_signer.sign(pdf3, role="leader", leader=LEADER, seal=SEAL, reserve=RESERVE)
    step2 = fill_fields(step1, {NUMBER_FIELD: "Số: 125/QĐ-UBND",
                                DATE_FIELD: "Hà Giang, ngày 05 tháng 6 năm 2025"})
    step3 = seal_signer.sign(step2, role="org", seal=SEAL)
    return step1, step2, step3


def test_leader_reserves_number_date_and_seal_fields(flow):
    step1, step2, _ = flow
    assert list_text_fields(step1) == {NUMBER_FIELD: None, DATE_FIELD: None}
    assert list_text_fields(step2)[NUMBER_FIELD] == "Số: 125/QĐ-UBND"


def test_leader_signature_is_certification_allowing_form_filling(flow, pki):
    rep = validate(flow[0], pki=pki)
    assert rep.ok
    assert rep.signatures[0].kind == "certification"
    assert b"/DocMDP" in flow[0] and b"/P 2" in flow[0]


def test_every_signature_intact_after_fill_and_seal(flow, pki):
    rep = validate(flow[2], pki=pki)
    assert rep.ok, rep.verdict_en
    leader, org = rep.signatures
    assert leader.field_name == "ChuKyLanhDao" and org.field_name == "ChuKyCoQuan"
    assert leader.modification_level == "FORM_FILLING" and leader.modifications_allowed
    assert org.signer == "Ủy ban nhân dân tỉnh Hà Giang"


def test_pdfsig_accepts_the_whole_sequence(flow, tmp_path, pdfsig):
    for i, data in enumerate(flow):
        p = tmp_path / f"step{i}.pdf"
        p.write_bytes(data)
        pdfsig.check_all_valid(p, expected=1 if i < 2 else 2)


def test_pyhanko_ades_accepts_the_sequence_after_lta(flow, seal_signer, pki, pki_dir):
    from signing import add_document_timestamp

    lta = add_document_timestamp(flow[2], pki.timestamper())
    assert lta_verdicts(lta, pki_dir / "root.pem") == ["OK", "OK"]


def test_stamping_text_after_the_leader_breaks_it(flow, pki):
    """Why the fields exist: a plain page change after signing is reported."""
    import io

    from pyhanko.pdf_utils.content import RawContent
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.layout import BoxConstraints

    w = IncrementalPdfFileWriter(io.BytesIO(flow[0]))
    stamp = RawContent(b"BT /F1 12 Tf 60 745 Td (So 125) Tj ET", box=BoxConstraints(100, 20))
    w.add_stream_to_page(0, w.add_object(stamp.as_form_xobject()))
    out = io.BytesIO()
    w.write(out)
    rep = validate(out.getvalue(), pki=pki)
    assert not rep.ok
    assert "modified after signing" in rep.signatures[0].verdict_en


def test_org_before_leader_is_refused(seal_signer, pdf1):
    with pytest.raises(SigningError, match="leader must sign first"):
        seal_signer.sign(pdf1, role="org", seal=SEAL)


def test_seal_overlaps_left_third_of_signature_image():
    img = leader_image_rect(LEADER.rect, LEADER)
    s = seal_rect(img, SEAL)
    third = img[0] + (img[2] - img[0]) / 3
    assert s[2] == pytest.approx(third)
    assert s[0] < img[0]  # the seal sits on the left
    assert s[2] - s[0] == pytest.approx(36 * 72 / 25.4)  # real size


def test_rendered_page_has_blue_signature_and_red_seal(flow, tmp_path):
    exe = require_executable("pdftoppm", "apt-get install poppler-utils")
    from PIL import Image

    p = tmp_path / "final.pdf"
    p.write_bytes(flow[2])
    subprocess.run([exe, "-r", "72", "-f", "3", "-l", "3", "-png", str(p), str(tmp_path / "pg")],
                   check=True)
    im = Image.open(next(tmp_path.glob("pg*.png"))).convert("RGB")
    h = im.height

    def count(box, pred):
        x1, y1, x2, y2 = box  # PDF coords → image coords
        region = im.crop((int(x1), int(h - y2), int(x2), int(h - y1)))
        return sum(1 for px in region.get_flattened_data() if pred(px))

    def red(px):
        return px[0] > 150 and px[1] < 90 and px[2] < 90

    def blue(px):
        return px[2] > 120 and px[0] < 90

    img = leader_image_rect(LEADER.rect, LEADER)
    s = seal_rect(img, SEAL)
    assert count(s, red) > 200
    assert count(img, blue) > 200


def test_vietnamese_text_is_embedded_font_with_unicode_map(flow, tmp_path):
    exe = require_executable("pdffonts", "apt-get install poppler-utils")
    p = tmp_path / "final.pdf"
    p.write_bytes(flow[2])
    out = subprocess.run([exe, str(p)], capture_output=True, text=True, check=True).stdout
    rows = [r for r in out.splitlines() if "LiberationSerif" in r]
    assert rows, out
    assert all(" yes yes yes " in r for r in rows), out  # embedded, subset, ToUnicode


def test_attachment_signature_text_top_right(seal_signer, pdf1, pki, tmp_path, pdfsig):
    att = AttachmentAppearance(number="125/QĐ-UBND", org_name="UBND tỉnh Hà Giang")
    data = seal_signer.sign(pdf1, role="attachment", attachment=att)
    rep = validate(data, pki=pki)
    assert rep.ok
    p = tmp_path / "att.pdf"
    p.write_bytes(data)
    pdfsig.check_all_valid(p, expected=1)
    # Render the widget: black ink in the top-right corner of page 1.
    from PIL import Image

    ppm = require_executable("pdftoppm", "apt-get install poppler-utils")
    subprocess.run([ppm, "-r", "72", "-png", str(p), str(tmp_path / "a")], check=True)
    im = Image.open(next(tmp_path.glob("a*.png"))).convert("L")
    w, _h = im.size
    top_right = im.crop((w // 2, 0, w, 90))
    assert min(top_right.get_flattened_data()) < 100  # black text is there


def test_attachment_time_is_iso8601_vietnam(seal_signer, pdf1):
    import re

    data = seal_signer.sign(pdf1, role="attachment",
                            attachment=AttachmentAppearance(number="7/BC-UBND"))
    st = validate(data).signatures[0].signing_time
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", st)


def test_image_only_appearance_when_the_page_prints_title_and_name(leader_signer, pdf3, pki):
    """A Decree 30 draft prints title and name itself: the signature shows only the image."""
    from pypdf import PdfReader

    spec = LeaderAppearance(name="", title="", image_png=demo_signature_png("An"),
                            rect=(320, 100, 520, 230), show_text=False)
    signed = leader_signer.sign(pdf3, role="leader", leader=spec, reserve=RESERVE)
    assert validate(signed, pki=pki).ok
    image = leader_image_rect((0, 0, 400, 130), spec)  # a wide box: height limits the image
    assert image[3] - image[1] == pytest.approx(130)  # no bands kept free for text
    import io

    reader = PdfReader(io.BytesIO(signed))
    widget = next(
        annot.get_object()
        for annot in reader.pages[-1]["/Annots"]
        if annot.get_object().get("/T") == "ChuKyLanhDao"
    )
    appearance = widget["/AP"]["/N"].get_object()
    assert b" Tf " not in appearance.get_data()  # no text drawn in the stamp itself
