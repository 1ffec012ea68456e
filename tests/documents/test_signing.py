"""Signing path: leader signs with a PIN, the clerk numbers and applies the organisation
signature, the issued PDF verifies with every signature intact (our validator, the signing CLI
and poppler's pdfsig). Failed signing changes nothing; wrong PINs lock signing (in the DB)."""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete as sa_delete
from sqlalchemy import select

import signing
from eoffice import signing_keys
from eoffice.documents import service, signing_service
from eoffice.documents.models import Document, DocumentAttachment
from eoffice.documents.workflow import transition
from eoffice.extensions import db
from eoffice.files.service import object_store
from eoffice.signing_keys import SigningFailed, SigningPinState
from tests.conftest import _wipe, make_app
from tests.documents.conftest import make_pdf, user
from tests.services.require import require_executable

PIN = signing_keys.DEMO_PIN


@pytest.fixture(scope="session")
def pki_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo PKI for the whole session: creating CA keys is the slow part."""
    return tmp_path_factory.mktemp("pki")


@pytest.fixture()
def sapp(database_url: str, tmp_path: Path, pki_dir: Path) -> Iterator[Flask]:
    application = make_app(tmp_path, database_url, pki_dir=str(pki_dir))
    try:
        yield application
    finally:
        _wipe(application)


@pytest.fixture()
def sctx(sapp: Flask) -> Iterator[Flask]:
    from eoffice.demo import seed_demo

    with sapp.app_context():
        seed_demo()
        from eoffice.accounts.models import User

        signing_keys.ensure_demo_credentials(
            list(db.session.execute(select(User)).scalars()))
        yield sapp
        db.session.remove()


def approved_document(attachment: bytes | None = None, **overrides: Any) -> Document:
    """An outgoing draft taken through every approval; an attachment, if given, is added by the
    drafter while it is still a draft (content is frozen once approved)."""
    drafter = user("chuyenvien")
    stored = service.store_file(drafter, io.BytesIO(make_pdf()), "du-thao.pdf")
    fields: dict[str, Any] = {
        "subject": "Về việc ban hành quy chế làm việc", "type_code": "",
        "reviewer_id": user("truongphong").id, "checker_id": user("vanthu").id,
        "signer_id": user("chutich").id, "recipient_user_ids": [user("thuky").id],
    }
    fields.update(overrides)
    document = service.create_outgoing(drafter, service.OutgoingDraft(**fields), stored).document
    if attachment is not None:
        annex = service.store_file(drafter, io.BytesIO(attachment), "phu-luc.pdf", service.PDF_ONLY)
        service.add_attachment(drafter, document, annex)
    transition(user("truongphong"), document, "approve_content")
    transition(user("vanthu"), document, "approve_format")
    transition(user("chutich"), document, "approve")
    db.session.commit()
    return document


def current_pdf(document: Document) -> bytes:
    return object_store().read_bytes(document.current_version.file.sha256)


def test_leader_signs_clerk_numbers_and_seals_and_every_signature_verifies(
    sctx: Flask, tmp_path: Path, pki_dir: Path
) -> None:
    document = approved_document()
    signing_service.sign_as_leader(user("chutich"), document, PIN)
    db.session.commit()
    assert document.state == "SIGNED"
    signing_service.assign_number(user("vanthu"), document)
    db.session.commit()
    assert document.state == "NUMBERED"
    assert document.number_and_notation == "01/UBND-KT"
    fields = signing.list_text_fields(current_pdf(document))
    assert fields[signing.NUMBER_FIELD] == "Số: 01/UBND-KT"
    assert fields[signing.DATE_FIELD].startswith("Hòa Bình, ngày ")
    signing_service.org_sign(user("vanthu"), document, PIN)
    db.session.commit()
    result = service.issue(user("vanthu"), document)
    db.session.commit()
    assert document.state == "ISSUED"
    assert result.notices and user("thuky").id in result.notices[0].user_ids

    # Every PDF version is kept, none overwritten.
    kinds = [v.kind for v in document.versions]
    assert kinds == ["draft", "leader_signed", "numbered", "org_signed"]
    assert len({v.file.sha256 for v in document.versions}) == 4

    issued = current_pdf(document)
    report = signing.validate(issued, pki=signing_keys.demo_pki())
    assert report.ok, report.verdict_en
    assert len(report.signatures) == 2
    assert all(s.intact and s.signature_valid and s.trusted and s.modifications_allowed
               for s in report.signatures)

    path = tmp_path / "issued.pdf"
    path.write_bytes(issued)
    cli = subprocess.run([sys.executable, "-m", "signing", "verify", "--pki", str(pki_dir),
                          str(path)], capture_output=True, text=True, timeout=120)
    assert cli.returncode == 0, cli.stdout + cli.stderr

    pdfsig = require_executable("pdfsig", "apt-get install poppler-utils")
    out = subprocess.run([pdfsig, str(path)], capture_output=True, text=True, timeout=60)
    assert out.stdout.count("Signature Validation: Signature is Valid.") == 2, out.stdout
    assert "Total document signed" in out.stdout or "signed" in out.stdout


def test_wrong_pin_changes_nothing_and_five_lock_signing(sctx: Flask) -> None:
    document = approved_document()
    before = [v.id for v in document.versions]
    leader = user("chutich")
    for attempt in range(4):
        with pytest.raises(SigningFailed) as wrong:
            signing_service.sign_as_leader(leader, document, "000000")
        db.session.rollback()
        assert f"còn {4 - attempt} lần thử" in wrong.value.message
    with pytest.raises(SigningFailed) as locked:
        signing_service.sign_as_leader(leader, document, "000000")
    db.session.rollback()
    assert locked.value.status == 423
    # The right PIN is refused too while locked; the lock lives in the database.
    with pytest.raises(SigningFailed):
        signing_service.sign_as_leader(leader, document, PIN)
    db.session.rollback()
    state = db.session.execute(
        select(SigningPinState).where(SigningPinState.key_id == f"user:{leader.id}")
    ).scalar_one()
    assert state.failures == 5 and state.locked_until > 0
    db.session.expire_all()
    fresh = db.session.get(Document, document.id)
    assert fresh.state == "APPROVED"
    assert [v.id for v in fresh.versions] == before


def test_batch_signing_one_pin_one_failure_does_not_stop_the_others(sctx: Flask) -> None:
    good = [approved_document(), approved_document()]
    # Still a draft (not approved by the signer): it cannot be signed.
    from tests.documents.conftest import create_outgoing

    not_approved = create_outgoing()
    seen: list[tuple[int, int]] = []
    outcomes = signing_service.sign_batch(
        user("chutich"), [good[0].id, not_approved.id, good[1].id], PIN,
        progress=lambda done, total, _outcome: seen.append((done, total)))
    assert [o.ok for o in outcomes] == [True, False, True]
    assert "trạng thái" in outcomes[1].message
    assert seen == [(1, 3), (2, 3), (3, 3)]
    db.session.expire_all()
    assert [db.session.get(Document, d.id).state for d in good] == ["SIGNED", "SIGNED"]
    assert db.session.get(Document, not_approved.id).state == "DRAFT"


def test_batch_with_a_wrong_pin_signs_nothing(sctx: Flask) -> None:
    document = approved_document()
    with pytest.raises(SigningFailed):
        signing_service.sign_batch(user("chutich"), [document.id], "999999")
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(Document, document.id).state == "APPROVED"


def test_secret_document_is_numbered_in_its_own_register(sctx: Flask) -> None:
    document = approved_document(secrecy=1, type_code="QĐ",
                                 named_user_ids=[user("chuyenvien").id])
    signing_service.sign_as_leader(user("chutich"), document, PIN)
    signing_service.assign_number(user("vanthu"), document)
    db.session.commit()
    assert document.register_kind == "secret"
    assert document.number_and_notation == "01/QĐ-UBND"
    # The next ordinary document starts its own series at 01 too.
    plain = approved_document(type_code="QĐ")
    signing_service.sign_as_leader(user("chutich"), plain, PIN)
    signing_service.assign_number(user("vanthu"), plain)
    db.session.commit()
    assert plain.number_and_notation == "01/QĐ-UBND" and plain.register_kind == "outgoing"


def test_generated_draft_is_signed_and_numbered_in_its_measured_places(sctx: Flask) -> None:
    require_executable("soffice", "apt-get install libreoffice-writer-nogui")
    from eoffice.documents.generation import generate_outgoing

    drafter = user("chuyenvien")
    draft = service.OutgoingDraft(
        subject="Ban hành Quy chế văn thư, lưu trữ", type_code="QĐ",
        reviewer_id=user("truongphong").id, checker_id=user("vanthu").id,
        signer_id=user("chutich").id, authority="TM. ỦY BAN NHÂN DÂN",
        to_places="Như Điều 3\nSở Nội vụ")
    document = generate_outgoing(drafter, draft, [
        "Căn cứ Luật Tổ chức chính quyền địa phương;",
        "Điều 1. Ban hành kèm theo Quyết định này Quy chế văn thư, lưu trữ.",
    ]).document
    db.session.commit()
    assert [v.file.content_type for v in document.versions] == [
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/pdf"]
    assert document.layout and document.layout["number_only"] is True
    transition(user("truongphong"), document, "approve_content")
    transition(user("vanthu"), document, "approve_format")
    transition(user("chutich"), document, "approve")
    db.session.commit()
    signing_service.sign_as_leader(user("chutich"), document, PIN)
    signing_service.assign_number(user("vanthu"), document)
    db.session.commit()
    signing_service.org_sign(user("vanthu"), document, PIN)
    db.session.commit()
    final = current_pdf(document)
    fields = signing.list_text_fields(final)
    assert fields[signing.NUMBER_FIELD] == "01"  # printed between "Số:" and "/QĐ-UBND"
    assert document.number_and_notation == "01/QĐ-UBND"
    report = signing.validate(final, pki=signing_keys.demo_pki())
    assert report.ok and len(report.signatures) == 2, report.verdict_en


def test_separate_attachments_get_the_organisation_text_signature(sctx: Flask) -> None:
    document = approved_document(attachment=make_pdf())
    attachment = db.session.scalars(select(DocumentAttachment).filter_by(
        document_id=document.id)).one()
    original_file_id = attachment.file_id
    signing_service.sign_as_leader(user("chutich"), document, PIN)
    signing_service.assign_number(user("vanthu"), document)
    db.session.commit()
    signing_service.org_sign(user("vanthu"), document, PIN)
    db.session.commit()
    db.session.refresh(attachment)
    assert attachment.signed_file_id is not None
    assert attachment.file_id == original_file_id  # the original is kept
    signed = object_store().read_bytes(attachment.signed_file.sha256)
    report = signing.validate(signed, pki=signing_keys.demo_pki())
    assert report.ok and len(report.signatures) == 1
    assert report.signatures[0].field_name.startswith("ChuKyDinhKem")


def test_demo_secretary_and_leaders_can_sign_out_of_the_box(sctx: Flask) -> None:
    """`make run` must let the secretary and the chair sign minutes without extra set-up."""
    for username in ("thuky", "chutich", "phochutich"):
        assert signing_keys.has_user_certificate(user(username)), username
    assert not signing_keys.has_user_certificate(user("chuyenvien"))


# --------------------------------------------------------------------------- issue #11
# What a Vietnamese clerk checks on an issued công văn made from our template, measured with
# tools we did not write (poppler: pdftotext, pdfinfo, pdfsig, pdftoppm).

Box = tuple[float, float, float, float]
RENDER_DPI = 300


def widget_images(pdf: bytes) -> dict[str, list[Box]]:
    """Page rectangles (PDF points) of the images each widget's appearance draws: the
    ``w 0 0 h x y cm /Img Do`` our stamps write, moved by the widget's /Rect."""
    import re

    from pypdf import PdfReader

    found: dict[str, list[Box]] = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for annotation in page.get("/Annots", []):
            widget = annotation.get_object()
            xs = sorted(float(widget["/Rect"][i]) for i in (0, 2))
            ys = sorted(float(widget["/Rect"][i]) for i in (1, 3))
            stream = widget["/AP"]["/N"].get_object().get_data().decode("latin-1")
            found[str(widget["/T"])] = [
                (xs[0] + x, ys[0] + y, xs[0] + x + w, ys[0] + y + h)
                for w, h, x, y in (
                    map(float, m.groups()) for m in re.finditer(
                        r"([-\d.]+) 0 0 ([-\d.]+) ([-\d.]+) ([-\d.]+) cm /\w+ Do", stream))]
    return found


