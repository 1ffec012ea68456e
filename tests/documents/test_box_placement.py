"""The format checker places the number, date and signature boxes on an upload that lacks
Appendix I's reserved places (issue #11): a box over text, outside the margins or over
another box is refused with what to move and nothing is kept or lost; valid boxes are kept
with the PDF's hash (the PDF unchanged) and the signed, numbered and sealed copy has its
number, date, signature and seal inside them, over no text, with both signatures valid."""

from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.shared import Mm
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import func, select

import signing
from eoffice import signing_keys
from eoffice.documents import box_placement, service, signing_service
from eoffice.documents.errors import InvalidInput
from eoffice.documents.format_check import Word, page_words
from eoffice.documents.models import Document
from eoffice.documents.placed_boxes import PlacedBoxes
from eoffice.documents.workflow import transition
from eoffice.extensions import db
from eoffice.files.service import object_store
from eoffice.jobs import queue
from tests.conftest import login
from tests.documents import test_signing, test_validation_panel
from tests.documents.conftest import user
from tests.services.libreoffice import converter, soffice  # noqa: F401  (fixtures)

PIN = signing_keys.DEMO_PIN
pki_dir, sapp, sctx = test_signing.pki_dir, test_signing.sapp, test_signing.sctx
seeded = test_validation_panel.seeded

#: Where the checker clicks (centres, PDF points): free space under the body text.
NUMBER_AT, DATE_AT, SIGNATURE_AT = (190.0, 350.0), (410.0, 310.0), (420.0, 180.0)


def text_pdf(lines: list[tuple[float, float, str]], pages: int = 1) -> bytes:
    """An A4 PDF printing each (x, y, text) in 12 pt Helvetica (ASCII text) on its first
    page; further pages print one line at their top."""
    streams = [lines] + [[(90.0, 780.0, f"Page {n + 2}: annex to the plan.")]
                         for n in range(pages - 1)]
    contents = [
        "".join(f"BT /F1 12 Tf {x:.1f} {y:.1f} Td ({text}) Tj ET\n" for x, y, text in page)
        .encode("latin-1") for page in streams]
    kids = " ".join(f"{4 + 2 * n} 0 R" for n in range(pages))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
               b"/Encoding /WinAnsiEncoding >>"]
    for n, stream in enumerate(contents):
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] "
                       b"/Resources << /Font << /F1 3 0 R >> >> /Contents "
                       + f"{5 + 2 * n} 0 R >>".encode())
        objects.append(b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream
                       + b"endstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
              .encode())
    return out.getvalue()


def typed_from_the_top(pages: int = 1) -> bytes:
    """A letter typed from the top of the page (no "Số:" line, no empty date line), its body
    ending halfway down: room for the boxes only where the checker chooses."""
    lines = [(90.0, 780.0 - 16 * i, f"Line {i + 1}: the provincial committee asks each "
              f"department to report by 15/3/2026.") for i in range(12)]
    lines += [(90.0, 560.0 - 16 * i, f"Body {i + 1}: progress of the digital office and the "
               f"paperless meetings.") for i in range(9)]
    return text_pdf(lines, pages)


def uploaded_for_format_check(data: bytes) -> int:
    """An uploaded PDF draft approved for content: it waits for the format check."""
    drafter = user("chuyenvien")
    stored = service.store_file(drafter, io.BytesIO(data), "du-thao.pdf")
    draft = service.OutgoingDraft(
        subject="Kế hoạch chuyển đổi số năm 2027", type_code="KH",
        reviewer_id=user("truongphong").id, checker_id=user("vanthu").id,
        signer_id=user("chutich").id, authority="TM. ỦY BAN NHÂN DÂN")
    document = service.create_outgoing(drafter, draft, stored).document
    transition(user("truongphong"), document, "approve_content")
    db.session.commit()
    return document.id


def placement(number: tuple[float, float] = NUMBER_AT, date: tuple[float, float] = DATE_AT,
              signature: tuple[float, float] = SIGNATURE_AT, *, date_page: int = 1,
              signature_page: int = 1) -> box_placement.Placement:
    return box_placement.Placement(
        number_page=1, number_x=number[0], number_y=number[1],
        date_page=date_page, date_x=date[0], date_y=date[1],
        signature_page=signature_page, signature_x=signature[0], signature_y=signature[1])


def _refused_placement(document_id: int, data: box_placement.Placement) -> str:
    document = db.session.get(Document, document_id)
    before = [(v.number, v.file.sha256) for v in document.versions]
    with pytest.raises(InvalidInput) as refused:
        box_placement.place(user("vanthu"), document, data)
    db.session.rollback()
    document = db.session.get(Document, document_id)
    assert document.state == "CONTENT_OK"
    assert [(v.number, v.file.sha256) for v in document.versions] == before
    assert db.session.scalar(select(func.count()).select_from(PlacedBoxes)) == 0
    return refused.value.message


