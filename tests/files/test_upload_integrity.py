"""Refused uploads leave nothing behind; every upload path checks content and names
(issue #17, items 5, 7, 8, 9 and 14).

Each refusal is checked the way an operator would: the object store's files and the rows that
name files and documents are counted before and after, and must be equal.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject
from sqlalchemy import func, select

from eoffice.documents.models import Document, DocumentAttachment, DocumentVersion
from eoffice.extensions import db
from eoffice.files.models import StoredFile
from tests.conftest import login
from tests.documents.conftest import create_outgoing, make_pdf, user


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()


def _pdf_with(action: DictionaryObject, *, where: str = "open") -> bytes:
    """A one-page PDF that runs ``action`` when opened (or names it as document JavaScript)."""
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    if where == "open":
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    elif where == "names":  # the document-level JavaScript name tree
        scripts = DictionaryObject({NameObject("/Names"): ArrayObject(
            [TextStringObject("init"), writer._add_object(action)])})
        writer._root_object[NameObject("/Names")] = writer._add_object(DictionaryObject(
            {NameObject("/JavaScript"): writer._add_object(scripts)}))
    else:  # the page's own additional actions (on page open)
        page = writer.pages[0]
        page[NameObject("/AA")] = DictionaryObject({NameObject("/O"): writer._add_object(action)})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


JAVASCRIPT = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                               NameObject("/JS"): TextStringObject("app.alert('x')")})
LAUNCH = DictionaryObject({NameObject("/S"): NameObject("/Launch"),
                           NameObject("/F"): TextStringObject("cmd.exe")})


def counts(app: Flask) -> tuple[int, int, int, int, int]:
    """Objects on disk, and rows of files, documents, versions and attachments."""
    objects_dir = Path(app.config["EOFFICE_SETTINGS"].storage_url.removeprefix("file://"))
    on_disk = sum(1 for p in objects_dir.rglob("*") if p.is_file()) if objects_dir.exists() else 0
    with app.app_context():
        rows = tuple(db.session.execute(select(func.count()).select_from(model)).scalar_one()
                     for model in (StoredFile, Document, DocumentVersion, DocumentAttachment))
        db.session.remove()
    return (on_disk, *rows)  # type: ignore[return-value]


def _ids(app: Flask) -> dict[str, int]:
    with app.app_context():
        return {name: user(name).id for name in
                ("truongphong", "vanthu", "chutich", "chuyenvien", "thuky")}


def outgoing_form(app: Flask, **changes: str) -> dict[str, Any]:
    ids = _ids(app)
    form = {"subject": "Về việc kiểm tra tệp tải lên", "type_code": "",
            "reviewer_id": str(ids["truongphong"]), "checker_id": str(ids["vanthu"]),
            "signer_id": str(ids["chutich"])}
    form.update(changes)
    # A PDF no other test uses, so its object is new to the store.
    return {**form, "file": (io.BytesIO(make_pdf(text=f"refused {sorted(changes)}")),
                             "du-thao.pdf")}


REFUSED_DRAFTS = {
    "unknown type code": {"type_code": "XYZ"},
    "signer who is not a leader": {"signer_id": "specialist"},
    "empty subject": {"subject": "   "},
}


@pytest.mark.parametrize("case", sorted(REFUSED_DRAFTS))
def test_a_refused_draft_leaves_no_object_and_no_row(
    app: Flask, client: FlaskClient, login_as: Callable[[str], str], case: str
) -> None:
    token = login_as("chuyenvien")
    changes = dict(REFUSED_DRAFTS[case])
    if changes.get("signer_id") == "specialist":
        changes["signer_id"] = str(_ids(app)["thuky"])
    before = counts(app)
    answer = client.post("/api/v1/documents/outgoing", data=outgoing_form(app, **changes),
                         content_type="multipart/form-data", headers={"X-CSRFToken": token})
    assert 400 <= answer.status_code < 500, answer.get_data(as_text=True)
    assert answer.get_json()["message"]
    assert counts(app) == before


def test_no_new_version_or_attachment_once_the_content_is_approved(
    app: Flask, client: FlaskClient, demo: None
) -> None:
    with app.app_context():
        document = create_outgoing()
        from eoffice.documents.workflow import transition

        transition(user("truongphong"), document, "approve_content")
        db.session.commit()
        document_id = document.id
    token = login(client, "chuyenvien")  # the drafter
    for path in ("versions", "attachments"):
        before = counts(app)
        answer = client.post(f"/documents/{document_id}/{path}", data={
            "csrf_token": token, "note": "sửa",
            "file": (io.BytesIO(make_pdf(text=f"late {path}")), "muon.pdf")},
            content_type="multipart/form-data", follow_redirects=True)
        assert answer.status_code in (200, 409)
        assert counts(app) == before, path
    # And the clerk (who sees it) cannot slip an attachment in after approval either.
    clerk = app.test_client()
    token = login(clerk, "vanthu")
    before = counts(app)
    clerk.post(f"/documents/{document_id}/attachments", data={
        "csrf_token": token, "file": (io.BytesIO(make_pdf(text="clerk")), "phu-luc.pdf")},
        content_type="multipart/form-data")
    assert counts(app) == before


UPLOADS: dict[str, tuple[bytes, str, str]] = {
    "PNG renamed .pdf": (_png(), "cong-van.pdf", "không khớp"),
    "PDF with JavaScript on open": (_pdf_with(JAVASCRIPT), "a.pdf", "JavaScript"),
    "PDF with document JavaScript": (_pdf_with(JAVASCRIPT, where="names"), "b.pdf",
                                     "JavaScript"),
    "PDF launching a program": (_pdf_with(LAUNCH, where="page"), "c.pdf", "chương trình"),
    "NUL in the file name": (make_pdf(text="nul"), "ten\x00.pdf", "ký tự"),
}


@pytest.mark.parametrize("case", sorted(UPLOADS))
def test_every_upload_path_checks_content_and_names(
    app: Flask, client: FlaskClient, login_as: Callable[[str], str], case: str
) -> None:
    data, name, message = UPLOADS[case]
    token = login_as("chuyenvien")
    before = counts(app)
    generic = client.post("/api/v1/files", data={"file": (io.BytesIO(data), name)},
                          content_type="multipart/form-data", headers={"X-CSRFToken": token})
    assert generic.status_code == 400, generic.get_data(as_text=True)
    assert message in generic.get_json()["message"]
    draft = client.post("/api/v1/documents/outgoing", data={
        **outgoing_form(app), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data", headers={"X-CSRFToken": token})
    assert draft.status_code == 400 and draft.get_json()["message"]
    assert counts(app) == before


def test_task_progress_attachments_are_checked_by_content(
    app: Flask, client: FlaskClient, demo: None
) -> None:
    from datetime import timedelta

    from eoffice.tasks.service import assign_task
    from eoffice.timestamps import utcnow

    with app.app_context():
        task = assign_task(user("truongphong"), title="Tổng hợp số liệu quý IV",
                           description="", assignee_ids=[user("chuyenvien").id],
                           deadline=utcnow() + timedelta(days=3))
        db.session.commit()
        task_id = task.id
    token = login(client, "chuyenvien")
    client.post(f"/tasks/{task_id}/accept", data={"csrf_token": token})
    before = counts(app)
    page = client.post(f"/tasks/{task_id}/progress", data={
        "csrf_token": token, "percent": "50", "note": "Đã xong một nửa",
        "files": (io.BytesIO(_png()), "bao-cao.pdf")},
        content_type="multipart/form-data", follow_redirects=True)
    assert "không khớp" in page.get_data(as_text=True)
    assert counts(app) == before


def test_periodic_sweep_removes_only_old_objects_no_row_names(app: Flask, demo: None) -> None:
    """What a request could not clean (a process killed between storing bytes and committing
    its row) is removed by ``flask files sweep``, after a grace period, and recorded."""
    import os
    import time

    from eoffice.audit.models import Event
    from eoffice.files.service import object_store

    with app.app_context():
        store = object_store()
        kept = create_outgoing().current_version.file.sha256  # named by a row
        old_orphan = store.put(io.BytesIO(b"left by a killed process")).key
        fresh_orphan = store.put(io.BytesIO(b"a request is still writing its row")).key
        two_days_ago = time.time() - 48 * 3600
        for key in (kept, old_orphan):
            os.utime(store.path_for(key), (two_days_ago, two_days_ago))

    runner = app.test_cli_runner()
    dry = runner.invoke(args=["files", "sweep", "--grace-hours", "24", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Sẽ xóa 1 đối tượng" in dry.output and old_orphan in dry.output
    with app.app_context():
        assert store.exists(old_orphan)

    done = runner.invoke(args=["files", "sweep", "--grace-hours", "24"])
    assert done.exit_code == 0, done.output
    assert "Đã xóa 1 đối tượng" in done.output
    with app.app_context():
        assert not store.exists(old_orphan)
        assert store.exists(kept) and store.exists(fresh_orphan)
        swept = db.session.execute(
            select(Event).where(Event.action == "objects_swept")).scalar_one()
        assert swept.actor_id is None and swept.details["keys"] == [old_orphan]
        assert store.read_bytes(kept)  # the document's file is intact


def test_an_edxml_package_with_a_broken_second_pdf_leaves_nothing(
    app: Flask, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    """The main PDF is stored first; the broken annex is refused after it. The first object
    must not stay behind, and no document, version or record is left half-written."""
    from datetime import date

    from eoffice.documents.models import EdxmlRecord
    from formats import edxml

    message = edxml.EdxmlMessage(
        from_org=edxml.OrganInfo(organ_id="000.00.00.G22", organ_name="Bộ Kế hoạch và Đầu tư"),
        to_orgs=(edxml.OrganInfo(organ_id="000.00.00.H41",
                                 organ_name="Ủy ban nhân dân tỉnh Hòa Bình"),),
        code_number="31", code_notation="BKHĐT-VP", place="Hà Nội",
        promulgation_date=date(2026, 3, 1), document_type=2, type_name="Công văn",
        subject="Về việc gói có phụ lục hỏng",
        signer=edxml.SignerInfo("KT. BỘ TRƯỞNG", "Thứ trưởng", "Nguyễn Văn A"))
    package = edxml.build_package(message, [
        edxml.Attachment("cv.pdf", "application/pdf", make_pdf(text="main of a broken package")),
        edxml.Attachment("phu-luc.pdf", "application/pdf", b"%PDF-1.7\n1 0 obj broken\n%%EOF"),
    ])
    token = login_as("vanthu")

    def records() -> int:
        with app.app_context():
            return db.session.execute(select(func.count()).select_from(EdxmlRecord)).scalar_one()

    before, records_before = counts(app), records()
    answer = client.post("/documents/incoming/edxml", data={
        "csrf_token": token, "package": (io.BytesIO(package), "goi.xml")},
        content_type="multipart/form-data", follow_redirects=True)
    assert answer.status_code == 200
    assert "Tệp PDF bị hỏng hoặc không đọc được." in answer.get_data(as_text=True)
    assert counts(app) == before
    assert records() == records_before
