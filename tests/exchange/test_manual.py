"""One list of recipients outside the organisation: a clerk adds an organisation of the
directory and an agency the exchange cannot reach through the same form; the first is sent at
issue, the second is offered as a signed edXML package to hand over, and the status file that
agency sends back updates its row. Secret documents go neither way."""

from __future__ import annotations

import io

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from eoffice.audit.models import Event
from eoffice.exchange import recipients
from eoffice.exchange.models import MANUAL_LABEL, ExchangeDispatch, ExchangeRecipient
from eoffice.extensions import db
from eoffice.timestamps import utcnow
from formats import edxml
from tests.documents.conftest import user
from tests.exchange.conftest import (
    DEPARTMENT,
    UNCONNECTED,
    fresh_g,
    issue,
    ready_to_issue,
    run_jobs,
    switch,
)


def _row(html: str, organ_id: str) -> str:
    return html.split(f'data-organ="{organ_id}"')[1].split("</tr>")[0]


def _status_file(document_key: str, code: edxml.StatusCode) -> bytes:
    return edxml.build_status(edxml.StatusMessage(
        response_for=edxml.ResponseFor("000.00.00.H41", "", utcnow().date(), document_key),
        from_org=edxml.OrganInfo(UNCONNECTED, "Bộ Xây dựng"), code=code, timestamp=utcnow(),
        description="Đã giao Vụ Kế hoạch xử lý",
        staff=edxml.StaffInfo(staff="Lê Thị Hoa")))


def test_one_section_two_channels(xctx: Flask, client: FlaskClient) -> None:
    fresh_g(xctx)
    document = ready_to_issue()
    token = switch(client, "vanthu")
    page = client.get(f"/documents/outgoing/{document.id}").get_data(as_text=True)
    assert page.count("Nơi nhận bên ngoài") == 1 and 'id="external"' not in page
    for organ_id, name in ((DEPARTMENT, ""), (UNCONNECTED, "Bộ Xây dựng")):
        reply = client.post(f"/exchange/{document.id}/recipients",
                            data={"organ_id": organ_id, "name": name,
                                  "email": "vanthu@moc.gov.vn" if name else "",
                                  "csrf_token": token})
        assert reply.status_code == 303
    nameless = client.post(f"/exchange/{document.id}/recipients", follow_redirects=True,
                           data={"organ_id": "000.00.00.G16", "csrf_token": token})
    assert "hãy nhập tên cơ quan nhận" in nameless.get_data(as_text=True)

    page = client.get(f"/documents/outgoing/{document.id}").get_data(as_text=True)
    unconnected = _row(page, UNCONNECTED)
    assert MANUAL_LABEL in unconnected and "Tải gói edXML sau khi phát hành" in unconnected
    assert "Chưa gửi (gửi khi phát hành)" in _row(page, DEPARTMENT)

    db.session.expire_all()
    issue(db.session.get(type(document), document.id))
    run_jobs()
    # Only the directory's organisation left through the outbox.
    assert [d.to_organ_id for d in db.session.execute(select(ExchangeDispatch).where(
        ExchangeDispatch.document_id == document.id,
        ExchangeDispatch.kind == "package")).scalars()] == [DEPARTMENT]
    table = client.get(f"/exchange/{document.id}/recipients").get_data(as_text=True)
    assert "<strong>01</strong>" in _row(table, DEPARTMENT)
    assert "Tải gói edXML" in _row(table, UNCONNECTED)
    assert "Tải gói edXML" not in _row(table, DEPARTMENT)

    listing = client.get(f"/api/v1/exchange/{document.id}/recipients").get_json()["recipients"]
    channels = {r["organ_id"]: (r["channel"], r["id"]) for r in listing}
    assert channels[DEPARTMENT][0] == "exchange" and channels[UNCONNECTED][0] == "manual"
    manual_id = channels[UNCONNECTED][1]
    refused = client.post(f"/api/v1/documents/{document.id}/edxml/export/"
                          f"{channels[DEPARTMENT][1]}", headers={"X-CSRFToken": token})
    assert refused.status_code == 400 and "qua liên thông" in refused.get_json()["message"]

    package = client.post(f"/documents/{document.id}/edxml/export/{manual_id}",
                          headers={"X-CSRFToken": token})
    assert package.status_code == 200 and package.mimetype == "application/xml"
    parsed = edxml.parse_package(package.data)
    to = parsed.message.to_orgs[0]
    assert (to.organ_id, to.organ_name, to.email) == (UNCONNECTED, "Bộ Xây dựng",
                                                       "vanthu@moc.gov.vn")
    assert parsed.attachments and parsed.message.subject == document.subject
    assert b"Signature" in package.data  # the same signed package the exchange would send

    token = switch(client, "vanthu")
    reply = client.post("/documents/edxml/status", follow_redirects=True, data={
        "status": (io.BytesIO(_status_file(parsed.document_id, edxml.StatusCode.ASSIGNED)),
                   "trang-thai.xml"), "csrf_token": token})
    html = reply.get_data(as_text=True)
    assert "Đã cập nhật trạng thái xử lý của Bộ Xây dựng" in html
    row = _row(html, UNCONNECTED)
    assert "<strong>04</strong>" in row and "Lê Thị Hoa" in row
    assert "<strong>01</strong>" in _row(html, DEPARTMENT)
    db.session.expire_all()
    kept = db.session.get(ExchangeRecipient, manual_id)
    assert kept is not None and kept.exported_at is not None and kept.status_code == "04"


