"""The outgoing and incoming paths through the pages, as people use them."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from eoffice.documents.models import Document
from eoffice.extensions import db
from eoffice.files.models import StoredFile
from eoffice.jobs import queue
from tests.conftest import csrf_token_from, login
from tests.documents.conftest import make_pdf, user


def _ids(app: Flask, *usernames: str) -> list[int]:
    with app.app_context():
        ids = [user(name).id for name in usernames]
        db.session.remove()
        return ids


def _doc(app: Flask, document_id: int) -> Document:
    with app.app_context():
        document = db.session.get(Document, document_id)
        db.session.expunge(document)
        db.session.remove()
        return document


def test_drafter_creates_and_the_chain_approves(
    app: Flask, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    token = login_as("chuyenvien")
    reviewer, checker, signer = _ids(app, "truongphong", "vanthu", "chutich")
    page = client.get("/documents/outgoing/new")
    assert page.status_code == 200
    assert "Soạn văn bản đi" in page.get_data(as_text=True)
    response = client.post("/documents/outgoing/new", data={
        "csrf_token": token, "subject": "Về việc tổ chức hội nghị tổng kết năm 2026",
        "type_code": "KH", "urgency": "1", "secrecy": "0", "reviewer_id": reviewer,
        "checker_id": checker, "signer_id": signer,
        "file": (io.BytesIO(make_pdf()), "ke-hoach.pdf"),
    }, content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    document_id = int(re.search(r"/outgoing/(\d+)", response.location).group(1))
    detail = client.get(f"/documents/outgoing/{document_id}").get_data(as_text=True)
    assert "Khẩn" in detail and "Dự thảo (chờ kiểm tra nội dung)" in detail

    # The drafter may not approve their own content: 403.
    assert client.post(f"/documents/{document_id}/act/approve_content",
                       data={"csrf_token": token}).status_code == 403

    client.post("/logout", data={"csrf_token": token})
    token = login(client, "truongphong")
    work = client.get("/my-work").get_data(as_text=True)
    assert "Về việc tổ chức hội nghị tổng kết năm 2026" in work
    assert client.post(f"/documents/{document_id}/act/return",
                       data={"csrf_token": token, "note": "Sửa lại mục 2"}).status_code == 303
    assert _doc(app, document_id).state == "REVISION"
    # Illegal move in the current state: 409.
    assert client.post(f"/documents/{document_id}/act/approve_format",
                       data={"csrf_token": token}).status_code == 409

    client.post("/logout", data={"csrf_token": token})
    token = login(client, "chuyenvien")
    assert client.post(f"/documents/{document_id}/versions", data={
        "csrf_token": token, "note": "Đã sửa mục 2",
        "file": (io.BytesIO(make_pdf(2)), "ke-hoach-v2.pdf")},
        content_type="multipart/form-data").status_code == 303
    assert client.post(f"/documents/{document_id}/act/resubmit",
                       data={"csrf_token": token}).status_code == 303
    with app.app_context():
        assert len(db.session.get(Document, document_id).versions) == 2
        db.session.remove()


def test_rejected_upload_leaves_no_row_and_no_object(
    app: Flask, client: FlaskClient, login_as: Callable[[str], str], tmp_path
) -> None:
    token = login_as("chuyenvien")
    reviewer, checker, signer = _ids(app, "truongphong", "vanthu", "chutich")
    response = client.post("/documents/outgoing/new", data={
        "csrf_token": token, "subject": "Tệp giả mạo", "type_code": "", "urgency": "0",
        "secrecy": "0", "reviewer_id": reviewer, "checker_id": checker, "signer_id": signer,
        "file": (io.BytesIO(b"MZ\x90\x00 not a pdf at all"), "virus.pdf"),
    }, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Tệp không đúng định dạng cho phép" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Document)).scalar() == 0
        assert db.session.execute(select(func.count()).select_from(StoredFile)).scalar() == 0
        db.session.remove()
    objects = tmp_path / "objects"
    assert not objects.exists() or not [p for p in objects.rglob("*") if p.is_file()]


def test_incoming_register_present_direct_complete(
    app: Flask, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    token = login_as("vanthu")
    form = {
        "csrf_token": token, "organ_name": "Bộ Tài chính", "code_number": "125",
        "code_notation": "BTC-NSNN", "type_code": "", "subject": "Về việc dự toán ngân sách",
        "urgency": "2", "secrecy": "0",
    }
    response = client.post("/documents/incoming/new",
                           data={**form, "file": (io.BytesIO(make_pdf()), "den.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    document_id = int(re.search(r"/incoming/(\d+)", response.location).group(1))
    assert _doc(app, document_id).arrival_number == 1

    # The same number + notation + issuer again: a warning, nothing registered until confirmed.
    again = client.post("/documents/incoming/new",
                        data={**form, "file": (io.BytesIO(make_pdf()), "den.pdf")},
                        content_type="multipart/form-data")
    assert again.status_code == 409
    assert "trùng số, ký hiệu và cơ quan ban hành" in again.get_data(as_text=True)
    confirmed = client.post("/documents/incoming/new", data={
        **form, "confirm_duplicate": "y", "file": (io.BytesIO(make_pdf()), "den.pdf")},
        content_type="multipart/form-data")
    assert confirmed.status_code == 303

    (leader,) = _ids(app, "chutich")
    assert client.post(f"/documents/{document_id}/present", data={
        "csrf_token": token, "leader_id": leader}).status_code == 303
    client.post("/logout", data={"csrf_token": token})

    token = login(client, "chutich")
    assert "Về việc dự toán ngân sách" in client.get("/my-work").get_data(as_text=True)
    with app.app_context():
        from eoffice.organisation.models import Unit

        kt = db.session.execute(select(Unit.id).where(Unit.abbreviation == "KT")).scalar_one()
        # Supporting: the office (a unit with a head; one without is refused, test_defaults).
        th = db.session.execute(select(Unit.id).where(Unit.abbreviation == "VP")).scalar_one()
        db.session.remove()
    assert client.post(f"/documents/{document_id}/direct", data={
        "csrf_token": token, "lead_unit_id": kt, "lead_deadline": "2026-12-31",
        "support_unit_id": [th, "", ""], "support_deadline": ["2026-12-20", "", ""],
        "opinion": "Giao Phòng Kinh tế chủ trì",
    }).status_code == 303
    client.post("/logout", data={"csrf_token": token})

    # The unit head hands it to a specialist of the unit.
    token = login(client, "truongphong")
    assert "Về việc dự toán ngân sách" in client.get("/my-work").get_data(as_text=True)
    page = client.get(f"/documents/incoming/{document_id}").get_data(as_text=True)
    assignment_id = re.search(r'name="assignment_id" value="(\d+)"', page).group(1)
    (specialist,) = _ids(app, "chuyenvien")
    assert client.post(f"/documents/{document_id}/reassign", data={
        "csrf_token": token, "assignment_id": assignment_id, "user_id": specialist,
    }).status_code == 303
    client.post("/logout", data={"csrf_token": token})

    token = login(client, "chuyenvien")
    assert "Về việc dự toán ngân sách" in client.get("/my-work").get_data(as_text=True)
    assert client.post(f"/documents/{document_id}/progress", data={
        "csrf_token": token, "body": "Đã tổng hợp số liệu"}).status_code == 303
    assert _doc(app, document_id).state == "IN_PROGRESS"
    assert client.post(f"/documents/{document_id}/complete", data={
        "csrf_token": token, "note": "Đã báo cáo"}).status_code == 303
    assert _doc(app, document_id).state == "COMPLETED"

    client.post("/logout", data={"csrf_token": token})
    token = login(client, "vanthu")
    assert client.post("/documents/case-files", data={
        "csrf_token": token, "code": "01.KT", "title": "Hồ sơ ngân sách 2026"}).status_code == 303
    assert client.post("/documents/case-files", data={
        "csrf_token": token, "code": "02.TH", "title": "Hồ sơ tổng hợp"}).status_code == 303
    assert client.post(f"/documents/{document_id}/file", data={
        "csrf_token": token, "case_file_id": ["1", "2"]}).status_code == 303
    assert _doc(app, document_id).state == "FILED"
    assert "Hồ sơ ngân sách 2026" in client.get(
        f"/documents/incoming/{document_id}").get_data(as_text=True)


def test_search_is_accent_insensitive_and_respects_access(
    app: Flask, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    from tests.documents.conftest import create_incoming, create_outgoing

    with app.app_context():
        create_outgoing(subject="Quyết định về việc thành lập Tổ công tác cải cách")
        create_outgoing(subject="Quyết định về quỹ phòng chống thiên tai", secrecy=1)
        create_incoming(subject="Công văn về đường giao thông nông thôn")
        db.session.remove()
    login_as("truongphong")
    page = client.get("/documents/search?q=thanh+lap+to+cong+tac").get_data(as_text=True)
    assert "Tổ công tác cải cách" in page
    assert "1 kết quả" in page
    api = client.get("/api/v1/documents/search?q=quyet+dinh").get_json()
    assert api["total"] == 2  # the secret one names truongphong as its reviewer
    # The incoming letter is not the unit head's to see.
    assert client.get("/api/v1/documents/search?q=duong+giao+thong").get_json()["total"] == 0
    client.post("/logout", data={"csrf_token": csrf_token_from(client.get("/my-work")
                                                               .get_data(as_text=True))})
    login(client, "thuky")
    assert client.get("/api/v1/documents/search?q=quyet+dinh").get_json()["total"] == 0


def test_clerk_prints_the_incoming_register(
    app: Flask, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    from docx import Document as Docx

    from tests.documents.conftest import create_incoming

    with app.app_context():
        create_incoming(subject="Về việc kiểm kê tài sản công", organ_name="Sở Tài chính")
        create_incoming(subject="Văn bản mật về quốc phòng", secrecy=1, code_number=3)
        db.session.remove()
    token = login_as("vanthu")
    response = client.post("/documents/registers", data={
        "csrf_token": token, "series": "incoming", "format": "docx"}, follow_redirects=True)
    assert "Đang in sổ" in response.get_data(as_text=True)  # a job: the click returns at once
    with app.app_context():
        assert queue.drain() == 1
    [job] = client.get("/api/v1/jobs").get_json()["items"]
    assert job["state"] == "done" and job["result"]["name"].endswith(".docx")
    assert "Tải về" in client.get("/jobs/").get_data(as_text=True)
    response = client.get(f"/files/{job['result']['file_id']}/download")
    assert response.status_code == 200
    text = "\n".join(cell.text for table in Docx(io.BytesIO(response.data)).tables
                     for row in table.rows for cell in row.cells)
    assert "Về việc kiểm kê tài sản công" in text and "Sở Tài chính" in text
    assert "quốc phòng" not in text  # the secret one has its own register
    client.post("/logout", data={"csrf_token": token})
    token = login(client, "chuyenvien")
    assert client.post("/documents/registers", data={
        "csrf_token": token, "series": "incoming"}).status_code == 403
    # The register the clerk printed is hers: another user cannot download it.
    assert client.get(f"/files/{job['result']['file_id']}/download").status_code == 404


def test_clerk_receives_an_edxml_package(
    app: Flask, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    from datetime import date

    from formats import edxml

    message = edxml.EdxmlMessage(
        from_org=edxml.OrganInfo("000.00.00.G12", "Bộ Nội vụ"),
        to_orgs=(edxml.OrganInfo("000.00.00.H41", "Ủy ban nhân dân tỉnh Hòa Bình"),),
        code_number="27", code_notation="BNV-VP", place="Hà Nội",
        promulgation_date=date(2026, 11, 20), document_type=1, type_name="Quyết định",
        subject="Về việc giao biên chế công chức năm 2027",
        signer=edxml.SignerInfo("KT. BỘ TRƯỞNG", "Thứ trưởng", "Nguyễn Văn A"),
        other_info=edxml.OtherInfo(priority=1, page_amount=2),
    )
    package = edxml.build_package(message, [
        edxml.Attachment("quyet-dinh.pdf", "application/pdf", make_pdf(2)),
        edxml.Attachment("phu-luc.pdf", "application/pdf", make_pdf(1)),
    ])
    token = login_as("vanthu")
    response = client.post("/documents/incoming/edxml", data={
        "csrf_token": token, "package": (io.BytesIO(package), "goi.xml")},
        content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    document_id = int(re.search(r"/incoming/(\d+)", response.location).group(1))
    with app.app_context():
        document = db.session.get(Document, document_id)
        assert (document.organ_id, document.code_number, document.code_notation) == (
            "000.00.00.G12", 27, "BNV-VP")
        assert document.type_code == "QĐ" and document.urgency == 1
        assert document.arrival_number == 1 and document.state == "REGISTERED"
        db.session.remove()
    page = client.get(f"/documents/incoming/{document_id}").get_data(as_text=True)
    assert "Nhận qua trục liên thông (edXML)" in page and "Tệp không có chữ ký số." in page
    assert "phu-luc.pdf" in page
    again = client.post("/documents/incoming/edxml", data={
        "csrf_token": token, "package": (io.BytesIO(package), "goi.xml")},
        content_type="multipart/form-data", follow_redirects=True)
    assert "Văn bản này đã được vào sổ" in again.get_data(as_text=True)
    broken = client.post("/documents/incoming/edxml", data={
        "csrf_token": token, "package": (io.BytesIO(b"<edXML><oops"), "goi.xml")},
        content_type="multipart/form-data", follow_redirects=True)
    assert "flash-error" in broken.get_data(as_text=True)


def test_issued_document_is_replaced_by_a_new_one(
    app: Flask, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    from tests.documents.conftest import create_outgoing

    with app.app_context():
        old = create_outgoing(subject="Quyết định có sai sót", recipient_user_ids=[
            user("thuky").id])
        old.state = "ORG_SIGNED"
        old.code_number, old.code_notation = 3, "UBND-KT"
        db.session.commit()
        from eoffice.documents import service

        service.issue(user("vanthu"), old)
        new = create_outgoing(subject="Quyết định thay thế")
        db.session.commit()
        old_id, new_id = old.id, new.id
        db.session.remove()
    token = login_as("vanthu")
    assert client.post(f"/documents/{old_id}/replace", data={
        "csrf_token": token, "replacement_id": new_id, "note": "Sai nội dung Điều 2"},
    ).status_code == 303
    assert _doc(app, old_id).state == "REPLACED"
    assert _doc(app, old_id).replaced_by_id == new_id
    # A replaced document is frozen: nothing more happens to it.
    assert client.post(f"/documents/{old_id}/act/archive",
                       data={"csrf_token": token}).status_code == 409