def _inside(word: Word, box: list[float], slack: float = 1.0) -> bool:
    return (box[0] - slack <= word.rect[0] and word.rect[2] <= box[2] + slack
            and box[1] - slack <= word.rect[1] and word.rect[3] <= box[3] + slack)


def test_boxes_over_text_outside_the_margins_or_over_each_other_are_refused(
        sctx: Flask) -> None:
    document_id = uploaded_for_format_check(typed_from_the_top())
    # The format check finds no room at the usual places and says so.
    document = db.session.get(Document, document_id)
    with pytest.raises(InvalidInput) as refused:
        transition(user("vanthu"), document, "approve_format")
    db.session.rollback()
    # The usual number box lies inside Appendix I's 30 mm left margin, as the message says.
    assert refused.value.message.startswith(
        "Không còn chỗ trống cho Ô số, ký hiệu (trang 1, cách mép trái 30–102 mm")

    message = _refused_placement(document_id, placement(number=(190.0, 700.0)))
    assert message.startswith("Ô số, ký hiệu ở trang 1 đè lên chữ “")
    assert "Line" in message and "chỗ trống" in message
    message = _refused_placement(document_id, placement(signature=(420.0, 60.0)))
    assert message.startswith("Ô chữ ký và con dấu ở trang 1 ra ngoài lề theo Phụ lục I")
    assert "mép dưới" in message
    message = _refused_placement(document_id, placement(number=(110.0, 350.0)))
    assert "Ô số, ký hiệu ở trang 1 ra ngoài lề" in message and "cách mép trái 4 mm" in message
    message = _refused_placement(document_id, placement(date=(300.0, 345.0)))
    assert message == ("Ô số, ký hiệu và Ô địa danh, ngày tháng chồng lên nhau ở trang 1; "
                       "hãy đặt hai ô tách rời nhau.")
    # Someone who is not the format checker places nothing.
    document = db.session.get(Document, document_id)
    with pytest.raises(Exception, match="thẩm quyền"):
        box_placement.place(user("chuyenvien"), document, placement())
    db.session.rollback()


def test_placed_boxes_are_kept_with_the_pdf_and_used_for_signing_and_numbering(
        sctx: Flask, tmp_path: Path) -> None:
    document_id = uploaded_for_format_check(typed_from_the_top())
    document = db.session.get(Document, document_id)
    viewed = document.current_version.file.sha256
    box_placement.place(user("vanthu"), document, placement())
    db.session.commit()
    # Metadata of that PDF: no new version, same hash; audited.
    assert [v.file.sha256 for v in document.versions] == [viewed]
    row = db.session.execute(select(PlacedBoxes)).scalar_one()
    assert row.sha256 == viewed and row.placed_by_id == user("vanthu").id
    number_box, date_box = row.layout["number_rect"], row.layout["date_rect"]
    signature_area = row.layout["signature_area"]
    assert number_box == [90.8, 338.7, 289.2, 361.3]

    transition(user("vanthu"), document, "approve_format")
    transition(user("chutich"), document, "approve")
    db.session.commit()
    assert document.layout["placed"] is True and document.layout["sha256"] == viewed
    signing_service.sign_as_leader(user("chutich"), document, PIN, viewed_sha256=viewed)
    signing_service.assign_number(user("vanthu"), document)
    signing_service.org_sign(user("vanthu"), document, PIN)
    service.issue(user("vanthu"), document)
    db.session.commit()

    issued = object_store().read_bytes(document.current_version.file.sha256)
    path = tmp_path / "issued.pdf"
    path.write_bytes(issued)
    if os.environ.get("EOFFICE_SCREENSHOTS"):  # to look at it
        subprocess.run(["pdftoppm", "-r", "90", "-png", "-f", "1", "-l", "1", str(path),
                        os.environ["EOFFICE_SCREENSHOTS"] + "/placed"], check=True, timeout=60)
    checked = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60)
    assert checked.stdout.count("Signature Validation: Signature is Valid.") == 2, checked.stdout
    assert signing.list_text_fields(issued)[signing.NUMBER_FIELD] == (
        f"Số: 01/{document.code_notation}")

    # Printed (fields and appearances flattened by the renderer): the number and the date
    # inside their boxes, the page's own words where they were.
    flat = subprocess.run(["pdftocairo", "-pdf", str(path), "-"], capture_output=True,
                          check=True, timeout=60).stdout
    _sizes, words = page_words(flat)
    number_words = [w for w in words if w.text in ("Số:", f"01/{document.code_notation}")]
    assert len(number_words) == 2 and all(_inside(w, number_box) for w in number_words)
    date_words = [w for w in words if w.text in ("ngày", "tháng", "năm")]
    assert len(date_words) == 3 and all(_inside(w, date_box) for w in date_words)
    original = {w.text for w in page_words(typed_from_the_top())[1]}
    for word in words:
        if word.text not in original:  # what signing and numbering wrote
            assert any(_inside(word, box) for box in (number_box, date_box, signature_area)), \
                word
    # The leader's signature (with his name) and the seal lie inside the signature box.
    widgets = {str(a.get_object().get("/T")): [float(v) for v in a.get_object()["/Rect"]]
               for page in PdfReader(path).pages for a in page.get("/Annots") or []
               if a.get_object().get("/FT") == "/Sig"}
    for name in ("ChuKyLanhDao", "ChuKyCoQuan"):
        rect = widgets[name]
        assert signature_area[0] - 1 <= rect[0] and rect[2] <= signature_area[2] + 1, name
        assert signature_area[1] - 1 <= rect[1] and rect[3] <= signature_area[3] + 1, name
    chair = user("chutich")
    name_words = [w for w in words if w.text in chair.full_name.split()]
    assert name_words and all(_inside(w, signature_area) for w in name_words)