def test_old_api_path_adds_to_the_same_list(xctx: Flask, client: FlaskClient) -> None:
    fresh_g(xctx)
    document = ready_to_issue()
    token = switch(client, "chuyenvien")
    for path in (f"/api/v1/documents/{document.id}/external-recipients",
                 f"/api/v1/documents/{document.id}/actions/add_external_recipient"):
        reply = client.post(path, json={"organ_id": UNCONNECTED, "name": "Bộ Xây dựng"},
                            headers={"X-CSRFToken": token})
        assert reply.status_code == 200, reply.get_json()
    rows = db.session.execute(select(ExchangeRecipient).where(
        ExchangeRecipient.document_id == document.id)).scalars().all()
    assert [(r.organ_id, r.channel) for r in rows] == [(UNCONNECTED, "manual")]
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["paths"]["/api/v1/documents/{document_id}/external-recipients"]["post"][
        "deprecated"] is True


def test_secret_document_has_one_message_and_neither_channel(
        xctx: Flask, client: FlaskClient) -> None:
    fresh_g(xctx)
    document = ready_to_issue(secrecy=1)
    token = switch(client, "vanthu")
    page = client.get(f"/documents/outgoing/{document.id}").get_data(as_text=True)
    assert page.count("Văn bản mật không được gửi ra ngoài cơ quan") == 1
    assert 'id="exchange-pick"' not in page and "Tải gói edXML" not in page
    for organ_id, name in ((DEPARTMENT, ""), (UNCONNECTED, "Bộ Xây dựng")):
        reply = client.post(f"/api/v1/exchange/{document.id}/actions/add_recipient",
                            json={"organ_id": organ_id, "name": name},
                            headers={"X-CSRFToken": token})
        assert reply.status_code == 400
        assert "Văn bản mật" in reply.get_json()["message"]
    assert db.session.execute(select(Event).where(
        Event.action == "exchange_recipient_added")).first() is None


def test_only_the_clerk_or_drafter_hands_a_package_over(xctx: Flask, client: FlaskClient) -> None:
    """The leader who signed sees the agency's row but is not offered the download (a download
    is dated on the row as handed over), and is refused if he posts it anyway."""
    fresh_g(xctx)
    document = ready_to_issue()
    recipients.add_recipient(user("vanthu"), document, UNCONNECTED, "Bộ Xây dựng")
    db.session.commit()
    issue(document)
    run_jobs()
    token = switch(client, "chutich")
    page = client.get(f"/documents/outgoing/{document.id}").get_data(as_text=True)
    row = _row(page, UNCONNECTED)
    assert "Bộ Xây dựng" in row and "Tải gói edXML" not in row
    [recipient] = [r for r in client.get(f"/api/v1/exchange/{document.id}/recipients")
                   .get_json()["recipients"] if r["organ_id"] == UNCONNECTED]
    refused = client.post(f"/api/v1/documents/{document.id}/edxml/export/{recipient['id']}",
                          headers={"X-CSRFToken": token})
    assert refused.status_code == 403 and "văn thư" in refused.get_json()["message"]
    token = switch(client, "vanthu")
    assert "Tải gói edXML" in _row(client.get(f"/documents/outgoing/{document.id}")
                                   .get_data(as_text=True), UNCONNECTED)
    assert client.post(f"/api/v1/documents/{document.id}/edxml/export/{recipient['id']}",
                       headers={"X-CSRFToken": token}).status_code == 200
