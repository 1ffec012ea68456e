"""Inter-agency exchange: edXML export of issued outgoing documents per recipient not connected
to the exchange (the manual channel of the one list of recipients outside the organisation),
the raw incoming package kept, status messages produced and consumed, revocation of an
incoming document, consultation on drafts and the ``submitted_for_signature`` event."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy import select

from eoffice.audit.models import Event
from eoffice.documents import service
from eoffice.documents.exchange import outgoing_document_id
from eoffice.documents.models import DocumentConsultation, EdxmlRecord
from eoffice.extensions import db
from eoffice.files.service import object_store
from eoffice.timestamps import utcnow
from formats import edxml
from tests.conftest import login
from tests.documents.conftest import create_incoming, create_outgoing, make_pdf, user

SENDER = edxml.OrganInfo(organ_id="000.00.00.G22", organ_name="Bộ Kế hoạch và Đầu tư")
OURS = edxml.OrganInfo(organ_id="000.00.00.H41", organ_name="Ủy ban nhân dân tỉnh Hòa Bình")


def switch(client: FlaskClient, username: str) -> str:
    """Forget whoever is signed in, then log ``username`` in; return a CSRF token."""
    client._cookies.clear()  # type: ignore[attr-defined]
    return login(client, username)


@pytest.fixture(autouse=True)
def _fresh_g(ctx: Flask) -> None:
    """The test's app context (``ctx``) is shared with the client's requests; forget the
    user and CSRF token each request cached in ``g``, as a real server would."""

    @ctx.teardown_request
    def forget(_exc: BaseException | None) -> None:
        for name in list(g):
            g.pop(name)


def events(document_id: int, action: str) -> list[Event]:
    return list(db.session.execute(select(Event).where(
        Event.object_kind == "document", Event.object_id == str(document_id),
        Event.action == action).order_by(Event.id)).scalars())


def issued(**overrides: Any) -> Any:
    """An outgoing document as the signing path leaves it: numbered, dated, ISSUED."""
    document = create_outgoing(**overrides)
    document.state = "ISSUED"
    document.code_number = 7
    document.code_notation = "UBND-VP"
    document.issued_date = date(2026, 3, 5)
    document.issued_at = utcnow()
    document.due_date = utcnow() + timedelta(days=10)
    document.to_places = "- Như trên;\n- Bộ Kế hoạch và Đầu tư;"
    db.session.commit()
    return document


def package_bytes(pdf: bytes, number: str = "15", notation: str = "BKHĐT-VP") -> bytes:
    message = edxml.EdxmlMessage(
        from_org=SENDER, to_orgs=(OURS,), code_number=number, code_notation=notation,
        place="Hà Nội", promulgation_date=date(2026, 3, 1), document_type=2,
        type_name="Công văn", subject="Về việc báo cáo đầu tư công",
        signer=edxml.SignerInfo("KT. BỘ TRƯỞNG", "Thứ trưởng", "Nguyễn Văn A"))
    return edxml.build_package(message, [edxml.Attachment("cv.pdf", "application/pdf", pdf)])


def receive(data: bytes) -> Any:
    from eoffice.documents.receiving import receive_package

    result = receive_package(user("vanthu"), data)
    db.session.commit()
    return result.document


# --------------------------------------------------------------------------- 1. export
def test_issued_document_exports_one_package_per_external_recipient(
        ctx: Flask, client: FlaskClient) -> None:
    document = create_outgoing()
    switch(client, "chuyenvien")
    page = f"/documents/outgoing/{document.id}"
    assert "Nơi nhận bên ngoài" in client.get(page).get_data(as_text=True)
    for organ_id, name in (("000.00.00.G22", "Bộ Kế hoạch và Đầu tư"),
                           ("000.00.00.G15", "Bộ Xây dựng")):
        token = switch(client, "chuyenvien")
        reply = client.post(f"/exchange/{document.id}/recipients",
                            data={"organ_id": organ_id, "name": name, "csrf_token": token})
        assert reply.status_code == 303
    token = switch(client, "chuyenvien")
    bad = client.post(f"/exchange/{document.id}/recipients", follow_redirects=True,
                      data={"organ_id": "H41", "name": "Sai", "csrf_token": token})
    assert "đúng 13 ký tự" in bad.get_data(as_text=True)

    pdf = make_pdf(2)
    db.session.expire_all()
    stored = service.store_file(user("vanthu"), io.BytesIO(pdf), "7-UBND-VP.pdf",
                                service.PDF_ONLY)
    service.add_version(user("vanthu"), document, stored, "org_signed")
    document.state, document.code_number, document.code_notation = "ISSUED", 9, "UBND-VP"
    document.issued_date, document.authority = date(2026, 3, 6), "KT. CHỦ TỊCH"
    document.due_date = utcnow() + timedelta(days=5)
    document.to_places = "- Như trên;\n- Bộ Kế hoạch và Đầu tư;"
    db.session.commit()

    token = switch(client, "vanthu")
    html = client.get(page).get_data(as_text=True)
    assert html.count("Tải gói edXML") == 2
    # Exporting is an act: a GET (a link, a prefetch) does nothing.
    first = next(iter(client.get(f"/api/v1/documents/{document.id}/edxml").get_json()[
        "external_recipients"]))["id"]
    assert client.get(f"/documents/{document.id}/edxml/export/{first}").status_code == 405
    assert events(document.id, "exported") == []
    api = client.get(f"/api/v1/documents/{document.id}/edxml").get_json()
    recipients = {r["organ_id"]: r["id"] for r in api["external_recipients"]}
    seen = []
    for organ_id, rid in recipients.items():
        reply = client.post(f"/documents/{document.id}/edxml/export/{rid}",
                            headers={"X-CSRFToken": token})
        assert reply.status_code == 200 and reply.mimetype == "application/xml"
        package = edxml.parse_package(reply.data)
        message = package.message
        assert message.from_org.organ_id == "000.00.00.H41"
        assert [o.organ_id for o in message.to_orgs] == [organ_id]
        assert (message.code_number, message.code_notation) == ("09", "UBND-VP")
        assert message.promulgation_date == date(2026, 3, 6)
        assert message.subject == document.subject
        assert message.signer.full_name == document.signer_full_name
        assert message.signer.competence == "KT. CHỦ TỊCH"
        assert message.due_date is not None
        assert "Bộ Kế hoạch và Đầu tư;" in message.to_places
        assert message.trace_headers[0].organ_id == "000.00.00.H41"
        assert package.document_id == "000.00.00.H41,2026/03/06,09/UBND-VP"
        assert package.attachments[0].data == pdf
        seen.append(organ_id)
    via_api = client.post(f"/api/v1/documents/{document.id}/edxml/export/"
                          f"{recipients['000.00.00.G15']}", headers={"X-CSRFToken": token})
    assert edxml.parse_package(via_api.data).message.to_orgs[0].organ_name == "Bộ Xây dựng"
    exported = events(document.id, "exported")
    assert sorted(e.details["organ_id"] for e in exported) == sorted([*seen, "000.00.00.G15"])


def test_secret_document_is_never_exported(ctx: Flask, client: FlaskClient) -> None:
    from eoffice.errors import InvalidInput
    from eoffice.exchange.models import Channel, ExchangeRecipient
    from eoffice.exchange.recipients import add_recipient

    document = issued(secrecy=1)
    with pytest.raises(InvalidInput, match="Văn bản mật không được gửi ra ngoài cơ quan"):
        add_recipient(user("vanthu"), document, "000.00.00.G22", "Bộ KH&ĐT")
    # A row from before the document was marked secret still gets nothing.
    row = ExchangeRecipient(document_id=document.id, organ_id="000.00.00.G22",
                            organ_name="Bộ KH&ĐT", added_by_id=user("vanthu").id,
                            channel=Channel.MANUAL)
    db.session.add(row)
    db.session.commit()
    token = switch(client, "vanthu")
    reply = client.post(f"/api/v1/documents/{document.id}/edxml/export/{row.id}",
                        headers={"X-CSRFToken": token})
    assert reply.status_code == 400
    assert "không xuất gói edXML" in reply.get_json()["message"]
    page = client.post(f"/documents/{document.id}/edxml/export/{row.id}",
                       headers={"X-CSRFToken": token}, follow_redirects=True).get_data(
        as_text=True)
    assert "Văn bản mật không được gửi ra ngoài cơ quan" in page
    assert "Tải gói edXML" not in page
    assert events(document.id, "exported") == []


# --------------------------------------------------------------------------- 2. statuses
def test_incoming_package_is_kept_and_each_step_reports_a_status(
        ctx: Flask, client: FlaskClient) -> None:
    data = package_bytes(make_pdf())
    document = receive(data)
    records = db.session.execute(select(EdxmlRecord).where(
        EdxmlRecord.document_id == document.id).order_by(EdxmlRecord.id)).scalars().all()
    assert [r.kind for r in records] == ["package_in", "status_out", "status_out"]
    assert [r.status_code for r in records[1:]] == ["01", "03"]

    switch(client, "vanthu")
    raw = client.get(f"/api/v1/documents/{document.id}/edxml/{records[0].id}")
    assert raw.status_code == 200 and raw.data == data
    token = switch(client, "vanthu")
    client.post(f"/documents/{document.id}/present",
                data={"leader_id": user("chutich").id, "csrf_token": token})
    token = switch(client, "chutich")
    client.post(f"/documents/{document.id}/direct",
                data={"lead_user_id": user("chuyenvien").id, "opinion": "Giao KT",
                      "csrf_token": token})
    token = switch(client, "chuyenvien")
    client.post(f"/documents/{document.id}/progress", data={"body": "Đang làm",
                                                           "csrf_token": token})
    token = switch(client, "chuyenvien")
    client.post(f"/documents/{document.id}/complete", data={"csrf_token": token})

    listing = client.get(f"/api/v1/documents/{document.id}/edxml").get_json()["records"]
    codes = [r["status_code"] for r in listing if r["kind"] == "status_out"]
    assert codes == ["01", "03", "04", "05", "06"]
    last = client.get(f"/api/v1/documents/{document.id}/edxml/{listing[-1]['id']}")
    status = edxml.parse_status(last.data)
    assert status.code == edxml.StatusCode.COMPLETED
    assert status.response_for.document_id == "000.00.00.G22,2026/03/01,15/BKHĐT-VP"
    assert status.from_org.organ_id == "000.00.00.H41"
    html = client.get(f"/documents/incoming/{document.id}").get_data(as_text=True)
    assert "Thông điệp trạng thái đã gửi 06" in html
    reported = [e.details["status_code"] for e in events(document.id, "status_reported")]
    assert reported == ["01", "03", "04", "05", "06"]


def test_returned_package_reports_rejected_and_paper_arrivals_report_nothing(
        ctx: Flask, client: FlaskClient) -> None:
    document = receive(package_bytes(make_pdf(), number="16"))
    paper = create_incoming()
    for target in (document, paper):
        token = switch(client, "vanthu")
        client.post(f"/documents/{target.id}/act/return",
                    data={"note": "Sai nơi nhận", "csrf_token": token})
    assert [e.details["status_code"] for e in events(document.id, "status_reported")] == [
        "01", "03", "02"]
    assert events(paper.id, "status_reported") == []


def test_status_message_for_our_document_updates_the_recipient(
        ctx: Flask, client: FlaskClient) -> None:
    from eoffice.exchange.recipients import add_recipient as add_external_recipient

    document = issued()
    add_external_recipient(user("vanthu"), document, "000.00.00.G22", "Bộ Kế hoạch và Đầu tư")
    add_external_recipient(user("vanthu"), document, "000.00.00.G15", "Bộ Xây dựng")
    db.session.commit()

    def status(code: edxml.StatusCode, doc_key: str, organ: edxml.OrganInfo = SENDER) -> bytes:
        return edxml.build_status(edxml.StatusMessage(
            response_for=edxml.ResponseFor("000.00.00.H41", "07/UBND-VP", date(2026, 3, 5),
                                           doc_key),
            from_org=organ, code=code, timestamp=utcnow()))

    key = outgoing_document_id(document)
    assert key == "000.00.00.H41,2026/03/05,07/UBND-VP"
    token = switch(client, "vanthu")
    reply = client.post("/documents/edxml/status", follow_redirects=True, data={
        "status": (io.BytesIO(status(edxml.StatusCode.IN_PROGRESS, key)), "st.xml"),
        "csrf_token": token})
    html = reply.get_data(as_text=True)
    assert "Đã cập nhật trạng thái xử lý của Bộ Kế hoạch và Đầu tư" in html
    row = html.split('data-organ="000.00.00.G22"')[1].split("</tr>")[0]
    assert "Đang xử lý" in row
    other = html.split('data-organ="000.00.00.G15"')[1].split("</tr>")[0]
    assert "Chưa có phản hồi" in other

    token = switch(client, "vanthu")
    unknown = client.post("/api/v1/documents/edxml/status", headers={"X-CSRFToken": token},
                          data={"status": (io.BytesIO(status(
                              edxml.StatusCode.COMPLETED, "000.00.00.H41,2026/03/05,99/UBND-VP")),
                              "st.xml")})
    assert unknown.status_code == 400 and "Không tìm thấy văn bản đi" in unknown.get_json()[
        "message"]
    stranger = client.post("/api/v1/documents/edxml/status", headers={"X-CSRFToken": token},
                           data={"status": (io.BytesIO(status(
                               edxml.StatusCode.COMPLETED, key,
                               edxml.OrganInfo("000.00.00.G99", "Lạ"))), "st.xml")})
    assert stranger.status_code == 400
    done = client.post("/api/v1/documents/edxml/status", headers={"X-CSRFToken": token},
                       data={"status": (io.BytesIO(status(edxml.StatusCode.COMPLETED, key)),
                                        "st.xml")})
    assert done.status_code == 200 and done.get_json()["status_code"] == "06"
    assert [e.details["status_code"] for e in events(document.id, "status_received")] == [
        "05", "06"]


def test_status_is_matched_on_the_full_identity_of_what_was_sent(
        ctx: Flask, client: FlaskClient) -> None:
    """Numbers restart per register: 07/UBND-VP of 05/03/2026 exists in the secret series
    too (created first, so a match on number and notation alone would take it)."""
    from eoffice.exchange.recipients import add_recipient as add_external_recipient

    secret = issued(secrecy=1, subject="Văn bản mật cùng số")
    document = issued()
    add_external_recipient(user("vanthu"), document, "000.00.00.G22", "Bộ Kế hoạch và Đầu tư")
    db.session.commit()
    key = outgoing_document_id(document)

    def status(organ: edxml.OrganInfo = SENDER) -> bytes:
        return edxml.build_status(edxml.StatusMessage(
            response_for=edxml.ResponseFor("000.00.00.H41", "07/UBND-VP", date(2026, 3, 5),
                                           key),
            from_org=organ, code=edxml.StatusCode.IN_PROGRESS, timestamp=utcnow()))

    token = switch(client, "vanthu")
    done = client.post("/api/v1/documents/edxml/status", headers={"X-CSRFToken": token},
                       data={"status": (io.BytesIO(status()), "st.xml")})
    assert done.status_code == 200, done.get_json()
    assert [e.details["status_code"] for e in events(document.id, "status_received")] == ["05"]
    assert events(secret.id, "status_received") == []

    # A second sent document with the same identity to the same organ: refused, not guessed.
    twin = issued(subject="Văn bản thứ hai cùng số")
    add_external_recipient(user("vanthu"), twin, "000.00.00.G22", "Bộ Kế hoạch và Đầu tư")
    db.session.commit()
    ambiguous = client.post("/api/v1/documents/edxml/status", headers={"X-CSRFToken": token},
                            data={"status": (io.BytesIO(status()), "st.xml")})
    assert ambiguous.status_code == 400
    assert "không thể xác định" in ambiguous.get_json()["message"]
    assert events(twin.id, "status_received") == []


# --------------------------------------------------------------------------- 3. revocation
def test_revoked_incoming_loses_its_content_but_keeps_the_fact(
        ctx: Flask, client: FlaskClient) -> None:
    pdf = make_pdf(3, text="thu hoi")
    document = receive(package_bytes(pdf, number="21"))
    version = document.versions[0]
    file_id, key = version.file_id, version.file.sha256
    package_id = db.session.execute(select(EdxmlRecord.id).where(
        EdxmlRecord.document_id == document.id, EdxmlRecord.kind == "package_in")).scalar()
    switch(client, "vanthu")
    assert client.get(f"/files/{file_id}/download").status_code == 200

    token = switch(client, "vanthu")
    refused = client.post(f"/documents/{document.id}/act/revoke", follow_redirects=True,
                          data={"note": "", "csrf_token": token})
    assert "Hãy nhập lý do thu hồi" in refused.get_data(as_text=True)
    token = switch(client, "vanthu")
    client.post(f"/documents/{document.id}/act/revoke",
                data={"note": "Bộ KH&ĐT rút lại để sửa số liệu", "csrf_token": token})

    assert client.get(f"/files/{file_id}/download").status_code == 404
    assert client.get(f"/api/v1/documents/{document.id}/versions/1/content").status_code == 404
    assert client.get(f"/api/v1/documents/{document.id}/edxml/{package_id}").status_code == 404
    assert not object_store().exists(key)
    detail = client.get(f"/api/v1/documents/{document.id}").get_json()
    assert detail["state"] == "REVOKED" and len(detail["versions"]) == 1
    revoked = events(document.id, "revoked")
    assert len(revoked) == 1 and revoked[0].actor_id == user("vanthu").id
    assert revoked[0].details["reason"] == "Bộ KH&ĐT rút lại để sửa số liệu"
    html = client.get(f"/documents/incoming/{document.id}").get_data(as_text=True)
    assert "nội dung đã bị thu hồi" in html and "rút lại để sửa số liệu" in html


# --------------------------------------------------------------------------- 4. consultation
def test_drafter_consults_people_who_answer_while_the_draft_goes_on(
        ctx: Flask, client: FlaskClient) -> None:
    document = create_outgoing()
    token = switch(client, "chuyenvien")
    deadline = (date.today() + timedelta(days=3)).isoformat()
    client.post(f"/documents/{document.id}/consultations", data={
        "user_id": [user("thuky").id, user("chanhvanphong").id], "deadline": deadline,
        "question": "Xin ý kiến về phạm vi triển khai", "csrf_token": token})
    assert [e.details["user_ids"] for e in events(document.id, "forwarded")] == [
        sorted([user("thuky").id, user("chanhvanphong").id])]

    switch(client, "thuky")
    work = client.get("/my-work").get_data(as_text=True)
    assert document.subject in work and "Xin ý kiến của bạn" in work
    assert document.id in [d.id for d in service.waiting_for(user("thuky"))]

    token = switch(client, "truongphong")  # the draft does not wait for the answers
    client.post(f"/documents/{document.id}/act/approve_content", data={"csrf_token": token})
    consult = db.session.execute(select(DocumentConsultation).where(
        DocumentConsultation.user_id == user("thuky").id)).scalar_one()
    token = switch(client, "thuky")
    client.post(f"/documents/{document.id}/consultations/{consult.id}/answer", data={
        "opinion": "comments", "body": "Nên bổ sung lộ trình", "csrf_token": token})
    assert document.id not in [d.id for d in service.waiting_for(user("thuky"))]
    again = client.post(f"/documents/{document.id}/consultations/{consult.id}/answer",
                        data={"opinion": "agree", "csrf_token": token})
    assert again.status_code == 409

    switch(client, "chuyenvien")
    html = client.get(f"/documents/outgoing/{document.id}").get_data(as_text=True)
    assert "Nên bổ sung lộ trình" in html and "Chưa trả lời" in html
    commented = [e for e in events(document.id, "commented") if "opinion" in e.details]
    assert commented[0].details["opinion"] == "comments"
    assert commented[0].details["consultation_id"] == consult.id
    assert commented[0].actor_id == user("thuky").id


# --------------------------------------------------------------------------- 5. trình ký
def test_submitted_for_signature_names_the_signer_and_starts_the_wait(
        ctx: Flask, client: FlaskClient) -> None:
    from eoffice.reports.models import WorkItem

    document = create_outgoing()
    token = switch(client, "truongphong")
    client.post(f"/documents/{document.id}/act/approve_content", data={"csrf_token": token})
    assert events(document.id, "submitted_for_signature") == []
    token = switch(client, "vanthu")
    client.post(f"/documents/{document.id}/act/approve_format", data={"csrf_token": token})
    submitted = events(document.id, "submitted_for_signature")
    assert len(submitted) == 1 and submitted[0].details["user_ids"] == [user("chutich").id]
    wait = db.session.execute(select(WorkItem).where(
        WorkItem.kind == "signature", WorkItem.object_id == str(document.id))).scalar_one()
    assert wait.user_id == user("chutich").id
    assert wait.start_event_id == submitted[0].id
