"""The format check of uploaded drafts (issue #11): a Letter-size draft, or one whose places
for the number, date and signature hold text, is refused at "Đạt thể thức" with a message
that says what to fix, and no version is lost; an upload laid out as Appendix I passes and
is signed and numbered into the places measured on it, over no text."""

from __future__ import annotations

import io
import os
import re
import subprocess
from pathlib import Path

import docx
import pytest
from docx.shared import Mm
from flask import Flask
from pypdf import PdfReader

import signing
from eoffice import signing_keys
from eoffice.documents import service, signing_service
from eoffice.documents.errors import InvalidInput
from eoffice.documents.format_check import page_words
from eoffice.documents.generation import spec_for
from eoffice.documents.models import Document
from eoffice.documents.workflow import transition
from eoffice.extensions import db
from eoffice.files.service import object_store
from eoffice.jobs import queue
from formats.drafting import build_draft_docx
from tests.documents import test_signing
from tests.documents.conftest import user
from tests.services.libreoffice import converter, soffice  # noqa: F401  (fixtures)

PIN = signing_keys.DEMO_PIN
pki_dir, sapp, sctx = test_signing.pki_dir, test_signing.sapp, test_signing.sctx
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _draft() -> service.OutgoingDraft:
    return service.OutgoingDraft(
        subject="Ban hành Quy chế văn thư, lưu trữ", type_code="QĐ",
        reviewer_id=user("truongphong").id, checker_id=user("vanthu").id,
        signer_id=user("chutich").id, authority="TM. ỦY BAN NHÂN DÂN")


def _template_docx() -> bytes:
    """What a clerk downloads from the template and uploads again, edited in Word."""
    return build_draft_docx(spec_for(user("chuyenvien"), _draft(), [
        "Căn cứ Luật Tổ chức chính quyền địa phương;",
        "Điều 1. Ban hành kèm theo Quyết định này Quy chế văn thư, lưu trữ."]))