def test_boxes_placed_on_another_pdf_are_not_used(sctx: Flask) -> None:
    document_id = uploaded_for_format_check(typed_from_the_top())
    document = db.session.get(Document, document_id)
    box_placement.place(user("vanthu"), document, placement())
    transition(user("vanthu"), document, "approve_format")
    db.session.commit()
    assert document.layout["placed"] is True
    # Sent back, revised with a new PDF: the boxes of the old one do not apply to it.
    transition(user("chutich"), document, "return", note="Sửa lại nội dung")
    db.session.commit()
    drafter = user("chuyenvien")
    revised = typed_from_the_top().replace(b"Body 1:", b"Body 0:")
    stored = service.store_file(drafter, io.BytesIO(revised), "du-thao-2.pdf")
    service.revise_draft(drafter, document, stored)
    transition(drafter, document, "resubmit")
    transition(user("truongphong"), document, "approve_content")
    db.session.commit()
    with pytest.raises(InvalidInput, match=r"^Không còn chỗ trống cho Ô số, ký hiệu"):
        transition(user("vanthu"), document, "approve_format")
    db.session.rollback()


def test_the_api_places_boxes_for_the_checker_only(seeded: Flask) -> None:
    # Requests outside the test's app context: each has its own (and its own CSRF token).
    with seeded.app_context():
        document_id = uploaded_for_format_check(typed_from_the_top())
        db.session.remove()
    url = f"/api/v1/documents/{document_id}/actions/place_boxes"
    body = placement().model_dump()
    client = seeded.test_client()
    token = login(client, "chuyenvien")
    refused = client.post(url, json=body, headers={"X-CSRFToken": token})
    assert refused.status_code == 403, refused.get_json()
    client.post("/logout", data={"csrf_token": token})

    token = login(client, "vanthu")
    over_text = client.post(url, json={**body, "number_y": 700.0},
                            headers={"X-CSRFToken": token})
    assert over_text.status_code == 400
    assert "đè lên chữ" in over_text.get_json()["message"]
    placed = client.post(url, json=body, headers={"X-CSRFToken": token})
    assert placed.status_code == 200, placed.get_json()
    assert placed.get_json()["state"] == "CONTENT_OK"
    with seeded.app_context():
        rows = db.session.execute(select(PlacedBoxes)).scalars().all()
        assert [row.layout["number_rect"] for row in rows] == [[90.8, 338.7, 289.2, 361.3]]
        db.session.remove()
    page = client.get(f"/documents/outgoing/{document_id}").get_data(as_text=True)
    assert 'data-testid="placement-ok"' in page


