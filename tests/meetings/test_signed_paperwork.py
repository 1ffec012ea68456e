"""Numbered, visibly signed minutes (issue #11) built as a job (issue #13): the BB number is
taken once, the secretary's text goes in until her signature and is frozen after it, and the
secretary's and the chair's signature images sit in their boxes, over no text, each
signature valid in pdfsig and in pyHanko's validation."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image
from pypdf import PdfReader

import signing
from eoffice.accounts.models import User
from eoffice.documents.format_check import page_words
from eoffice.extensions import db
from eoffice.files.service import object_store
from eoffice.jobs import queue
from eoffice.signing_keys import (
    demo_pki,
    ensure_demo_credentials,
    issue_user_certificate,
    set_seal_image,
    set_signature_image,
)
from meetings import invitation, minutes
from meetings.models import Meeting
from meetings.service import MeetingError
from tests.conftest import login
from tests.meetings.conftest import Person, Prepared, prepare_meeting
from tests.meetings.test_minutes import run_session
from tests.services.require import require_executable

PIN = "123456"
NOTES = "Đồng chí Giám đốc Sở Tài chính đề nghị bổ sung số liệu quý IV."


def test_minutes_are_numbered_edited_frozen_and_signed_in_their_boxes(
        mapp: Flask, prepared: Prepared, person: Callable[[str], Person],
        tmp_path: Path) -> None:
    require_executable("soffice", "apt-get install libreoffice-writer-nogui")
    pdfsig = require_executable("pdfsig", "apt-get install poppler-utils")
    run_session(prepared, person)
    # pyHanko runs asyncio: signing goes to a worker thread, as in the web server.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(_paperwork, mapp, prepared, tmp_path, pdfsig).result()


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "minutes.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                         capture_output=True, text=True).stdout
    return " ".join(out.split())


def _paperwork(app: Flask, prepared: Prepared, tmp_path: Path, pdfsig: str) -> None:
    with app.app_context():
        meeting = db.session.get(Meeting, prepared.meeting_id)
        secretary = db.session.get(User, prepared.users["thuky"])
        chair = db.session.get(User, prepared.users["chutich"])
        for signer in (secretary, chair):
            issue_user_certificate(signer, PIN)
            # This app keeps its own object store: each signer uploads an image here.
            set_signature_image(signer, signing.demo_signature_png(signer.full_name))
        db.session.commit()

        # The click queues a job; the PDF comes from the job.
        minutes.request(secretary, meeting, NOTES)
        db.session.commit()
        assert meeting.minutes_file_id is None
        assert queue.drain() == 1
        meeting = db.session.get(Meeting, prepared.meeting_id)
        assert meeting.minutes_status == "generated"
        first = object_store().read_bytes(meeting.minutes_file.sha256)
        text = _text(first, tmp_path)
        assert "Số: 01/BB-UBND" in text and NOTES in text
        assert minutes.number_of(meeting) == "01/BB-UBND"

        # Only the secretary edits the text; a rebuild keeps the number.
        with pytest.raises(MeetingError, match="Chỉ thư ký"):
            minutes.request(chair, meeting, "Sửa của chủ trì")
        db.session.rollback()
        meeting = db.session.get(Meeting, prepared.meeting_id)
        minutes.request(secretary, meeting, NOTES + "\nBổ sung: họp lại ngày 20/12.")
        db.session.commit()
        queue.drain()
        meeting = db.session.get(Meeting, prepared.meeting_id)
        text = _text(object_store().read_bytes(meeting.minutes_file.sha256), tmp_path)
        assert "Số: 01/BB-UBND" in text and "Bổ sung: họp lại ngày 20/12." in text
        unsigned = object_store().read_bytes(meeting.minutes_file.sha256)
        names = {name: _text(unsigned, tmp_path).count(name)
                 for name in (secretary.full_name, chair.full_name)}

        minutes.sign(secretary, meeting, PIN)
        db.session.commit()
        # Frozen from the first signature: no new text, no rebuild.
        with pytest.raises(MeetingError, match="đã được ký"):
            minutes.request(secretary, meeting, "Sửa sau khi ký")
        db.session.rollback()
        meeting = db.session.get(Meeting, prepared.meeting_id)
        minutes.sign(chair, meeting, PIN)
        db.session.commit()
        signed = object_store().read_bytes(meeting.minutes_file.sha256)

    path = tmp_path / "signed.pdf"
    path.write_bytes(signed)
    if os.environ.get("EOFFICE_SCREENSHOTS"):  # to look at it
        subprocess.run(["pdftoppm", "-r", "80", "-png", str(path),
                        os.environ["EOFFICE_SCREENSHOTS"] + "/minutes"], check=True, timeout=60)
    out = subprocess.run([pdfsig, str(path)], capture_output=True, text=True, timeout=60).stdout
    assert out.count("Signature Validation: Signature is Valid.") == 2, out
    with app.app_context():
        pki = demo_pki()
        report = signing.validate(signed, trust_roots=[pki.root_pem()], pki=pki)
    assert report.ok and len(report.signatures) == 2, report.verdict_en

    # The names are printed once each, as before signing: the appearances add no text.
    text = _text(signed, tmp_path)
    assert {name: text.count(name) for name in names} == names
    # Each box: where the field is, under its heading and over its name, inked, over no word.
    reader = PdfReader(path)
    boxes = {}
    for index, page in enumerate(reader.pages):
        for annot in page.get("/Annots") or []:
            widget = annot.get_object()
            if widget.get("/FT") == "/Sig" or widget.get("/Parent", {}).get("/FT") == "/Sig":
                name = widget.get("/T") or widget["/Parent"].get("/T")
                boxes[str(name)] = (index, [float(v) for v in widget["/Rect"]])
    assert set(boxes) == {"ThuKy", "ChuTri"}
    sizes, words = page_words(signed)
    for field, heading in (("ThuKy", "KÝ"), ("ChuTri", "TRÌ")):
        page, (x1, y1, x2, y2) = boxes[field]
        assert y2 - y1 >= 30 and x2 - x1 >= 150
        over = [w.text for w in words if w.page == page and w.rect[0] < x2 and x1 < w.rect[2]
                and w.rect[1] < y2 - 0.6 and y1 + 0.6 < w.rect[3]]
        assert over == [], (field, over)
        assert any(w.page == page and w.text == heading and w.rect[1] >= y2 - 1 for w in words)
        png = tmp_path / f"{field}"
        subprocess.run(["pdftoppm", "-r", "72", "-png", "-f", str(page + 1), "-l",
                        str(page + 1), "-x", str(int(x1)), "-y", str(int(sizes[page][1] - y2)),
                        "-W", str(int(x2 - x1)), "-H", str(int(y2 - y1)), "-singlefile",
                        str(path), str(png)], check=True, timeout=60)
        with Image.open(f"{png}.png") as image:
            gray = image.convert("L")
            inked = sum(1 for value in gray.getdata() if value < 160)
        assert inked > 150, (field, inked)  # the signature image is drawn in the box


def test_the_invitation_is_numbered_signed_by_the_chair_sealed_and_sent_signed(
        mapp: Flask, tmp_path: Path) -> None:
    require_executable("soffice", "apt-get install libreoffice-writer-nogui")
    pdfsig = require_executable("pdfsig", "apt-get install poppler-utils")
    prepared = prepare_meeting(mapp, invite=False)
    with ThreadPoolExecutor(1) as pool:
        pool.submit(_sign_and_seal, mapp, prepared).result()

    # The secretary sends; an invitee downloads exactly the signed and sealed giấy mời.
    secretary, invitee = mapp.test_client(), mapp.test_client()
    token = login(secretary, "thuky")
    sent = secretary.post(f"/meetings/{prepared.meeting_id}/invite", data={"csrf_token": token})
    assert sent.status_code in (302, 303), sent.get_data(as_text=True)[:500]
    login(invitee, "truongphong")
    pdf = invitee.get(f"/meetings/{prepared.meeting_id}/invitation.pdf").get_data()
    path = tmp_path / "giay-moi.pdf"
    path.write_bytes(pdf)
    if os.environ.get("EOFFICE_SCREENSHOTS"):  # to look at it
        subprocess.run(["pdftoppm", "-r", "80", "-png", str(path),
                        os.environ["EOFFICE_SCREENSHOTS"] + "/invitation"], check=True, timeout=60)
    checked = subprocess.run([pdfsig, str(path)], capture_output=True, text=True, timeout=60)
    assert checked.stdout.count("Signature Validation: Signature is Valid.") == 2, checked.stdout
    assert "Syntax Error" not in checked.stderr, checked.stderr  # appearances are clean PDF
    with mapp.app_context():
        pki = demo_pki()
        report = signing.validate(pdf, trust_roots=[pki.root_pem()], pki=pki)
        chair = db.session.get(User, prepared.users["chutich"])
        name, title = chair.full_name, (chair.title or "").upper()
    assert report.ok and len(report.signatures) == 2, report.verdict_en
    text = _text(pdf, tmp_path)
    assert "Số: 01/GM-UBND" in text and "GIẤY MỜI" in text
    # Printed three times by the page (the list of invitees, "Chủ trì: …", the signer
    # block) and never again by the signatures: the leader's appearance is the image alone.
    assert text.count(name) == 3
    assert text.count(title) == 1  # the signer block's title, printed once
    # Both images (signature, seal) are inside the leader's box, over no printed word.
    reader = PdfReader(path)
    rects = {}
    for annot in reader.pages[0].get("/Annots") or []:
        widget = annot.get_object()
        rects[str(widget.get("/T"))] = [float(v) for v in widget["/Rect"]]
    leader, seal = rects[signing.sign.LEADER_FIELD], rects[signing.sign.ORG_FIELD]
    assert leader[0] - 1 <= seal[0] and seal[1] >= leader[1] - 1 and seal[3] <= leader[3] + 1
    _sizes, words = page_words(pdf)
    for box in (leader, seal):
        over = [w.text for w in words if w.page == 0 and w.rect[0] < box[2]
                and box[0] < w.rect[2] and w.rect[1] + 2 < box[3] and box[1] < w.rect[3] - 2]
        assert over == [], over


def _sign_and_seal(app: Flask, prepared: Prepared) -> None:
    with app.app_context():
        meeting = db.session.get(Meeting, prepared.meeting_id)
        chair = db.session.get(User, prepared.users["chutich"])
        clerk = db.session.get(User, prepared.users["vanthu"])
        issue_user_certificate(chair, PIN)
        set_signature_image(chair, signing.demo_signature_png(chair.full_name))
        db.session.commit()
        # The clerk cannot seal before the leader signed; the secretary cannot sign.
        with pytest.raises(MeetingError, match="ký giấy mời trước"):
            invitation.seal(clerk, meeting, PIN)
        with pytest.raises(MeetingError, match="Chỉ lãnh đạo chủ trì"):
            invitation.sign(db.session.get(User, prepared.users["thuky"]), meeting, PIN)
        invitation.sign(chair, meeting, PIN)
        db.session.commit()
        assert invitation.state_of(meeting) == "signed"
        assert meeting.invitation_file_id is None  # nothing for invitees until sealed
        ensure_demo_credentials([clerk])  # the seal's certificate
        set_seal_image_for(clerk)
        invitation.seal(clerk, meeting, PIN)
        db.session.commit()
        assert invitation.state_of(meeting) == "sealed"
        assert meeting.invitation_file_id == invitation.sealed_file_id(meeting)


def set_seal_image_for(clerk: User) -> None:
    """This app keeps its own object store: the organisation's seal image is put here."""
    set_seal_image(None, clerk.organisation, signing.demo_seal_png(clerk.organisation.name),
                   uploader=clerk)
    db.session.commit()