def _letter_size(data: bytes) -> bytes:
    document = docx.Document(io.BytesIO(data))
    for section in document.sections:
        section.page_width, section.page_height = Mm(215.9), Mm(279.4)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _plain_letter() -> bytes:
    """A draft typed from the top of the page: no "Số:" line, no empty date line."""
    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(30), Mm(20)
    section.top_margin = section.bottom_margin = Mm(20)
    for index in range(12):
        document.add_paragraph(f"Đoạn {index + 1}: Ủy ban nhân dân tỉnh đề nghị các sở, ban, "
                               f"ngành báo cáo tình hình thực hiện trước ngày 15/3/2026.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _uploaded_and_rendered(data: bytes) -> int:
    """An uploaded DOCX draft, rendered by its job and approved for content."""
    drafter = user("chuyenvien")
    stored = service.store_file(drafter, io.BytesIO(data), "du-thao.docx")
    document = service.create_outgoing(drafter, _draft(), stored).document
    db.session.commit()
    document_id = document.id
    assert queue.drain() == 1
    document = db.session.get(Document, document_id)
    transition(user("truongphong"), document, "approve_content")
    db.session.commit()
    return document_id


def _refused(document_id: int) -> str:
    document = db.session.get(Document, document_id)
    versions = [(v.number, v.kind, v.file.sha256) for v in document.versions]
    with pytest.raises(InvalidInput) as refused:
        transition(user("vanthu"), document, "approve_format")
    db.session.rollback()
    document = db.session.get(Document, document_id)
    assert document.state == "CONTENT_OK"
    assert [(v.number, v.kind, v.file.sha256) for v in document.versions] == versions
    assert [v.file.content_type for v in document.versions] == [DOCX, "application/pdf"]
    return refused.value.message


def test_a_letter_size_upload_is_refused_with_what_to_fix(sctx: Flask, converter) -> None:  # noqa: F811
    document_id = _uploaded_and_rendered(_letter_size(_template_docx()))
    message = _refused(document_id)
    assert "215.9 × 279.4 mm" in message and "A4 đứng" in message
    assert "tải lên phiên bản mới" in message
    # The checker returns it; the drafter's fixed version goes through again.
    document = db.session.get(Document, document_id)
    transition(user("vanthu"), document, "return")
    db.session.commit()
    assert [v.kind for v in document.versions] == ["draft", "converted"]


def test_an_upload_without_room_for_number_and_date_is_refused(sctx: Flask, converter) -> None:  # noqa: F811
    document_id = _uploaded_and_rendered(_plain_letter())
    message = _refused(document_id)
    assert message.startswith("Không còn chỗ trống cho Ô số, ký hiệu (trang 1")
    # It names the text in the way.
    assert re.search(r"chữ “[^”]*(trước|ngày|báo cáo)[^”]*” nằm ở đó", message)
    assert "“Số:     /ký hiệu”" in message


def test_an_upload_laid_out_as_appendix_one_is_signed_into_its_measured_places(
        sctx: Flask, converter, tmp_path: Path) -> None:  # noqa: F811
    document_id = _uploaded_and_rendered(_template_docx())
    document = db.session.get(Document, document_id)
    assert document.layout is None
    transition(user("vanthu"), document, "approve_format")
    db.session.commit()
    assert document.layout and document.layout["measured"] is True
    transition(user("chutich"), document, "approve")
    signing_service.sign_as_leader(user("chutich"), document, PIN)
    signing_service.assign_number(user("vanthu"), document)
    db.session.commit()
    numbered = object_store().read_bytes(document.current_version.file.sha256)
    assert signing.list_text_fields(numbered)[signing.NUMBER_FIELD] == "01"

    # Printed (fields flattened by the renderer): the number sits between "Số:" and
    # "/QĐ-UBND", the date on its own line; no word of the page overlaps another.
    path = tmp_path / "numbered.pdf"
    path.write_bytes(numbered)
    if os.environ.get("EOFFICE_SCREENSHOTS"):  # to look at it
        subprocess.run(["pdftoppm", "-r", "90", "-png", "-f", "1", "-l", "1", str(path),
                        os.environ["EOFFICE_SCREENSHOTS"] + "/uploaded"], check=True, timeout=60)
    flat = subprocess.run(["pdftocairo", "-pdf", str(path), "-"], capture_output=True,
                          check=True, timeout=60).stdout
    _sizes, words = page_words(flat)
    first = [w for w in words if w.page == 0]
    texts = [w.text for w in first]
    assert "01" in texts and "Số:" in texts
    number = next(w for w in first if w.text == "01")
    so = next(w for w in first if w.text == "Số:")
    assert abs(number.rect[1] - so.rect[1]) < 3 and number.rect[0] > so.rect[2]
    for index, a in enumerate(first):
        for b in first[index + 1:]:
            inside = (a.rect[0] + 1 < b.rect[2] and b.rect[0] + 1 < a.rect[2]
                      and a.rect[1] + 1 < b.rect[3] and b.rect[1] + 1 < a.rect[3])
            assert not inside, (a, b)

    # Sealed and issued: both signatures valid in pdfsig; the signer's title and name are on
    # the page once each (the appearance is the image alone); every page A4.
    signing_service.org_sign(user("vanthu"), document, PIN)
    service.issue(user("vanthu"), document)
    db.session.commit()
    issued = object_store().read_bytes(document.current_version.file.sha256)
    path.write_bytes(issued)
    checked = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60)
    assert checked.stdout.count("Signature Validation: Signature is Valid.") == 2, checked.stdout
    sizes, words = page_words(subprocess.run(["pdftocairo", "-pdf", str(path), "-"],
                                             capture_output=True, check=True,
                                             timeout=60).stdout)
    assert all(abs(w - 595.3) < 1 and abs(h - 841.9) < 1 for w, h in sizes)
    text = " ".join(w.text for w in words)
    chair = user("chutich")
    assert text.count(chair.full_name) == 1 and text.count(chair.title.upper()) == 1
    # The leader's image and the seal are inside the reserved box and over no word.
    widgets = {str(a.get_object().get("/T")): [float(v) for v in a.get_object()["/Rect"]]
               for page in PdfReader(path).pages for a in page.get("/Annots") or []
               if a.get_object().get("/FT") == "/Sig"}
    box = document.layout["signature_rect"]
    for rect in (widgets["ChuKyLanhDao"], widgets["ChuKyCoQuan"]):
        assert box[0] - 1 <= rect[0] and rect[2] <= box[2] + 1
        assert box[1] - 1 <= rect[1] and rect[3] <= box[3] + 1
        assert not [w.text for w in words if w.rect[0] < rect[2] and rect[0] < w.rect[2]
                    and w.rect[1] + 2 < rect[3] and rect[1] < w.rect[3] - 2]
