"""The exchange on the document pages and the API: the sender picks recipients and sees each
one's state, the recipient's clerk sees the arrival and registers it; nobody sees another
organisation's documents (404)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from eoffice.exchange.models import ExchangeRecipient
from eoffice.extensions import db
from tests.documents.conftest import create_incoming
from tests.exchange.conftest import (
    DEPARTMENT,
    delivered_to,
    fresh_g,
    issue,
    ready_to_issue,
    run_jobs,
    switch,
)


def test_sender_picks_a_recipient_and_sees_its_status(xctx: Flask, client: FlaskClient) -> None:
    fresh_g(xctx)
    document = ready_to_issue()
    token = switch(client, "vanthu")
    page = client.get(f"/documents/outgoing/{document.id}").get_data(as_text=True)
    assert "Nơi nhận bên ngoài" in page and "Chưa có nơi nhận bên ngoài." in page
    reply = client.post(f"/exchange/{document.id}/recipients",
                        data={"organ_id": DEPARTMENT, "csrf_token": token})
    assert reply.status_code == 303
    bad = client.post(f"/exchange/{document.id}/recipients", follow_redirects=True,
                      data={"organ_id": "H41", "csrf_token": token})
    assert "đúng 13 ký tự" in bad.get_data(as_text=True)
    db.session.expire_all()
    issue(db.session.get(type(document), document.id))
    run_jobs()
    table = client.get(f"/exchange/{document.id}/recipients").get_data(as_text=True)
    assert "Sở Tài chính tỉnh Hòa Bình" in table and "Đã đến nơi nhận" in table
    assert "<strong>01</strong> — Đã đến" in table
    api = client.get(f"/api/v1/exchange/{document.id}/recipients").get_json()
    [row] = api["recipients"]
    assert (row["organ_id"], row["dispatch_state"], row["status_code"]) == (
        DEPARTMENT, "delivered", "01")


def test_recipient_clerk_registers_the_arrival_from_its_page(
        xctx: Flask, client: FlaskClient) -> None:
    fresh_g(xctx)
    document, arrived = delivered_to(DEPARTMENT)
    token = switch(client, "vanthu.stc")
    listing = client.get("/documents/incoming").get_data(as_text=True)
    assert document.subject in listing
    page = client.get(f"/documents/incoming/{arrived.id}").get_data(as_text=True)
    assert "Nhận qua liên thông" in page and "Vào sổ văn bản đến" in page
    assert "Tệp không có chữ ký số." in page  # what was checked on arrival
    reply = client.post(f"/exchange/{arrived.id}/register", data={"csrf_token": token},
                        follow_redirects=True)
    assert "Đã vào sổ, số đến 1." in reply.get_data(as_text=True)
    assert "trùng số" not in reply.get_data(as_text=True)
    run_jobs()
    db.session.expire_all()
    row = db.session.execute(select(ExchangeRecipient)).scalar_one()
    assert row.status_code == "03"


def test_another_organisation_sees_nothing_of_it(xctx: Flask, client: FlaskClient) -> None:
    fresh_g(xctx)
    document, arrived = delivered_to(DEPARTMENT)
    token = switch(client, "vanthu.stc")
    for path in (f"/documents/outgoing/{document.id}", f"/exchange/{document.id}/recipients",
                 f"/api/v1/exchange/{document.id}/recipients"):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/exchange/{document.id}/recipients",
                       data={"organ_id": "000.20.00.H41", "csrf_token": token}
                       ).status_code == 404
    token = switch(client, "vanthu")
    assert client.get(f"/documents/incoming/{arrived.id}").status_code == 404
    assert client.post(f"/exchange/{arrived.id}/register",
                       data={"csrf_token": token}).status_code == 404
    assert client.post(f"/api/v1/exchange/{arrived.id}/actions/register", json={},
                       headers={"X-CSRFToken": token}).status_code == 404


def test_registering_warns_of_a_paper_copy_already_in_the_book(
        xctx: Flask, client: FlaskClient) -> None:
    fresh_g(xctx)
    _, arrived = delivered_to(DEPARTMENT)
    paper = create_incoming(clerk="vanthu.stc", organ_name=arrived.organ_name,
                            organ_id=arrived.organ_id, code_number=arrived.code_number,
                            code_notation=arrived.code_notation)
    token = switch(client, "vanthu.stc")
    reply = client.post(f"/api/v1/exchange/{arrived.id}/actions/register", json={},
                        headers={"X-CSRFToken": token})
    assert reply.status_code == 200
    [warning] = reply.get_json()["warnings"]
    assert f"số {paper.arrival_number} đã vào sổ" in warning