def words_on_first_page(path: Path) -> tuple[list[tuple[str, Box]], float]:
    """pdftotext -bbox words of page 1 as (text, (x1, y1, x2, y2)) in PDF points (origin
    bottom-left), and the page height."""
    import re
    from html import unescape

    exe = require_executable("pdftotext", "apt-get install poppler-utils")
    out = subprocess.run([exe, "-f", "1", "-l", "1", "-bbox", str(path), "-"],
                         capture_output=True, text=True, check=True, timeout=60).stdout
    height = float(re.search(r'<page width="[\d.]+" height="([\d.]+)"', out).group(1))  # type: ignore[union-attr]
    words = [(unescape(m.group(5)), (float(m.group(1)), height - float(m.group(4)),
                                     float(m.group(3)), height - float(m.group(2))))
             for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                                  r'yMax="([\d.]+)">([^<]*)</word>', out)]
    return words, height


def overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def inside(inner: Box, outer: Box, slack: float = 0.01) -> bool:
    return (inner[0] >= outer[0] - slack and inner[1] >= outer[1] - slack
            and inner[2] <= outer[2] + slack and inner[3] <= outer[3] + slack)


def render_first_page(path: Path, out: Path, dpi: int) -> Path:
    exe = require_executable("pdftoppm", "apt-get install poppler-utils")
    subprocess.run([exe, "-r", str(dpi), "-f", "1", "-l", "1", "-png", str(path), str(out)],
                   check=True, timeout=120)
    return next(out.parent.glob(out.name + "*.png"))