def _signer_printed_docx() -> bytes:
    """A DOCX typed from the top whose signature block prints the authority, the title and
    the name, with a gap between them but no "Số:" line nor empty date line."""
    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(30), Mm(20)
    section.top_margin = section.bottom_margin = Mm(20)
    for index in range(3):
        document.add_paragraph(f"Đoạn {index + 1}: Ủy ban nhân dân tỉnh đề nghị các sở, ban, "
                               f"ngành báo cáo tình hình thực hiện trước ngày 15/3/2026.")
    chair = user("chutich")
    for text in ["TM. ỦY BAN NHÂN DÂN", chair.title.upper(), *[""] * 10, chair.full_name]:
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.left_indent = Mm(95)
        paragraph.add_run(text).bold = True
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_page_printing_the_signer_gets_the_image_alone_between_title_and_name(
        sctx: Flask, converter: Any, tmp_path: Path) -> None:  # noqa: F811
    drafter = user("chuyenvien")
    stored = service.store_file(drafter, io.BytesIO(_signer_printed_docx()), "du-thao.docx")
    draft = service.OutgoingDraft(
        subject="Kế hoạch chuyển đổi số năm 2027", type_code="KH",
        reviewer_id=user("truongphong").id, checker_id=user("vanthu").id,
        signer_id=user("chutich").id, authority="TM. ỦY BAN NHÂN DÂN")
    document = service.create_outgoing(drafter, draft, stored).document
    db.session.commit()
    assert queue.drain() == 1  # rendered to PDF
    document = db.session.get(Document, document.id)
    transition(user("truongphong"), document, "approve_content")
    db.session.commit()

    chair = user("chutich")
    _sizes, words = page_words(object_store().read_bytes(document.current_version.file.sha256))
    title = next(w for w in words if w.text == chair.title.upper().split()[-1])
    name = next(w for w in words if w.text == chair.full_name.split()[-1])
    assert title.rect[1] - name.rect[3] > 140  # the gap the checker puts the signature in
    gap = (title.rect[1] + name.rect[3]) / 2
    box_placement.place(user("vanthu"), document, placement(
        number=(190.0, name.rect[1] - 60), date=(410.0, name.rect[1] - 100),
        signature=(420.0, gap)))
    transition(user("vanthu"), document, "approve_format")
    transition(chair, document, "approve")
    db.session.commit()
    assert document.layout["prints_signer"] is True
    signing_service.sign_as_leader(chair, document, PIN)
    signing_service.assign_number(user("vanthu"), document)
    signing_service.org_sign(user("vanthu"), document, PIN)
    service.issue(user("vanthu"), document)
    db.session.commit()

    path = tmp_path / "issued.pdf"
    path.write_bytes(object_store().read_bytes(document.current_version.file.sha256))
    if os.environ.get("EOFFICE_SCREENSHOTS"):  # to look at it
        subprocess.run(["pdftoppm", "-r", "90", "-png", "-f", "1", "-l", "1", str(path),
                        os.environ["EOFFICE_SCREENSHOTS"] + "/placed-printed"], check=True,
                       timeout=60)
    checked = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60)
    assert checked.stdout.count("Signature Validation: Signature is Valid.") == 2, checked.stdout
    flat = subprocess.run(["pdftocairo", "-pdf", str(path), "-"], capture_output=True,
                          check=True, timeout=60).stdout
    text = " ".join(w.text for w in page_words(flat)[1])
    # Printed once each: the page's own title and name, never a second copy by the signature.
    assert text.count(chair.full_name) == 1 and text.count(chair.title.upper()) == 1
    area = document.layout["signature_area"]
    widgets = [[float(v) for v in a.get_object()["/Rect"]]
               for page in PdfReader(path).pages for a in page.get("/Annots") or []
               if a.get_object().get("/FT") == "/Sig"]
    assert len(widgets) == 2
    for rect in widgets:
        assert area[0] - 1 <= rect[0] and rect[2] <= area[2] + 1
        assert area[1] - 1 <= rect[1] and rect[3] <= area[3] + 1


def test_the_signature_goes_on_the_page_she_chose_and_the_header_stays_on_one(
        sctx: Flask, tmp_path: Path) -> None:
    document_id = uploaded_for_format_check(typed_from_the_top(pages=2))
    message = _refused_placement(document_id, placement(date_page=2))
    assert message.startswith("Ô số, ký hiệu và ô địa danh, ngày tháng phải ở cùng một trang")
    message = _refused_placement(document_id, placement(signature_page=3))
    assert message == "Ô chữ ký và con dấu: văn bản không có trang 3."

    document = db.session.get(Document, document_id)
    box_placement.place(user("vanthu"), document, placement(signature=(420.0, 500.0),
                                                            signature_page=2))
    transition(user("vanthu"), document, "approve_format")
    transition(user("chutich"), document, "approve")
    signing_service.sign_as_leader(user("chutich"), document, PIN)
    signing_service.assign_number(user("vanthu"), document)
    db.session.commit()
    reader = PdfReader(io.BytesIO(object_store().read_bytes(
        document.current_version.file.sha256)))
    on_page = [[str(a.get_object().get("/T")) for a in page.get("/Annots") or []]
               for page in reader.pages]
    assert "ChuKyLanhDao" in on_page[1] and "ChuKyLanhDao" not in on_page[0]
    assert signing.NUMBER_FIELD in on_page[0]