def ink_bottom(image: Any, box: Box, page_height: float, width: float | None = None) -> float:
    """The lowest row of ink under a word (its baseline, for letters without descenders),
    in PDF points from the bottom; ``width`` (points) keeps the word's left part only."""
    scale = RENDER_DPI / 72
    x1, x2 = box[0] * scale, (box[0] + (width or box[2] - box[0])) * scale
    top, bottom = (page_height - box[3]) * scale, (page_height - box[1]) * scale
    grey = image.convert("L")
    lowest = None
    for row in range(int(top), int(bottom) + 3):
        if any(grey.getpixel((col, row)) < 110 for col in range(int(x1), int(x2))):
            lowest = row
    assert lowest is not None, box
    return page_height - (lowest + 1) / scale


def word(words: list[tuple[str, Box]], text: str, *, below: float = 0,
         above: float = 1e9) -> Box:
    """The first word that is ``text`` or, for a filled field (poppler gives its whole
    text as one word), starts with it."""
    found = [b for t, b in words if (t == text or t.startswith(text + " "))
             and below < b[1] < above]
    assert found, (text, [t for t, _ in words])
    return found[0]


def test_issued_template_document_is_what_a_clerk_accepts(
    sctx: Flask, tmp_path: Path, pki_dir: Path
) -> None:
    """Issue #11: signer printed once, image and seal inside the reserved box over no text,
    A4, number and date on their baselines (the date italic), every signature valid."""
    require_executable("soffice", "apt-get install libreoffice-writer-nogui")
    from dataclasses import replace

    from PIL import Image
    from pypdf import PdfReader

    from eoffice.documents.generation import generate_outgoing, spec_for
    from formats.conversion import convert_docx_to_pdf
    from formats.drafting import build_draft_docx

    drafter, leader, clerk = user("chuyenvien"), user("chutich"), user("vanthu")
    draft = service.OutgoingDraft(
        subject="triển khai ứng dụng văn phòng điện tử", type_code="",
        reviewer_id=user("truongphong").id, checker_id=clerk.id, signer_id=leader.id,
        authority="TM. ỦY BAN NHÂN DÂN", to_places="Sở Nội vụ\nSở Thông tin và Truyền thông",
        recipient_user_ids=[user("thuky").id])
    body = ["Ủy ban nhân dân tỉnh đề nghị các sở, ngành triển khai ứng dụng văn phòng điện "
            "tử theo Nghị định 30/2020/NĐ-CP của Chính phủ về công tác văn thư.",
            "Đề nghị các đơn vị báo cáo kết quả thực hiện trước cuối quý."]
    addressees = ["Các sở, ban, ngành tỉnh"]
    document = generate_outgoing(drafter, draft, body, addressees).document
    db.session.commit()
    assert signing_service.page_prints_signer(document.layout)
    transition(user("truongphong"), document, "approve_content")
    transition(clerk, document, "approve_format")
    transition(leader, document, "approve")
    db.session.commit()
    signing_service.sign_as_leader(leader, document, PIN)
    signing_service.assign_number(clerk, document)
    db.session.commit()
    signing_service.org_sign(clerk, document, PIN)
    service.issue(clerk, document)
    db.session.commit()
    assert document.state == "ISSUED"
    issued = current_pdf(document)
    path = tmp_path / "issued.pdf"
    path.write_bytes(issued)

    # A4, and the text layer carries authority, title and name exactly once each.
    pdfinfo = require_executable("pdfinfo", "apt-get install poppler-utils")
    info = subprocess.run([pdfinfo, str(path)], capture_output=True, text=True,
                          check=True).stdout
    assert "(A4)" in info, info
    text = subprocess.run([require_executable("pdftotext", "apt-get install poppler-utils"),
                           str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert text.count("Trần Văn Hùng") == 1, text
    assert text.count("CHỦ TỊCH") == 1, text
    assert text.count("TM. ỦY BAN NHÂN DÂN") == 1, text

    # The leader's image and the seal: inside the reserved box, the seal over the image's
    # left third, and no word of the page under either.
    box = tuple(document.layout["signature_rect"])
    drawn = widget_images(issued)
    (image,) = drawn["ChuKyLanhDao"]
    (seal,) = drawn["ChuKyCoQuan"]
    assert inside(image, box) and inside(seal, box), (image, seal, box)
    assert seal[0] < image[0] < seal[2]
    assert seal[2] == pytest.approx(image[0] + (image[2] - image[0]) / 3, abs=1.0)
    words, height = words_on_first_page(path)
    assert words
    for text_word, word_box in words:
        assert not overlaps(word_box, image), (text_word, word_box, image)
        assert not overlaps(word_box, seal), (text_word, word_box, seal)
    # ...and the pixels of the rendered page agree: blue ink in the image, red in the seal.
    page = Image.open(render_first_page(path, tmp_path / "page", RENDER_DPI)).convert("RGB")
    scale = RENDER_DPI / 72

    def pixels(area: Box, wanted: Callable[[tuple[int, int, int]], bool]) -> int:
        crop = page.crop((int(area[0] * scale), int((height - area[3]) * scale),
                          int(area[2] * scale), int((height - area[1]) * scale)))
        return sum(1 for px in crop.get_flattened_data() if wanted(px))

    assert pixels(image, lambda p: p[2] > 120 and p[0] < 90) > 500
    assert pixels(seal, lambda p: p[0] > 150 and p[1] < 90 and p[2] < 90) > 500

    # Number and date on the baselines a document printed with them has; the date italic.
    header_top = height - 200
    number_on_page = ink_bottom(page, word(words, "01", below=header_top), height)
    so = word(words, "Số:", below=header_top)
    assert number_on_page == pytest.approx(ink_bottom(page, so, height, 6), abs=0.5)
    # The "H" of "Hòa Bình, ngày …" against the same letter where LibreOffice prints the date.
    date_on_page = ink_bottom(page, word(words, "Hòa", below=header_top), height, 7)
    reference_spec = replace(spec_for(drafter, draft, body, addressees), number=1,
                             issued_date=document.issued_date)
    reference = tmp_path / "printed.pdf"
    reference.write_bytes(convert_docx_to_pdf(build_draft_docx(reference_spec)))
    ref_words, ref_height = words_on_first_page(reference)
    ref_page = Image.open(render_first_page(reference, tmp_path / "ref", RENDER_DPI))
    ref_date = ink_bottom(ref_page, word(ref_words, "Hòa", below=ref_height - 200),
                          ref_height, 7)
    assert date_on_page == pytest.approx(ref_date, abs=0.5)
    date_widget = next(
        a.get_object() for a in PdfReader(io.BytesIO(issued)).pages[0]["/Annots"]
        if a.get_object()["/T"] == signing.DATE_FIELD)
    fonts = date_widget["/AP"]["/N"].get_object()["/Resources"]["/Font"]
    assert all("Italic" in str(f.get_object()["/BaseFont"]) for f in fonts.values())

    # Every signature valid: poppler's pdfsig and pyHanko's validation.
    pdfsig = require_executable("pdfsig", "apt-get install poppler-utils")
    out = subprocess.run([pdfsig, str(path)], capture_output=True, text=True, timeout=60)
    assert out.stdout.count("Signature Validation: Signature is Valid.") == 2, out.stdout
    report = signing.validate(issued, pki=signing_keys.demo_pki())
    assert report.ok and len(report.signatures) == 2, report.verdict_en
    assert all(s.intact and s.signature_valid and s.modifications_allowed
               for s in report.signatures)


def test_uploaded_pdf_keeps_title_image_and_name_with_the_signers_own_image(
    sctx: Flask, tmp_path: Path
) -> None:
    """No layout (an uploaded PDF): the appearance still prints authority, title and name,
    and its image is the one the signer uploaded, never a placeholder."""
    from PIL import Image, ImageDraw
    from pypdf import PdfReader

    leader = user("chutich")
    own = Image.new("RGBA", (300, 120), (0, 0, 0, 0))
    ImageDraw.Draw(own).line([(20, 90), (150, 20), (280, 80)], fill=(10, 30, 160, 255),
                             width=6)
    buffer = io.BytesIO()
    own.save(buffer, "PNG")
    signing_keys.set_signature_image(leader, buffer.getvalue())
    document = approved_document(authority="KT. CHỦ TỊCH")
    signing_service.sign_as_leader(leader, document, PIN)
    db.session.commit()
    signed = current_pdf(document)
    widget = next(
        a.get_object() for a in PdfReader(io.BytesIO(signed)).pages[-1]["/Annots"]
        if a.get_object()["/T"] == "ChuKyLanhDao")
    appearance = widget["/AP"]["/N"].get_object()
    (picture,) = [x.get_object() for x in appearance["/Resources"]["/XObject"].values()]
    assert (picture["/Width"], picture["/Height"]) == (300, 120)
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed)
    text = subprocess.run([require_executable("pdftotext", "apt-get install poppler-utils"),
                           str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "KT. CHỦ TỊCH" in text and "Trần Văn Hùng" in text


def test_leader_without_signature_image_is_told_before_anything_is_signed(
    sctx: Flask
) -> None:
    leader = user("chutich")
    db.session.execute(sa_delete(signing_keys.UserSignatureImage).where(
        signing_keys.UserSignatureImage.user_id == leader.id))
    db.session.commit()
    document = approved_document()
    before = [v.id for v in document.versions]
    with pytest.raises(signing_keys.ImageMissing) as refused:
        signing_service.sign_as_leader(leader, document, PIN)
    db.session.rollback()
    assert refused.value.message == signing_keys.NO_SIGNATURE_IMAGE
    assert "Bạn chưa có ảnh chữ ký" in refused.value.message
    assert "hãy tải lên ở trang Chữ ký của tôi" in refused.value.message
    # Even a wrong PIN is not tried (nothing counted): the image comes first.
    with pytest.raises(signing_keys.ImageMissing):
        signing_service.sign_as_leader(leader, document, "000000")
    db.session.rollback()
    assert db.session.scalar(select(SigningPinState).where(
        SigningPinState.key_id == f"user:{leader.id}")) is None
    with pytest.raises(signing_keys.ImageMissing):
        signing_service.sign_batch(leader, [document.id], PIN)
    db.session.rollback()
    db.session.expire_all()
    fresh = db.session.get(Document, document.id)
    assert fresh.state == "APPROVED" and [v.id for v in fresh.versions] == before



def test_sign_page_and_api_answer_the_no_image_sentence(app: Flask, client: Any,
                                                         demo: None) -> None:
    """A demo organisation without images (no keys either: the image is asked first)."""
    from tests.conftest import login

    with app.app_context():
        document = approved_document()
        document_id = document.id
    token = login(client, "chutich")
    api = client.post(f"/api/v1/documents/{document_id}/actions/sign", json={"pin": PIN},
                      headers={"X-CSRFToken": token})
    assert api.status_code == 400
    assert api.get_json()["message"] == signing_keys.NO_SIGNATURE_IMAGE
    page = client.post(f"/documents/{document_id}/sign", data={"pin": PIN, "csrf_token": token},
                       headers={"Referer": f"/documents/{document_id}"})
    assert page.status_code == 303
    shown = client.get(page.headers["Location"]).get_data(as_text=True)
    assert "Bạn chưa có ảnh chữ ký" in shown and "Chữ ký của tôi" in shown
    with app.app_context():
        assert db.session.get(Document, document_id).state == "APPROVED"


def test_clerk_is_told_when_the_organisation_has_no_seal_image(sctx: Flask) -> None:
    document = approved_document()
    signing_service.sign_as_leader(user("chutich"), document, PIN)
    signing_service.assign_number(user("vanthu"), document)
    db.session.commit()
    db.session.execute(sa_delete(signing_keys.OrganisationSealImage))
    db.session.commit()
    with pytest.raises(signing_keys.ImageMissing) as refused:
        signing_service.org_sign(user("vanthu"), document, PIN)
    db.session.rollback()
    assert refused.value.message == signing_keys.NO_SEAL_IMAGE
    db.session.expire_all()
    assert db.session.get(Document, document.id).state == "NUMBERED"
